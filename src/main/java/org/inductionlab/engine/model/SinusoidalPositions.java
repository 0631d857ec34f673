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
        NDArray rows = table(length);
        // a shorter length reads a slice of the cached table; the slice belongs to the caller's pass
        return x.add(rows.getShape().get(0) == length ? rows
                : rows.get(x.getManager(), new ai.djl.ndarray.index.NDIndex("0:" + length)));
    }

    /** The cached table, computed anew when a longer one is needed. */
    private synchronized NDArray table(int length) {
        if (cached != null && cached.getShape().get(0) >= length) {
            return cached;
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
