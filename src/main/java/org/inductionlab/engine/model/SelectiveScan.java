package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * Mamba's selective scan computed in chunks, for evaluation where {@link ScanKernel}'s loop does not run (a
 * GPU, or a JVM without the vector API), where the sequence may be 2^20 long (the
 * paper's recurrence, one step at a time, is {@link MambaModel#sequentialScan}, which training runs and the
 * tests compare this with, values and gradients to 1e-4). Within a chunk of {@value #CHUNK} steps every
 * state is exp(cum_t) (h_start + Σ_{s≤t} exp(-cum_s) Δ_s B_s u_s), with cum the running sum of Δ A — two
 * cumulative sums instead of {@value #CHUNK} sequential steps, every exponent measured from the chunk's
 * middle. The exp(-cum) factor must stay finite in float (DJL's type conversion does not carry gradients, so
 * no doubles): each step's Δ A is floored at -{@value #FLOOR}, a decay of e^-10 = 4.5e-5 that lets at most
 * that much of the old state through where the exact one would let less. Across chunks the last state is
 * carried.
 */
final class SelectiveScan {
    private SelectiveScan() {}

    /** Steps per chunk of the scan. */
    static final int CHUNK = 16;
    /** Floor of each step's Δ A, so that exp(CHUNK / 2 * FLOOR) stays within float range (e^80 of e^88). */
    static final double FLOOR = 10;

    /**
     * The selective scan, chunked (see the class comment). u and Δ (batch, n, E); A (E, N); B and C
     * (batch, n, N). Returns y (batch, n, E) without the D u term, and the last state (batch, E, N).
     * {@code h0} is the state before the first step (null: zeros).
     */
    static NDList scan(NDArray u, NDArray delta, NDArray a, NDArray b, NDArray c, NDArray h0) {
        return scan(u, delta, a, b, c, h0, false);
    }

    /**
     * {@link #scan}, every chunk of the block at once: the chunks' own states (as if each started from zero)
     * come from one set of calls over a (batch, chunks, CHUNK, E, N) view, and only the state carried from
     * chunk to chunk steps through the chunks, two small calls each. A pass is bound by its calls at long
     * lengths (one sequence cost what eight cost when every chunk took its own dozen calls). With {@code
     * free} (evaluation: no graph to keep) the block's intermediates go as soon as y and the state exist.
     */
    static NDList scan(NDArray u, NDArray delta, NDArray a, NDArray b, NDArray c, NDArray h0, boolean free) {
        NDManager outer = u.getManager();
        NDManager m = free ? outer.newSubManager() : outer;
        long batch = u.getShape().get(0);
        int n = (int) u.getShape().get(1);
        long e = u.getShape().get(2);
        long s = a.getShape().get(1);
        int chunks = (n + CHUNK - 1) / CHUNK;
        int padded = chunks * CHUNK;
        // views in this call's manager: every result joins its first operand's manager, so all go with it
        NDArray dl = delta.get(m, new NDIndex(":, :, :"));
        NDArray du = dl.mul(u);                                                      // Δ_s u_s
        NDArray bb = b.get(m, new NDIndex(":, :, :"));
        NDArray cc = c.get(m, new NDIndex(":, :, :"));
        if (padded > n) { // a ragged end: steps with Δ = 0 keep the state and add nothing
            dl = dl.concat(m.zeros(new Shape(batch, padded - n, e)), 1);
            du = du.concat(m.zeros(new Shape(batch, padded - n, e)), 1);
            bb = bb.concat(m.zeros(new Shape(batch, padded - n, s)), 1);
            cc = cc.concat(m.zeros(new Shape(batch, padded - n, s)), 1);
        }
        NDArray steps = lower(m, CHUNK);
        NDArray floor = m.full(new Shape(), (float) -FLOOR);
        NDArray cum = runningSum(steps, dl.expandDims(3).mul(a).maximum(floor)
                .reshape(batch * chunks, CHUNK, e, s));                                // (batch·C, T, E, N)
        // measured from the middle of each chunk, every exponent stays within ±(CHUNK/2) * FLOOR
        int mid = (CHUNK - 1) / 2;
        NDArray ref = cum.get(m, new NDIndex(":, " + mid + ":" + (mid + 1) + ", :, :"));
        NDArray bu = du.expandDims(3).mul(bb.expandDims(2)).reshape(batch * chunks, CHUNK, e, s); // Δ_s B_s u_s
        // times exp(cum_mid - cum_s), not divided by exp(cum_s - cum_mid): a quotient's gradient squares it
        NDArray local = cum.sub(ref).exp().mul(runningSum(steps, bu.mul(ref.sub(cum).exp()))); // from zero
        NDArray decays = cum.get(m, new NDIndex(":, -1, :, :")).exp().reshape(batch, chunks, e, s);
        NDArray ends = local.get(m, new NDIndex(":, -1, :, :")).reshape(batch, chunks, e, s);
        // the carried state, chunk to chunk: H_c = decay_c H_{c-1} + end_c; each chunk starts from H_{c-1}
        NDList decay = chunks == 1 ? new NDList(decays) : decays.split(chunks, 1);
        NDList end = chunks == 1 ? new NDList(ends) : ends.split(chunks, 1);
        NDArray h = h0 == null ? m.zeros(new Shape(batch, 1, e, s)) : h0.get(m, new NDIndex(":, :, :")).expandDims(1);
        List<NDArray> starts = new ArrayList<>(chunks);
        for (int k = 0; k < chunks; k++) {
            starts.add(h);
            h = decay.get(k).mul(h).add(end.get(k));
        }
        NDArray start = (chunks == 1 ? starts.get(0) : NDArrays.concat(new NDList(starts), 1))
                .reshape(batch * chunks, 1, e, s);
        NDArray states = local.add(cum.exp().mul(start));                            // every h_t
        NDArray y = states.matMul(cc.reshape(batch * chunks, CHUNK, s, 1)).reshape(batch, padded, e);
        if (padded > n) {
            y = y.get(new NDIndex(":, 0:" + n + ", :"));
        }
        NDArray last = h.squeeze(1);
        if (free) { // keep y and a compact copy of the last state; everything else goes with the block
            y = y.duplicate();
            last = last.duplicate();
            y.attach(outer);
            last.attach(outer);
            m.close();
        }
        return new NDList(y, last);
    }

    /** The (T, T) lower-triangular matrix of ones: multiplying by it sums over time up to each step. */
    private static NDArray lower(NDManager m, int t) {
        float[] ones = new float[t * t];
        for (int i = 0; i < t; i++) {
            java.util.Arrays.fill(ones, i * t, i * t + i + 1, 1f);
        }
        return m.create(ones, new Shape(t, t));
    }

    /**
     * Running sum over time (axis 1) of x (batch, T, E, N), as a product with {@code lower}: the same sums
     * as cumSum(1), but a matrix product (forward and backward) runs several times faster here than a
     * cumulative sum along a strided axis (docs/benchmarks.md, Mamba).
     */
    private static NDArray runningSum(NDArray lower, NDArray x) {
        Shape s = x.getShape();
        NDArray sums = lower.matMul(x.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)));
        sums.attach(x.getManager()); // with x, not with the long-lived lower (a chunk's memory goes with its chunk)
        return sums.reshape(s);
    }
}
