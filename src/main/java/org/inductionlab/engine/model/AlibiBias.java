package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * ALiBi (Press, Smith and Lewis 2022, "Train short, test long"): nothing is added to the embeddings; head h
 * subtracts m_h * (query - key) from its scores, with the slopes a geometric sequence, 2^(-8/H), 2^(-16/H),
 * ..., 2^(-8) for H heads (for H not a power of two, the paper's interleaving of the next power's slopes).
 */
final class AlibiBias implements AttentionPositions, ScoreBias {

    private final float[] slopes;

    AlibiBias(int heads) {
        this.slopes = slopes(heads);
    }

    /** The paper's slopes (its reference implementation's get_slopes). */
    static float[] slopes(int heads) {
        int p = Integer.highestOneBit(heads);
        float[] out = new float[heads];
        float[] base = powerOfTwo(p);
        System.arraycopy(base, 0, out, 0, p);
        if (p < heads) {
            float[] extra = powerOfTwo(2 * p);
            for (int i = 0; i < heads - p; i++) {
                out[p + i] = extra[2 * i];
            }
        }
        return out;
    }

    private static float[] powerOfTwo(int n) {
        double start = Math.pow(2, -8.0 / n);
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (float) Math.pow(start, i + 1);
        }
        return s;
    }

    @Override
    public ScoreBias bias() {
        return this;
    }

    @Override
    public NDArray scores(NDManager m, int heads, int firstQuery, int queries, int firstKey, int keys, DataType type) {
        NDArray distance = ScoreBias.distance(m, firstQuery, queries, firstKey, keys).reshape(1, 1, queries, keys);
        NDArray slope = m.create(slopes, new Shape(1, heads, 1, 1));
        return distance.mul(slope).neg().toType(type, false);
    }
}
