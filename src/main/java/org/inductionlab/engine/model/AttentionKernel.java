package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.stream.IntStream;

/**
 * Causal self-attention for training on a CPU as one loop per head, forward and backward written out by
 * hand in the JDK's vector API: what {@link CausalAttention} computes for the whole causal square,
 *
 * <pre>
 *   P_i = softmax_j≤i (q_i · k_j / sqrt(dh)),   o_i = Σ_j≤i P_ij v_j
 * </pre>
 *
 * and its gradients, with D_i = do_i · o_i:
 *
 * <pre>
 *   dP_ij = do_i · v_j     dS_ij = P_ij (dP_ij - D_i) / sqrt(dh)
 *   dq_i  = Σ_j dS_ij k_j   dk_j = Σ_i dS_ij q_i   dv_j = Σ_i P_ij do_i
 * </pre>
 *
 * The course's heads are 8 wide: libtorch's flash-attention kernel, built for wide heads, was most of a
 * {@code fast} step (docs/benchmarks.md, issue 24). Here the keys are the lanes: a head's keys and values
 * are held transposed (dh rows of n), so the scores of 8 keys are dh multiply-adds of a broadcast query
 * element, and a head's working set stays in cache. It reads the projection's (batch, n, 3d) output as it
 * is and writes the heads' outputs as (batch, n, d), what W_O reads, so no split, transpose or copy runs
 * around it. A row's weights are kept for the backward (the lower triangle, rows padded to whole vectors,
 * weights past the query 0). Heads run in parallel. Checked against libtorch's attention (values and
 * gradients) in AttentionKernelTest; used in training where {@link #serves} says so.
 */
final class AttentionKernel implements Tape.Outside {
    private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;
    private static final int L = LANES.length();
    /** A score past the query: exp of it less the row's maximum is 0 ({@link ScanKernel#exp} floors at -87.3). */
    private static final float MASKED = -1e30f;

    private final NDArray qkv;
    private final int batch;
    private final int heads;
    private final int n;
    private final int dh;
    private final int d;            // heads * dh
    private final float scale;      // 1 / sqrt(dh), applied to the queries
    private final int padded;       // n rounded up to whole vectors
    private final int[] rowStart;   // where row i's weights start within a head's triangle
    private final int triangle;     // a head's weights
    private final float[] x;        // qkv: (batch, n, 3d)
    private final float[] o;        // (batch, n, d)
    private final float[] weights;  // (batch * heads, triangle), pooled
    private final float[][] keys;   // per head: its keys transposed, (dh, padded), kept for the backward
    private final float[][] values; // the same of its values

    /**
     * Runs the forward of the heads of {@code qkv} (batch, n, 3d: the queries, keys and values of every head,
     * head h at columns h*dh.. of each third), keeping the weights for {@link #backward}.
     */
    AttentionKernel(NDArray qkv, int heads) {
        this.qkv = qkv;
        Shape shape = qkv.getShape();
        this.batch = (int) shape.get(0);
        this.n = (int) shape.get(1);
        this.d = (int) shape.get(2) / 3;
        this.heads = heads;
        this.dh = d / heads;
        this.scale = (float) (1 / Math.sqrt(dh));
        this.padded = LANES.loopBound(n + L - 1);
        this.rowStart = new int[n + 1];
        for (int i = 0; i < n; i++) {
            rowStart[i + 1] = rowStart[i] + LANES.loopBound(i + L); // i + 1 weights, padded to whole vectors
        }
        this.triangle = rowStart[n];
        this.x = FloatPool.take(qkv);
        this.o = FloatPool.take(batch * n * d); // every element written
        this.weights = FloatPool.take(Math.multiplyExact(batch * heads, triangle));
        this.keys = new float[batch * heads][];
        this.values = new float[batch * heads][];
        parallel(this::forward);
    }

