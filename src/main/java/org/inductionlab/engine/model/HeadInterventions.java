package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.inductionlab.engine.config.Interventions;
import org.inductionlab.engine.config.Interventions.AttentionPattern;

/**
 * What the {@code interventions} setting does to one layer's attention in one pass: a clamped head's
 * output becomes its pattern's weights times the values (query i reads value i-1, or the mean of values
 * 0..i), a knocked-out head's output is zero. Both replace the head's output after attention, so any
 * attention path (tiles, PyTorch's fused kernel) may compute the heads first; what a clamped head computed
 * gets no gradient. A recording pass records the clamped heads' pattern, not what they computed.
 */
final class HeadInterventions {

    private final ForwardPass pass;
    private final float[] keep;      // 0 for a head whose output is replaced, else 1; null: nothing to do
    private final float[] previous;  // 1 for a head clamped to the previous token
    private final float[] uniform;   // 1 for a head clamped to uniform attention

    private HeadInterventions(ForwardPass pass, float[] keep, float[] previous, float[] uniform) {
        this.pass = pass;
        this.keep = keep;
        this.previous = previous;
        this.uniform = uniform;
    }

    /** The interventions of {@code layer} at training step {@code step} (-1: not training: open-ended clamps only). */
    static HeadInterventions at(Interventions all, int layer, int heads, long step, ForwardPass pass) {
        if (all == null || all.isEmpty() || !all.touches(layer, step)) {
            return new HeadInterventions(pass, null, null, null);
        }
        float[] keep = new float[heads];
        float[] previous = new float[heads];
        float[] uniform = new float[heads];
        boolean clamps = false;
        for (int h = 0; h < heads; h++) {
            AttentionPattern p = all.clampAt(layer, h, step);
            keep[h] = all.knocksOut(layer, h) || p != null ? 0 : 1;
            previous[h] = p == AttentionPattern.PREVIOUS ? 1 : 0;
            uniform[h] = p == AttentionPattern.UNIFORM ? 1 : 0;
            clamps |= p != null;
        }
        ForwardPass used = pass;
        if (clamps && pass.recorder() != null) {
            ForwardPass.AttentionRecorder inner = pass.recorder();
            ForwardPass.AttentionRecorder clamped = (l, weights, firstSequence, firstQuery) ->
                    inner.record(l, l == layer ? recorded(weights, firstQuery, previous, uniform) : weights,
                            firstSequence, firstQuery);
            used = new ForwardPass(pass.training(), pass.lastQueryOnly(), pass.tileElements(), pass.causalBlocks(),
                    clamped, pass.ablated(), pass.precision(), pass.fused(), pass.masks(), pass.tape());
        }
        return new HeadInterventions(used, keep, previous, uniform);
    }

    /** Whether nothing is done to this layer's heads in this pass. */
    boolean none() {
        return keep == null;
    }

    /** The pass to attend with: the given one, or one whose recorder sees the clamped heads' patterns. */
    ForwardPass pass() {
        return pass;
    }

    /**
     * {@code out} (batch, heads, queries, dh) for queries at positions {@code firstQuery..}, with the
     * clamped heads' outputs computed from {@code v} (batch, heads, keys, dh) and knocked-out heads zeroed.
     */
    NDArray apply(NDArray out, NDArray v, int firstQuery) {
        if (keep == null) {
            return out;
        }
        NDManager m = out.getManager();
        int heads = keep.length;
        NDArray result = out.mul(m.create(keep, new Shape(1, heads, 1, 1)));
        int n = (int) v.getShape().get(2);
        String queries = ":, :, " + firstQuery + ":";
        if (any(previous)) { // query i reads value i-1; query 0 has only itself
            NDArray shifted = n == 1 ? v : NDArrays.concat(new NDList(v.get(m, new NDIndex(":, :, 0:1")),
                    v.get(m, new NDIndex(":, :, 0:" + (n - 1)))), 2);
            result = result.add(shifted.get(m, new NDIndex(queries)).mul(m.create(previous, new Shape(1, heads, 1, 1))));
        }
        if (any(uniform)) { // query i reads the mean of values 0..i
            NDArray counts = m.arange(1, n + 1, 1, DataType.FLOAT32).reshape(1, 1, n, 1);
            NDArray mean = v.cumSum(2).div(counts);
            result = result.add(mean.get(m, new NDIndex(queries)).mul(m.create(uniform, new Shape(1, heads, 1, 1))));
        }
        return result;
    }

    /** A tile's weights (batch, heads, queries, keys) with the clamped heads' rows replaced by their pattern. */
    private static NDArray recorded(NDArray weights, int firstQuery, float[] previous, float[] uniform) {
        NDManager m = weights.getManager();
        int heads = previous.length;
        int queries = (int) weights.getShape().get(2);
        int keys = (int) weights.getShape().get(3);
        float[] prev = new float[queries * keys];
        float[] even = new float[queries * keys];
        float[] keepHeads = new float[heads];
        for (int r = 0; r < queries; r++) {
            int i = firstQuery + r;
            if (Math.max(0, i - 1) < keys) {
                prev[r * keys + Math.max(0, i - 1)] = 1;
            }
            for (int j = 0; j <= i && j < keys; j++) {
                even[r * keys + j] = 1f / (i + 1);
            }
        }
        for (int h = 0; h < heads; h++) {
            keepHeads[h] = previous[h] + uniform[h] > 0 ? 0 : 1;
        }
        Shape perHead = new Shape(1, heads, 1, 1);
        Shape square = new Shape(1, 1, queries, keys);
        DataType type = weights.getDataType();
        return weights.mul(m.create(keepHeads, perHead).toType(type, false))
                .add(m.create(prev, square).mul(m.create(previous, perHead)).toType(type, false))
                .add(m.create(even, square).mul(m.create(uniform, perHead)).toType(type, false));
    }

    private static boolean any(float[] mask) {
        for (float f : mask) {
            if (f != 0) {
                return true;
            }
        }
        return false;
    }
}
