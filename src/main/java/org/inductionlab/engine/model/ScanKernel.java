package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.stream.IntStream;

/**
 * Mamba's selective scan for training on a CPU as one loop, forward and backward written out by hand: what
 * mamba-ssm's fused kernel does on a GPU. The recurrence is {@link MambaModel#sequentialScan}'s,
 *
 * <pre>
 *   h_t = exp(Δ_t A) h_{t-1} + Δ_t B_t u_t,   y_t = C_t h_t        (h per channel e: N numbers)
 * </pre>
 *
 * but each sequence walks its 255 steps with its (E, N) state in cache, where the libtorch form builds
 * (batch, n, E, N) tensors of decays and inputs, splits them into 255 steps and concatenates the states and
 * every gradient back — memory traffic that was most of a Mamba training step on 2 cores (docs/benchmarks.md,
 * issue 24). The gradients, with g_t = dL/dh_t (from y_t and from h_{t+1}):
 *
 * <pre>
 *   g_t   = C_t gy_t + exp(Δ_{t+1} A) g_{t+1}
 *   dC_t  = Σ_e gy_t h_t                       dB_t = Σ_e g_t Δ_t u_t
 *   du_t  = Σ_n g_t Δ_t B_t                    dA   = Σ_{b,t} g_t h_{t-1} Δ_t exp(Δ_t A)
 *   dΔ_t  = Σ_n g_t (h_{t-1} A exp(Δ_t A) + u_t B_t)
 * </pre>
 *
 * A channel's N states are lanes of the JDK's vector API (8 floats with AVX2: exp too, {@link #exp(FloatVector)});
 * the scalar loop the JIT makes of the same code was no faster than libtorch. Sequences run in parallel.
 * For training the forward keeps every state and decay (2 · batch · n · E · N floats) for the backward;
 * evaluation ({@link #evaluate}) keeps only the last state, to carry into the next block. Checked against
 * the libtorch recurrence (values and every gradient) and the chunked scan in ScanKernelTest. Used where
 * {@link VectorLanes#available()} on a CPU; elsewhere the scan runs in libtorch.
 */
final class ScanKernel implements Tape.Outside {
    /** The CPU's widest float vectors: 8 lanes with AVX2, so a state of N = 16 is two. */
    private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;
    private static final float ROUNDER = 12582912f; // 1.5 * 2^23
    private static final int ROUNDER_BITS = 0x4B400000;

    private final NDArray[] inputs; // u, Δ, A, B, C: what the gradients are for
    private final int batch;
    private final int n;
    private final int e;
    private final int s;
    private final boolean lastOnly;
    private final float[] u;
    private final float[] delta;
    private final float[] a;
    private final float[] b;
    private final float[] c;
    private final float[] h0;     // (batch, E, N) or null: zeros
    private final float[] states; // h_t, (batch, n, E, N)
    private final float[] decays; // exp(Δ_t A), (batch, n, E, N)
    private final float[] y;      // (batch, n, E), or (batch, 1, E) with lastOnly
    private final float[] last;   // evaluation: the state after the last step, (batch, E, N); null in training

    /**
     * Runs the forward scan of u and Δ (batch, n, E), A (E, N), B and C (batch, n, N) from {@code h0}
     * (batch, E, N; null: zeros); with {@code lastOnly} y is kept at the last step only.
     */
    ScanKernel(NDArray u, NDArray delta, NDArray a, NDArray b, NDArray c, NDArray h0, boolean lastOnly) {
        this(u, delta, a, b, c, h0, lastOnly, true);
    }

    /** The same; without {@code forBackward} nothing is kept for a backward, and the last state is. */
    private ScanKernel(NDArray u, NDArray delta, NDArray a, NDArray b, NDArray c, NDArray h0, boolean lastOnly,
                       boolean forBackward) {
        this.inputs = new NDArray[] {u, delta, a, b, c};
        Shape shape = u.getShape();
        this.batch = (int) shape.get(0);
        this.n = (int) shape.get(1);
        this.e = (int) shape.get(2);
        this.s = (int) a.getShape().get(1);
        this.lastOnly = lastOnly;
        this.u = FloatPool.read(u);
        this.delta = FloatPool.read(delta);
        this.a = FloatPool.read(a);
        this.b = FloatPool.read(b);
        this.c = FloatPool.read(c);
        this.h0 = h0 == null ? null : FloatPool.read(h0);
        int size = Math.toIntExact((long) batch * n * e * s);
        this.states = forBackward ? FloatPool.take(size) : null;
        this.decays = forBackward ? FloatPool.take(size) : null;
        this.last = forBackward ? null : new float[batch * e * s];
        this.y = new float[batch * (lastOnly ? 1 : n) * e];
        parallel(this::forward);
    }

