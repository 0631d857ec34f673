package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * The fixed table of Vaswani et al. (2017): PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...).
 * Computed in float32 on the device exactly as PyTorch's tutorial (and the course) does, for any length.
 */
final class SinusoidalPositions implements PositionalEncoding {

    private final int d;
    private final NDManager manager;
    private NDArray cached; // the table for the length used most recently (usually the training length)

    SinusoidalPositions(int d, NDManager manager) {
        this.d = d;
        this.manager = manager;
    }

    @Override
    public NDArray addTo(NDArray x) {
        int length = (int) x.getShape().get(1);
        return x.add(table(length));
    }

    private synchronized NDArray table(int length) {
        if (cached != null && cached.getShape().get(0) >= length) {
            return cached.getShape().get(0) == length ? cached : cached.get("0:" + length);
        }
        if (cached != null) {
            cached.close();
        }
        try (NDManager scratch = manager.newSubManager()) {
            NDArray pos = scratch.arange(0, length, 1, DataType.FLOAT32).reshape(length, 1);
            NDArray div = scratch.arange(0, d, 2, DataType.FLOAT32).mul(-Math.log(10000.0) / d).exp();
            NDArray angle = pos.mul(div.reshape(1, -1));
            // interleave: even columns sin, odd columns cos
            NDArray table = angle.sin().expandDims(2).concat(angle.cos().expandDims(2), 2).reshape(length, d);
            table.attach(manager);
            cached = table;
        }
        return cached;
    }

    @Override
    public synchronized void close() {
        if (cached != null) {
            cached.close();
            cached = null;
        }
    }
}
