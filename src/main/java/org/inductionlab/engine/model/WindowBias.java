package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * A hard local window: a query sees itself and the {@code window - 1} tokens before it, nothing further back
 * (the "Hard-ALiBi" heads of Jelassi et al. 2024, "Repeat after me"). Within the window there is no notion of
 * distance; with a window of 2 a head can only look at itself or its predecessor, which is exactly the
 * previous-token head the induction circuit needs, at every length alike.
 */
final class WindowBias implements AttentionPositions, ScoreBias {

    /** Added beyond the window, like the causal mask's: exp() of it is exactly 0. */
    private static final float OUTSIDE = -1e30f;
    private static final float OUTSIDE_HALF = -65504f;

    private final int window;

    WindowBias(int window) {
        this.window = window;
    }

    @Override
    public ScoreBias bias() {
        return this;
    }

    @Override
    public int window() {
        return window;
    }

    @Override
    public NDArray scores(NDManager m, int heads, int firstQuery, int queries, int firstKey, int keys, DataType type) {
        NDArray distance = ScoreBias.distance(m, firstQuery, queries, firstKey, keys);
        float outside = type == DataType.FLOAT16 ? OUTSIDE_HALF : OUTSIDE;
        return distance.gte(window).toType(DataType.FLOAT32, false).mul(outside).toType(type, false)
                .reshape(1, 1, queries, keys);
    }
}