    /**
     * Evaluation: y (batch, n, E) and the state after the last step (batch, E, N), from {@code h0} (null:
     * zeros), nothing kept for a backward — memory for one block of tokens whatever the length. The same
     * recurrence as training's, exact where the chunked {@link SelectiveScan} floors each Δ A at -10.
     */
    static NDList evaluate(NDArray u, NDArray delta, NDArray a, NDArray b, NDArray c, NDArray h0) {
        ScanKernel scan = new ScanKernel(u, delta, a, b, c, h0, false, false);
        NDManager m = u.getManager();
        return new NDList(scan.output(m), FloatPool.array(m, scan.last, new Shape(scan.batch, scan.e, scan.s)));
    }

    /** y as an array of {@code m}: (batch, n, E), or (batch, 1, E) with lastOnly. */
    NDArray output(NDManager m) {
        return FloatPool.array(m, y, new Shape(batch, lastOnly ? 1 : n, e));
    }

    @Override
    public NDArray[] inputs() {
        return inputs;
    }

    private void parallel(java.util.function.IntConsumer perSequence) {
        IntStream range = IntStream.range(0, batch);
        (batch > 1 ? range.parallel() : range).forEach(perSequence);
    }

    private void forward(int seq) {
        int vectorEnd = LANES.loopBound(s);
        float[] h = new float[e * s];
        if (h0 != null) {
            System.arraycopy(h0, seq * e * s, h, 0, e * s);
        }
        for (int t = 0; t < n; t++) {
            int row = seq * n + t;                // (seq, t) in (batch, n, ·)
            int stateBase = row * e * s;
            int bc = row * s;
            boolean keepY = !lastOnly || t == n - 1;
            int yBase = (lastOnly ? seq : row) * e;
            for (int ch = 0; ch < e; ch++) {
                float d = delta[row * e + ch];
                float du = d * u[row * e + ch];
                int at = ch * s;
                int hs = stateBase + at;
                FloatVector acc = FloatVector.zero(LANES);
                int k = 0;
                for (; k < vectorEnd; k += LANES.length()) {
                    FloatVector dec = exp(FloatVector.fromArray(LANES, a, at + k).mul(d));
                    FloatVector next = dec.mul(FloatVector.fromArray(LANES, h, at + k))
                            .add(FloatVector.fromArray(LANES, b, bc + k).mul(du));
                    next.intoArray(h, at + k);
                    if (states != null) {
                        dec.intoArray(decays, hs + k);
                        next.intoArray(states, hs + k);
                    }
                    acc = acc.add(next.mul(FloatVector.fromArray(LANES, c, bc + k)));
                }
                float sum = acc.reduceLanes(VectorOperators.ADD);
                for (; k < s; k++) { // states beyond whole vectors (none when N is a multiple of the lanes)
                    float dec = exp(d * a[at + k]);
                    float next = dec * h[at + k] + du * b[bc + k];
                    h[at + k] = next;
                    if (states != null) {
                        decays[hs + k] = dec;
                        states[hs + k] = next;
                    }
                    sum += next * c[bc + k];
                }
                if (keepY) {
                    y[yBase + ch] = sum;
                }
            }
        }
        if (last != null) {
            System.arraycopy(h, 0, last, seq * e * s, e * s);
        }
    }

