package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * A term added to a tile of attention scores before the softmax, besides the causal mask: ALiBi's distance
 * penalty, a hard local window. {@link CausalAttention} asks for it tile by tile, so it never holds more
 * than a tile's worth.
 */
interface ScoreBias {

    /**
     * The term for queries at positions firstQuery.. (queries of them) over keys at firstKey.. (keys of them),
     * shaped (1, heads or 1, queries, keys), in {@code type}, on {@code m}.
     */
    NDArray scores(NDManager m, int heads, int firstQuery, int queries, int firstKey, int keys, DataType type);

    /** Keys a query sees, itself included (0: every earlier key). Keys further back are never computed. */
    default int window() {
        return 0;
    }

    /** (queries, keys) float32 of query position - key position. */
    static NDArray distance(NDManager m, int firstQuery, int queries, int firstKey, int keys) {
        NDArray q = m.arange(firstQuery, firstQuery + queries, 1, DataType.FLOAT32).reshape(queries, 1);
        NDArray k = m.arange(firstKey, firstKey + keys, 1, DataType.FLOAT32).reshape(1, keys);
        return q.sub(k);
    }
}
