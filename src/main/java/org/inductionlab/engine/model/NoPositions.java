package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;

/** No positional signal: the causal mask is the only source of order. */
final class NoPositions implements PositionalEncoding {
    @Override
    public NDArray addTo(NDArray x) {
        return x;
    }
}