    /** Gradients for u, Δ, A, B and C from the gradient at y. */
    @Override
    public NDArray[] backward(NDArray gradY) {
        NDManager m = gradY.getManager();
        float[] gy = FloatPool.read(gradY);
        float[] du = new float[u.length];
        float[] dDelta = new float[delta.length];
        float[] dB = new float[b.length];
        float[] dC = new float[c.length];
        float[][] dA = new float[batch][]; // per sequence, summed at the end
        parallel(seq -> dA[seq] = backward(seq, gy, du, dDelta, dB, dC));
        float[] dASum = new float[a.length];
        for (float[] part : dA) {
            for (int i = 0; i < dASum.length; i++) {
                dASum[i] += part[i];
            }
        }
        return new NDArray[] {
            FloatPool.array(m, du, inputs[0].getShape()), FloatPool.array(m, dDelta, inputs[1].getShape()),
            FloatPool.array(m, dASum, inputs[2].getShape()), FloatPool.array(m, dB, inputs[3].getShape()),
            FloatPool.array(m, dC, inputs[4].getShape())};
    }

    private float[] backward(int seq, float[] gy, float[] du, float[] dDelta, float[] dB, float[] dC) {
        int vectorEnd = LANES.loopBound(s);
        float[] g = new float[e * s]; // dL/dh_t, carried back from step t+1 (times its decay)
        float[] zeros = new float[e * s];
        float[] dA = new float[e * s];
        for (int t = n - 1; t >= 0; t--) {
            int row = seq * n + t;
            int stateBase = row * e * s;
            // h_{t-1}: the step before's state, or h0 (zeros where none) at t = 0
            float[] prevArray = t > 0 ? states : h0 == null ? zeros : h0;
            int prevBase = t > 0 ? stateBase - e * s : h0 == null ? 0 : seq * e * s;
            int bc = row * s;
            boolean hasY = !lastOnly || t == n - 1;
            int yBase = (lastOnly ? seq : row) * e;
            for (int ch = 0; ch < e; ch++) {
                float gyv = hasY ? gy[yBase + ch] : 0f;
                float d = delta[row * e + ch];
                float uu = u[row * e + ch];
                float dUu = d * uu;
                int at = ch * s;
                int hs = stateBase + at;
                FloatVector gDecayA = FloatVector.zero(LANES); // Σ_n gDecay A
                FloatVector ghB = FloatVector.zero(LANES);     // Σ_n g B
                int k = 0;
                for (; k < vectorEnd; k += LANES.length()) {
                    FloatVector cv = FloatVector.fromArray(LANES, c, bc + k);
                    FloatVector bv = FloatVector.fromArray(LANES, b, bc + k);
                    FloatVector gh = FloatVector.fromArray(LANES, g, at + k).add(cv.mul(gyv));
                    if (hasY) {
                        FloatVector.fromArray(LANES, dC, bc + k)
                                .add(FloatVector.fromArray(LANES, states, hs + k).mul(gyv)).intoArray(dC, bc + k);
                    }
                    FloatVector dec = FloatVector.fromArray(LANES, decays, hs + k);
                    FloatVector gDecay = gh.mul(FloatVector.fromArray(LANES, prevArray, prevBase + at + k)).mul(dec);
                    gDecayA = gDecayA.add(gDecay.mul(FloatVector.fromArray(LANES, a, at + k)));
                    ghB = ghB.add(gh.mul(bv));
                    FloatVector.fromArray(LANES, dA, at + k).add(gDecay.mul(d)).intoArray(dA, at + k);
                    FloatVector.fromArray(LANES, dB, bc + k).add(gh.mul(dUu)).intoArray(dB, bc + k);
                    gh.mul(dec).intoArray(g, at + k);
                }
                float sumDecayA = gDecayA.reduceLanes(VectorOperators.ADD);
                float sumGB = ghB.reduceLanes(VectorOperators.ADD);
                for (; k < s; k++) {
                    float gh = g[at + k] + gyv * c[bc + k];
                    dC[bc + k] += gyv * states[hs + k];
                    float dec = decays[hs + k];
                    float gDecay = gh * prevArray[prevBase + at + k] * dec; // through exp(Δ A): d/d(Δ A)
                    sumDecayA += gDecay * a[at + k];
                    sumGB += gh * b[bc + k];
                    dA[at + k] += gDecay * d;
                    dB[bc + k] += gh * dUu;
                    g[at + k] = gh * dec;
                }
                dDelta[row * e + ch] = sumDecayA + uu * sumGB;
                du[row * e + ch] = d * sumGB;
            }
        }
        return dA;
    }