    /**
     * Whether the kernel serves an attention of {@code queries} queries from {@code firstQuery} over
     * {@code keys} keys in this pass: a training pass on a tape (the backward needs one), on a CPU with the
     * vector API, over the whole causal square, with nothing done to the queries, keys or scores (no rotary
     * turn, no bias, the standard scale), no attention dropout and no one recording the weights. The cost
     * model prices it as the fused kernel (the causal half).
     */
    static boolean serves(ForwardPass pass, ai.djl.Device device, int queries, int keys, int firstQuery,
                          double dropout, boolean plain) {
        return pass.training() && pass.tape() != null && pass.recorder() == null && !device.isGpu()
                && VectorLanes.available() && firstQuery == 0 && queries == keys && plain && dropout <= 0
                && pass.precision() == Precision.FP32;
    }

    /** The heads' outputs as an array of {@code m}, (batch, n, d): head h at columns h*dh... */
    NDArray output(NDManager m) {
        return FloatPool.array(m, o, new Shape(batch, n, d));
    }

    @Override
    public NDArray[] inputs() {
        return new NDArray[] {qkv};
    }

    private void parallel(java.util.function.IntConsumer perHead) {
        IntStream.range(0, batch * heads).parallel().forEach(perHead);
    }

    /** Column {@code part} (0 q, 1 k, 2 v) of head {@code h}: its first element in a row of qkv. */
    private int column(int part, int h) {
        return part * d + h * dh;
    }

    /** A head's keys or values (part 1 or 2) transposed, (dh, padded), zeros past n. */
    private float[] transposed(int seq, int h, int part) {
        float[] t = new float[dh * padded];
        int at = seq * n * 3 * d + column(part, h);
        for (int j = 0; j < n; j++, at += 3 * d) {
            for (int e = 0; e < dh; e++) {
                t[e * padded + j] = x[at + e];
            }
        }
        return t;
    }

    private void forward(int head) {
        int seq = head / heads;
        int h = head % heads;
        float[] kt = keys[head] = transposed(seq, h, 1);
        float[] vt = values[head] = transposed(seq, h, 2);
        float[] row = new float[padded];
        int wBase = head * triangle;
        for (int i = 0; i < n; i++) {
            int width = rowStart[i + 1] - rowStart[i];
            int qi = (seq * n + i) * 3 * d + column(0, h);
            products(kt, x, qi, width, row, scale);
            for (int j = i + 1; j < width; j++) {
                row[j] = MASKED; // keys after the query (the zeros of the padding among them)
            }
            float m = maxOf(row, width);
            FloatVector sum = FloatVector.zero(LANES);
            for (int j = 0; j < width; j += L) {
                FloatVector p = ScanKernel.exp(FloatVector.fromArray(LANES, row, j).sub(m));
                p.intoArray(row, j);
                sum = sum.add(p);
            }
            float inv = 1f / sum.reduceLanes(VectorOperators.ADD);
            int w = wBase + rowStart[i];
            for (int j = 0; j < width; j += L) {
                FloatVector.fromArray(LANES, row, j).mul(inv).intoArray(weights, w + j);
            }
            dots(weights, w, vt, width, o, (seq * n + i) * d + h * dh, 1f); // o_i
        }
    }

    /*
     * The inner loops below keep four sums in flight: one chain of multiply-adds waits on each step's latency
     * (4-5 cycles), and four independent ones fill the pipeline — the loops ran twice as fast so.
     */

