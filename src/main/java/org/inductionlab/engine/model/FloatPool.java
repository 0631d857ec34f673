package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;

import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A few large float arrays kept between training steps for the kernels that run outside libtorch
 * ({@link ScanKernel}'s states and decays, {@link AttentionKernel}'s weights): allocating (and zeroing)
 * 2 x 16 MB per block per step cost more than the scan's arithmetic. An array taken may hold an earlier
 * step's numbers: its taker writes every element it reads. Also how the kernels move arrays in and out of
 * libtorch in one copy each ({@link #read}, {@link #array}).
 */
final class FloatPool {
    private FloatPool() {}

    private static final int KEEP = 8;
    private static final ArrayDeque<float[]> FREE = new ArrayDeque<>();

    static synchronized float[] take(int size) {
        for (Iterator<float[]> it = FREE.iterator(); it.hasNext(); ) {
            float[] a = it.next();
            if (a.length == size) {
                it.remove();
                return a;
            }
        }
        return new float[size];
    }

    /** An array from the pool holding {@code a}'s values (float32, on the CPU); see {@link #read}. */
    static float[] take(NDArray a) {
        return read(a, take(Math.toIntExact(a.size())));
    }

    /** {@code a}'s values (float32, on the CPU) in a new array; see {@link #read(NDArray, float[])}. */
    static float[] read(NDArray a) {
        return read(a, new float[Math.toIntExact(a.size())]);
    }

    /**
     * {@code a}'s values (float32, on the CPU) copied into {@code into}, once, from libtorch's memory:
     * {@code toFloatArray} copies them twice, into a new array (0.85 ms against 0.23 for 6 MB here).
     */
    static float[] read(NDArray a, float[] into) {
        if (a.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("a kernel reads float32, not " + a.getDataType());
        }
        ((PtNDArray) a).toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer().get(into);
        return into;
    }

    /**
     * A float32 array of {@code m} with {@code values}: libtorch's uninitialised tensor written in one copy,
     * where {@code m.create(values, shape)} goes through a zeroed direct buffer (0.65 ms against 0.25 for 6 MB).
     */
    static NDArray array(NDManager m, float[] values, Shape shape) {
        if (m.getDevice().isGpu()) { // the buffer would be a copy on the host
            return m.create(values, shape);
        }
        NDArray out = m.create(shape, DataType.FLOAT32);
        ((PtNDArray) out).toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer().put(values);
        return out;
    }

    static synchronized void give(float[] a) {
        if (FREE.size() >= KEEP) {
            FREE.removeLast();
        }
        FREE.addFirst(a);
    }
}
