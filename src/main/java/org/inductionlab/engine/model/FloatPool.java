package org.inductionlab.engine.model;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A few large float arrays kept between training steps for the kernels that run outside libtorch
 * ({@link ScanKernel}'s states and decays, {@link AttentionKernel}'s weights): allocating (and zeroing)
 * 2 x 16 MB per block per step cost more than the scan's arithmetic. An array taken may hold an earlier
 * step's numbers: its taker writes every element it reads.
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

    static synchronized void give(float[] a) {
        if (FREE.size() >= KEEP) {
            FREE.removeLast();
        }
        FREE.addFirst(a);
    }
}