    /**
     * out[j] = factor · Σ_e t[e·padded + j] · a[at + e] for j < width (a multiple of the lanes): one query's
     * (or output gradient's) products with the keys (or values) held transposed in t.
     */
    private void products(float[] t, float[] a, int at, int width, float[] out, float factor) {
        int j = 0;
        for (; j + 4 * L <= width; j += 4 * L) {
            FloatVector s0 = FloatVector.zero(LANES);
            FloatVector s1 = s0;
            FloatVector s2 = s0;
            FloatVector s3 = s0;
            for (int e = 0; e < dh; e++) {
                FloatVector ae = FloatVector.broadcast(LANES, a[at + e]);
                int te = e * padded + j;
                s0 = FloatVector.fromArray(LANES, t, te).fma(ae, s0);
                s1 = FloatVector.fromArray(LANES, t, te + L).fma(ae, s1);
                s2 = FloatVector.fromArray(LANES, t, te + 2 * L).fma(ae, s2);
                s3 = FloatVector.fromArray(LANES, t, te + 3 * L).fma(ae, s3);
            }
            s0.mul(factor).intoArray(out, j);
            s1.mul(factor).intoArray(out, j + L);
            s2.mul(factor).intoArray(out, j + 2 * L);
            s3.mul(factor).intoArray(out, j + 3 * L);
        }
        for (; j < width; j += L) {
            FloatVector s0 = FloatVector.zero(LANES);
            for (int e = 0; e < dh; e++) {
                s0 = FloatVector.fromArray(LANES, t, e * padded + j).fma(FloatVector.broadcast(LANES, a[at + e]), s0);
            }
            s0.mul(factor).intoArray(out, j);
        }
    }

    /** Σ_j a[at + j] · b[bt + j] for j < width (a multiple of the lanes). */
    private static float dot(float[] a, int at, float[] b, int bt, int width) {
        FloatVector s0 = FloatVector.zero(LANES);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        int j = 0;
        for (; j + 4 * L <= width; j += 4 * L) {
            s0 = FloatVector.fromArray(LANES, a, at + j).fma(FloatVector.fromArray(LANES, b, bt + j), s0);
            s1 = FloatVector.fromArray(LANES, a, at + j + L).fma(FloatVector.fromArray(LANES, b, bt + j + L), s1);
            s2 = FloatVector.fromArray(LANES, a, at + j + 2 * L).fma(FloatVector.fromArray(LANES, b, bt + j + 2 * L), s2);
            s3 = FloatVector.fromArray(LANES, a, at + j + 3 * L).fma(FloatVector.fromArray(LANES, b, bt + j + 3 * L), s3);
        }
        for (; j < width; j += L) {
            s0 = FloatVector.fromArray(LANES, a, at + j).fma(FloatVector.fromArray(LANES, b, bt + j), s0);
        }
        return s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
    }

    /**
     * out[outAt + e] = factor · Σ_j a[at + j] · t[e·padded + j] for e < dh and j < width (a multiple of the
     * lanes): a row of weights (or score gradients) against the values (or keys) held transposed, four
     * dimensions per pass, so each vector of the row is loaded once for four sums.
     */
    private void dots(float[] a, int at, float[] t, int width, float[] out, int outAt, float factor) {
        int e = 0;
        for (; e + 4 <= dh; e += 4) {
            FloatVector s0 = FloatVector.zero(LANES);
            FloatVector s1 = s0;
            FloatVector s2 = s0;
            FloatVector s3 = s0;
            int te = e * padded;
            for (int j = 0; j < width; j += L) {
                FloatVector aj = FloatVector.fromArray(LANES, a, at + j);
                s0 = aj.fma(FloatVector.fromArray(LANES, t, te + j), s0);
                s1 = aj.fma(FloatVector.fromArray(LANES, t, te + padded + j), s1);
                s2 = aj.fma(FloatVector.fromArray(LANES, t, te + 2 * padded + j), s2);
                s3 = aj.fma(FloatVector.fromArray(LANES, t, te + 3 * padded + j), s3);
            }
            out[outAt + e] = s0.reduceLanes(VectorOperators.ADD) * factor;
            out[outAt + e + 1] = s1.reduceLanes(VectorOperators.ADD) * factor;
            out[outAt + e + 2] = s2.reduceLanes(VectorOperators.ADD) * factor;
            out[outAt + e + 3] = s3.reduceLanes(VectorOperators.ADD) * factor;
        }
        for (; e < dh; e++) {
            out[outAt + e] = dot(a, at, t, e * padded, width) * factor;
        }
    }