    /** The states and decays go back to the pool: the backward has run. */
    @Override
    public void release() {
        if (states != null) {
            FloatPool.give(states);
            FloatPool.give(decays);
        }
    }

    /**
     * e^x in float for x <= 0 (Δ A is never positive), within 2 ulp of Math.exp (ScanKernelTest): Cephes'
     * expf — x = k ln 2 + r with ln 2 in two parts, a degree-5 polynomial in r (multiply-adds, one rounding
     * each: a third fewer instructions in the attention kernel's softmax), 2^k in the exponent bits.
     * Java's Math.exp is a call that works in double; this is what made the forward scan a third faster.
     */
    static float exp(float x) {
        if (x < -87.3f) {
            return 0f; // below the smallest normal float: libtorch would give a subnormal or 0
        }
        float k = (float) Math.floor(x * 1.44269504088896341f + 0.5f);
        float r = Math.fma(k, -0.693359375f, x);
        r = Math.fma(k, 2.12194440e-4f, r);
        float p = Math.fma(1.9875691500e-4f, r, 1.3981999507e-3f);
        p = Math.fma(p, r, 8.3334519073e-3f);
        p = Math.fma(p, r, 4.1665795894e-2f);
        p = Math.fma(p, r, 1.6666665459e-1f);
        p = Math.fma(p, r, 5.0000001201e-1f);
        p = Math.fma(p * r, r, r) + 1f;
        return p * Float.intBitsToFloat(((int) k + 127) << 23);
    }

    /** {@link #exp(float)} lane by lane: the same steps on a vector, lanes below -87.3 set to 0. */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(-87.3f);
        FloatVector z = xc.fma(LOG2E, ROUNDER_LANES); // + 1.5 * 2^23: rounds x log2(e) to an integer k
        IntVector k = z.reinterpretAsInts().sub(ROUNDER_BITS);
        FloatVector kf = z.sub(ROUNDER);
        FloatVector r = kf.fma(MINUS_LN2_HIGH, xc);
        r = kf.fma(MINUS_LN2_LOW, r);
        FloatVector p = r.fma(EXP_P0, EXP_P1);
        p = p.fma(r, EXP_P2);
        p = p.fma(r, EXP_P3);
        p = p.fma(r, EXP_P4);
        p = p.fma(r, EXP_P5);
        p = p.mul(r).fma(r, r).add(1f);
        FloatVector twoToK = k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(twoToK).blend(0f, x.lt(-87.3f));
    }

    // exp's constants as lanes, for its multiply-adds (one rounding each, as the scalar form's Math.fma)
    private static final FloatVector LOG2E = FloatVector.broadcast(LANES, 1.44269504088896341f);
    private static final FloatVector ROUNDER_LANES = FloatVector.broadcast(LANES, ROUNDER);
    private static final FloatVector MINUS_LN2_HIGH = FloatVector.broadcast(LANES, -0.693359375f);
    private static final FloatVector MINUS_LN2_LOW = FloatVector.broadcast(LANES, 2.12194440e-4f);
    private static final FloatVector EXP_P0 = FloatVector.broadcast(LANES, 1.9875691500e-4f);
    private static final FloatVector EXP_P1 = FloatVector.broadcast(LANES, 1.3981999507e-3f);
    private static final FloatVector EXP_P2 = FloatVector.broadcast(LANES, 8.3334519073e-3f);
    private static final FloatVector EXP_P3 = FloatVector.broadcast(LANES, 4.1665795894e-2f);
    private static final FloatVector EXP_P4 = FloatVector.broadcast(LANES, 1.6666665459e-1f);
    private static final FloatVector EXP_P5 = FloatVector.broadcast(LANES, 5.0000001201e-1f);

    /** {@link #exp(FloatVector)} over an array (tests check it against Math.exp). */
    static void exp(float[] in, float[] out) {
        int i = 0;
        for (; i < LANES.loopBound(in.length); i += LANES.length()) {
            exp(FloatVector.fromArray(LANES, in, i)).intoArray(out, i);
        }
        for (; i < in.length; i++) {
            out[i] = exp(in[i]);
        }
    }
}