    private static float maxOf(float[] row, int width) {
        FloatVector max = FloatVector.fromArray(LANES, row, 0);
        for (int j = L; j < width; j += L) {
            max = max.max(FloatVector.fromArray(LANES, row, j));
        }
        return max.reduceLanes(VectorOperators.MAX);
    }

    /** The gradient for qkv from the gradient at the heads' outputs. */
    @Override
    public NDArray[] backward(NDArray gradOut) {
        float[] go = FloatPool.take(gradOut);
        float[] dx = FloatPool.take(x.length); // every element written: dq of each row, dk and dv of each key
        parallel(head -> backward(head, go, dx));
        NDArray grad = FloatPool.array(gradOut.getManager(), dx, qkv.getShape());
        FloatPool.give(go);
        FloatPool.give(dx);
        return new NDArray[] {grad};
    }

    /**
     * One head's backward in two sweeps. Along the rows: dS_i (kept in a triangle laid out as the head's
     * weights, the thread's own, so it stays in cache between the sweeps) and dq_i. Down the columns: for each block of keys, dk and dv summed over the rows that see it in
     * registers, a few dimensions at a time, where a row-by-row update would load and store them per row.
     */
    private void backward(int head, float[] go, float[] dx) {
        float[] dScores = scratch(triangle);
        int seq = head / heads;
        int h = head % heads;
        float[] kt = keys[head];
        float[] vt = values[head];
        float[] ds = new float[padded];
        int wBase = head * triangle;
        for (int i = 0; i < n; i++) {
            int width = rowStart[i + 1] - rowStart[i];
            int qi = (seq * n + i) * 3 * d + column(0, h);
            int oi = (seq * n + i) * d + h * dh;
            int w = wBase + rowStart[i];
            float dot = 0; // D_i = do_i · o_i
            for (int e = 0; e < dh; e++) {
                dot += go[oi + e] * o[oi + e];
            }
            products(vt, go, oi, width, ds, 1f); // dP_i
            for (int j = 0; j < width; j += L) {
                FloatVector.fromArray(LANES, weights, w + j).mul(FloatVector.fromArray(LANES, ds, j).sub(dot))
                        .intoArray(dScores, rowStart[i] + j);
            }
            dots(dScores, rowStart[i], kt, width, dx, qi, scale); // dq_i
        }
        int rowsAt = seq * n * 3 * d + column(0, h);
        int goAt = (seq * n) * d + h * dh;
        for (int jb = 0; jb < padded; jb += L) {
            columnSums(dScores, 0, jb, x, rowsAt, 3 * d, scale, dx, seq * n * 3 * d + column(1, h));
            columnSums(weights, wBase, jb, go, goAt, d, 1f, dx, seq * n * 3 * d + column(2, h));
        }
    }

    /**
     * For the keys jb..jb+L-1: out[key j, e] = factor · Σ_{i ≥ jb} a[row i, key j] · b[row i, e] — dk from dS
     * and the queries, dv from P and the output's gradient. a is a head's triangle (from aBase), b's row i
     * starts at bAt + i · bStride, out's key j at outAt + j · 3d. Eight dimensions' sums at a time, then four.
     */
    private void columnSums(float[] a, int aBase, int jb, float[] b, int bAt, int bStride, float factor,
                            float[] out, int outAt) {
        float[] lanes = new float[L];
        int e = 0;
        for (; e + 8 <= dh; e += 8) { // eight chains of multiply-adds in flight: four waited on their latency
            FloatVector s0 = FloatVector.zero(LANES);
            FloatVector s1 = s0;
            FloatVector s2 = s0;
            FloatVector s3 = s0;
            FloatVector s4 = s0;
            FloatVector s5 = s0;
            FloatVector s6 = s0;
            FloatVector s7 = s0;
            for (int i = jb, bi = bAt + jb * bStride + e; i < n; i++, bi += bStride) {
                FloatVector ai = FloatVector.fromArray(LANES, a, aBase + rowStart[i] + jb);
                s0 = ai.fma(FloatVector.broadcast(LANES, b[bi]), s0);
                s1 = ai.fma(FloatVector.broadcast(LANES, b[bi + 1]), s1);
                s2 = ai.fma(FloatVector.broadcast(LANES, b[bi + 2]), s2);
                s3 = ai.fma(FloatVector.broadcast(LANES, b[bi + 3]), s3);
                s4 = ai.fma(FloatVector.broadcast(LANES, b[bi + 4]), s4);
                s5 = ai.fma(FloatVector.broadcast(LANES, b[bi + 5]), s5);
                s6 = ai.fma(FloatVector.broadcast(LANES, b[bi + 6]), s6);
                s7 = ai.fma(FloatVector.broadcast(LANES, b[bi + 7]), s7);
            }
            scatter(s0, factor, lanes, jb, out, outAt + e);
            scatter(s1, factor, lanes, jb, out, outAt + e + 1);
            scatter(s2, factor, lanes, jb, out, outAt + e + 2);
            scatter(s3, factor, lanes, jb, out, outAt + e + 3);
            scatter(s4, factor, lanes, jb, out, outAt + e + 4);
            scatter(s5, factor, lanes, jb, out, outAt + e + 5);
            scatter(s6, factor, lanes, jb, out, outAt + e + 6);
            scatter(s7, factor, lanes, jb, out, outAt + e + 7);
        }
        for (; e + 4 <= dh; e += 4) {
            FloatVector s0 = FloatVector.zero(LANES);
            FloatVector s1 = s0;
            FloatVector s2 = s0;
            FloatVector s3 = s0;
            for (int i = jb, bi = bAt + jb * bStride + e; i < n; i++, bi += bStride) {
                FloatVector ai = FloatVector.fromArray(LANES, a, aBase + rowStart[i] + jb);
                s0 = ai.fma(FloatVector.broadcast(LANES, b[bi]), s0);
                s1 = ai.fma(FloatVector.broadcast(LANES, b[bi + 1]), s1);
                s2 = ai.fma(FloatVector.broadcast(LANES, b[bi + 2]), s2);
                s3 = ai.fma(FloatVector.broadcast(LANES, b[bi + 3]), s3);
            }
            scatter(s0, factor, lanes, jb, out, outAt + e);
            scatter(s1, factor, lanes, jb, out, outAt + e + 1);
            scatter(s2, factor, lanes, jb, out, outAt + e + 2);
            scatter(s3, factor, lanes, jb, out, outAt + e + 3);
        }
        for (; e < dh; e++) {
            FloatVector s0 = FloatVector.zero(LANES);
            for (int i = jb, bi = bAt + jb * bStride + e; i < n; i++, bi += bStride) {
                s0 = FloatVector.fromArray(LANES, a, aBase + rowStart[i] + jb).fma(FloatVector.broadcast(LANES, b[bi]), s0);
            }
            scatter(s0, factor, lanes, jb, out, outAt + e);
        }
    }

    /** Key j's sum (lane j - jb) into out at {@code at} + j · 3d, for the keys that exist. */
    private void scatter(FloatVector sums, float factor, float[] lanes, int jb, float[] out, int at) {
        sums.mul(factor).intoArray(lanes, 0);
        for (int t = 0; t < L && jb + t < n; t++) {
            out[at + (jb + t) * 3 * d] = lanes[t];
        }
    }

    /** Each thread's scratch triangle, grown as needed. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] scratch(int size) {
        float[] s = SCRATCH.get();
        if (s.length < size) {
            s = new float[size];
            SCRATCH.set(s);
        }
        return s;
    }

    /** The weights (and the inputs and outputs) go back to the pool: the backward has run. */
    @Override
    public void release() {
        FloatPool.give(weights);
        FloatPool.give(x);
        FloatPool.give(o);
    }
}
