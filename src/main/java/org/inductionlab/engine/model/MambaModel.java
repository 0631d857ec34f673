package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import org.inductionlab.engine.config.Hyperparameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Mamba (Gu and Dao 2023, "Mamba: Linear-Time Sequence Modeling with Selective State Spaces"), written out
 * from NDArray operations beside the paper (section 3 and appendix; the reference's {@code mamba_simple.py}
 * for the defaults and the initialisation). No attention and no positional encoding: order comes from the
 * convolution and the recurrence.
 *
 * <pre>
 *   x = Embedding(tokens)                                                    (batch, n, d)
 *   for each layer:  x = x + Mixer(RMSNorm(x))                               (pre-norm residual)
 *   logits = Head(RMSNorm(x) at the last position)
 *
 *   Mixer(h):  [u, z] = h W_in                      u, z: (batch, n, E),  E = expand * d
 *              u = SiLU(causal depthwise Conv1d(u))   width d_conv, one filter per channel
 *              [dt, B, C] = u W_x                   dt: (batch, n, R), B and C: (batch, n, N)
 *              Δ = softplus(dt W_dt + b_dt)         (batch, n, E): a step size per token and channel
 *              A = -exp(A_log)                       (E, N): diagonal, negative, learned
 *              h_t = exp(Δ_t A) h_{t-1} + Δ_t B_t u_t          per channel: a state of N numbers
 *              y_t = C_t h_t + D u_t
 *              out = (y * SiLU(z)) W_out
 * </pre>
 *
 * The selection mechanism is that Δ, B and C depend on the token: with a large Δ a channel forgets and
 * writes the current token, with a small one it keeps what it holds — how Mamba remembers the token after
 * the first S across any distance. Initialisation as the reference: A_log = log(1..N) per channel, D = 1,
 * the dt bias the inverse softplus of Δ drawn log-uniformly in [dt_min, dt_max] (the paper: [0.001, 0.1]),
 * the dt weights U(±R^-1/2),
 * the other linear layers PyTorch's defaults, the out-projection rescaled by 1/sqrt(layers), the embedding
 * N(0, 0.02).
 *
 * <p>Training runs the recurrence as written, one step at a time ({@link #sequentialScan}, every step's
 * decay and input computed for the whole sequence first): measured on a 2-core CPU, its backward through
 * 255 small steps costs less than the structured form's passes over large tensors. Evaluation, where the
 * sequence may be 2^20 long, computes it by {@link #scan} in chunks of {@value #CHUNK} steps: within a chunk every
 * state is exp(cum_t) (h_start + Σ_{s≤t} exp(-cum_s) Δ_s B_s u_s), with cum the running sum of Δ A — two
 * cumulative sums instead of {@value #CHUNK} sequential steps, every exponent measured from the chunk's
 * middle. The exp(-cum) factor must stay finite in float (DJL's type conversion does not carry
 * gradients, so no doubles): each step's Δ A is floored at
 * -{@value #FLOOR}, a decay of e^-10 = 4.5e-5 that lets at most that much of the old state through where
 * the exact one would let less. Across chunks the last state is carried. {@link #sequentialScan} is the
 * yardstick the tests compare it with (values and gradients to 1e-4). Evaluation runs the whole stack over blocks of
 * {@value #EVAL_TOKENS} tokens (over the batch), carrying each layer's convolution window and state and
 * freeing each chunk's intermediates, so memory stays bounded at any length (never a (batch, n, E, N) tensor: at 2^20 that would be 8 GiB).
 */
public final class MambaModel implements SequenceModel {

    /** Steps per chunk of the scan. */
    static final int CHUNK = 16;
    /** Floor of each step's Δ A, so that exp(CHUNK / 2 * FLOOR) stays within float range (e^80 of e^88). */
    static final double FLOOR = 10;
    /**
     * Tokens (over the whole batch) per block of the evaluation pass: 2^10, so a block's (tokens, E, N)
     * tensors (8 MiB) stay near the cache. Measured (docs/benchmarks.md): 8 x 2^16 tokens in 15.5 s at
     * 2^10, 17.6 s at 2^12..2^14, where the memory grows from 0.6 to 3.7 GB.
     */
    static final int EVAL_TOKENS = 1 << 10;
    /**
     * Tokens an evaluation pass may hold (over its batch): the blocks bound the activations, so this bounds
     * only the tokens themselves (64 MiB of ids at 2^23).
     */
    public static final int EVAL_PASS_TOKENS = 1 << 23;
    /** Sequences an evaluation pass may hold: a scan chunk is (batch, 16, E, N), 8 MiB at 64 x 16 x 128 x 16. */
    public static final int EVAL_BATCH = 64;

    /** Positions per block of the evaluation pass for {@code batch} sequences: a multiple of CHUNK. */
    static int blockLength(long batch) {
        long per = Math.max(CHUNK, EVAL_TOKENS / Math.max(1, batch));
        return (int) (per / CHUNK * CHUNK);
    }

    private final Hyperparameters hp;
    private final NDManager manager;
    private final Parameters parameters = new Parameters();
    private final List<Layer> layers = new ArrayList<>();
    private final NDArray embedding;
    private final NDArray finalNorm;
    private final NDArray headWeight;
    private final NDArray headBias;
    private final int inner;   // E
    private final int state;   // N
    private final int rank;    // R
    private final int conv;    // d_conv

    /** One Mamba block's weights. Linear weights are (out, in) like PyTorch's. */
    private record Layer(NDArray norm, NDArray inProj, NDArray convWeight, NDArray convBias, NDArray xProj,
                         NDArray dtWeight, NDArray dtBias, NDArray aLog, NDArray d, NDArray outProj) {}

    public MambaModel(Hyperparameters hp, NDManager parent) {
        this.hp = hp.validated();
        this.manager = parent.newSubManager();
        SplittableRandom init = new SplittableRandom(hp.seed() ^ 0x3A3BA5L);
        int d = hp.dModel();
        inner = hp.expand() * d;
        state = hp.dState();
        rank = hp.dtRankOrAuto();
        conv = hp.dConv();

        embedding = add("embedding.weight", Initializers.normal(manager, new Shape(hp.tokenCount(), d), 0.02, init));
        for (int l = 0; l < hp.layers(); l++) {
            String p = "layers." + l + ".";
            float[] aLog = new float[inner * state];
            for (int e = 0; e < inner; e++) {
                for (int n = 0; n < state; n++) {
                    aLog[e * state + n] = (float) Math.log(initialDecayRate(n));
                }
            }
            layers.add(new Layer(
                    add(p + "norm.weight", Initializers.constant(manager, new Shape(d), 1f)),
                    add(p + "in_proj.weight", Initializers.uniform(manager, new Shape(2L * inner, d), 1 / Math.sqrt(d), init)),
                    add(p + "conv.weight", Initializers.uniform(manager, new Shape(inner, conv), 1 / Math.sqrt(conv), init)),
                    add(p + "conv.bias", Initializers.uniform(manager, new Shape(inner), 1 / Math.sqrt(conv), init)),
                    add(p + "x_proj.weight", Initializers.uniform(manager, new Shape(rank + 2L * state, inner),
                            1 / Math.sqrt(inner), init)),
                    add(p + "dt_proj.weight", Initializers.uniform(manager, new Shape(inner, rank), 1 / Math.sqrt(rank), init)),
                    add(p + "dt_proj.bias", dtBias(init)),
                    add(p + "A_log", manager.create(aLog, new Shape(inner, state))),
                    add(p + "D", Initializers.constant(manager, new Shape(inner), 1f)),
                    // PyTorch's default, then scaled by 1/sqrt(layers) as the reference's residual rescaling
                    add(p + "out_proj.weight", Initializers.uniform(manager, new Shape(d, inner),
                            1 / Math.sqrt(inner) / Math.sqrt(hp.layers()), init))));
        }
        finalNorm = add("final_norm.weight", Initializers.constant(manager, new Shape(d), 1f));
        headWeight = add("head.weight", Initializers.uniform(manager, new Shape(hp.tokenCount(), d), 1 / Math.sqrt(d), init));
        headBias = add("head.bias", Initializers.uniform(manager, new Shape(hp.tokenCount()), 1 / Math.sqrt(d), init));
        parameters.requireGradients();
    }

    /**
     * |A| of state number {@code n} at the start: evenly spaced from a_min to a_max (the reference: 1..N,
     * which a_min 1 and a_max 0 = N give exactly).
     */
    private double initialDecayRate(int n) {
        double lo = hp.aMin();
        double hi = hp.aMaxOrAuto();
        return state == 1 ? lo : lo + (hi - lo) * n / (state - 1);
    }

    /**
     * The dt bias: softplus^-1 of Δ drawn log-uniformly in [dt_min, dt_max] (the reference: [0.001, 0.1],
     * floored at 1e-4; the floor is min(1e-4, dt_min) so that a smaller dt_min is kept), per channel.
     */
    private NDArray dtBias(SplittableRandom init) {
        float[] b = new float[inner];
        double lo = Math.log(hp.dtMin());
        double hi = Math.log(hp.dtMax());
        for (int e = 0; e < inner; e++) {
            double dt = Math.exp(init.nextDouble() * (hi - lo) + lo);
            dt = Math.max(dt, Math.min(1e-4, hp.dtMin()));
            b[e] = (float) (dt + Math.log(-Math.expm1(-dt))); // inverse of softplus
        }
        return manager.create(b, new Shape(inner));
    }

    private NDArray add(String name, NDArray array) {
        return parameters.add(name, array);
    }

    @Override
    public Hyperparameters hyperparameters() {
        return hp;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return parameters.all();
    }

    @Override
    public int maxLength() {
        return Integer.MAX_VALUE; // no positional table: any length
    }

    @Override
    public ai.djl.Device device() {
        return manager.getDevice();
    }

    /**
     * Logits for the token after the last input, (batch, V+1). Training runs every layer over the whole
     * sequence (backward needs it); evaluation runs the stack block by block with carried state.
     */
    @Override
    public NDArray forward(NDArray tokens, ForwardPass pass) {
        NDManager m = tokens.getManager();
        int n = (int) tokens.getShape().get(1);
        if (pass.training() || pass.recorder() != null) {
            NDArray x = embed(tokens);
            for (int l = 0; l < layers.size(); l++) {
                x = x.add(mixer(layers.get(l), l, rmsNorm(x, layers.get(l).norm()), null, pass));
            }
            return head(x.get(m, new NDIndex(":, -1, :")));
        }
        long batch = tokens.getShape().get(0);
        int blockLength = blockLength(batch);
        Carry[] carry = new Carry[layers.size()];
        NDArray last = null;
        for (int t0 = 0; t0 < n; t0 += blockLength) {
            int t1 = Math.min(n, t0 + blockLength);
            try (NDManager block = m.newSubManager()) {
                NDArray x = embed(tokens.get(block, new NDIndex(":, " + t0 + ":" + t1)));
                for (int l = 0; l < layers.size(); l++) {
                    if (carry[l] == null) {
                        carry[l] = Carry.empty(m, batch, inner, state, conv);
                    }
                    // each layer's intermediates go as soon as the next layer's input exists
                    try (NDManager layer = block.newSubManager()) {
                        x.tempAttach(layer);
                        NDArray next = x.add(mixer(layers.get(l), l, rmsNorm(x, layers.get(l).norm()), carry[l], pass));
                        next.attach(block);
                        x = next;
                    }
                }
                NDArray keep = x.get(new NDIndex(":, -1, :"));
                keep.attach(m);
                if (last != null) {
                    last.close();
                }
                last = keep;
            }
        }
        return head(last);
    }

    private NDArray embed(NDArray tokens) {
        return Embedding.embedding(tokens, embedding, ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow();
    }

    private NDArray head(NDArray x) {
        return Linear.linear(rmsNorm(x, finalNorm), headWeight, headBias).singletonOrThrow();
    }

    /** RMSNorm: x / sqrt(mean(x^2) + 1e-5) * weight. */
    private static NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray ms = x.square().mean(new int[] {-1}, true).add(x.getManager().full(new Shape(), 1e-5f));
        return x.div(ms.sqrt()).mul(weight);
    }

    /**
     * What a block carries from one block of tokens to the next at evaluation: the last d_conv - 1 inputs
     * of its convolution, (batch, d_conv - 1, E), and the scan's state, (batch, E, N).
     */
    private static final class Carry {
        NDArray window;
        NDArray h;

        static Carry empty(NDManager m, long batch, int inner, int state, int conv) {
            Carry c = new Carry();
            c.window = m.zeros(new Shape(batch, conv - 1, inner));
            c.h = m.zeros(new Shape(batch, inner, state));
            return c;
        }
    }

    /** What the selection mechanism makes of one block's input: u and z (batch, n, E), Δ (batch, n, E), B and C (batch, n, N). */
    private record Selection(NDArray u, NDArray z, NDArray delta, NDArray b, NDArray c) {}

    /** [u, z] = h W_in, u through the convolution, then Δ, B and C from u: the token-dependent part of the mixer. */
    private Selection select(Layer w, NDArray h, Carry carry) {
        NDManager m = h.getManager();
        NDList uz = Linear.linear(h, w.inProj()).singletonOrThrow().split(2, 2);
        NDArray u = silu(causalConv(w, uz.get(0), carry));
        NDArray dbc = Linear.linear(u, w.xProj()).singletonOrThrow(); // (batch, n, R + 2N)
        NDArray dt = dbc.get(m, new NDIndex(":, :, 0:" + rank));
        NDArray b = dbc.get(m, new NDIndex(":, :, " + rank + ":" + (rank + state)));
        NDArray c = dbc.get(m, new NDIndex(":, :, " + (rank + state) + ":"));
        NDArray delta = softplus(Linear.linear(dt, w.dtWeight(), w.dtBias()).singletonOrThrow());
        return new Selection(u, uz.get(1), delta, b, c);
    }

    /**
     * Every layer's step sizes Δ on {@code tokens}, (batch, n, E) each, and its decay rates A, (E, N): a
     * channel e keeps a fraction exp(Σ_t Δ_t[e] A[e, n]) of what it wrote — what the memory probe reads.
     * Whole-sequence pass: for probe lengths, not 2^20.
     */
    public List<NDArray[]> timescales(NDArray tokens) {
        List<NDArray[]> out = new ArrayList<>();
        NDArray x = embed(tokens);
        ForwardPass pass = ForwardPass.evaluation(Long.MAX_VALUE);
        for (int l = 0; l < layers.size(); l++) {
            Layer w = layers.get(l);
            out.add(new NDArray[] {select(w, rmsNorm(x, w.norm()), null).delta(), w.aLog().exp().neg()});
            x = x.add(mixer(w, l, rmsNorm(x, w.norm()), null, pass));
        }
        return out;
    }

    /** The mixer of block {@code index} on (batch, n, d); {@code carry} null means the sequence starts here. */
    private NDArray mixer(Layer w, int index, NDArray h, Carry carry, ForwardPass pass) {
        NDManager m = h.getManager();
        Selection sel = select(w, h, carry);
        NDArray u = sel.u();
        NDArray z = sel.z();
        NDArray b = sel.b();
        NDArray c = sel.c();
        NDArray delta = sel.delta();
        NDArray a = w.aLog().exp().neg();
        NDArray y;
        if (carry == null && pass.training()) {
            // backward through the plain recurrence: the faster here; with state noise from a random state
            y = sequentialScan(u, delta, a, b, c, hp.stateNoise() > 0 ? stateNoise(m, u, hp.stateNoise()) : null);
        } else if (carry == null) {
            y = scan(u, delta, a, b, c, null, true).get(0);
        } else {
            NDList r = scan(u, delta, a, b, c, carry.h, true);
            y = r.get(0);
            NDArray next = r.get(1);
            next.attach(carry.h.getManager());
            carry.h.close();
            carry.h = next;
        }
        if (pass.recorder() != null) {
            int n = (int) u.getShape().get(1);
            pass.recorder().record(index, pass.lastQueryOnly() ? lastRowMaps(delta, a, b, c)
                    : hiddenAttentionMaps(u, delta, a, b, c), 0, pass.lastQueryOnly() ? n - 1 : 0);
        }
        y = y.add(u.mul(w.d()));
        if (pass.ablates(index)) { // a channel group ablated contributes nothing to the out-projection
            float[] keep = new float[inner];
            int per = inner / hp.heads();
            for (int e = 0; e < inner; e++) {
                keep[e] = pass.ablated()[index][Math.min(e / per, hp.heads() - 1)] ? 0 : 1;
            }
            y = y.mul(m.create(keep, new Shape(1, 1, inner)));
        }
        return Linear.linear(y.mul(silu(z)), w.outProj()).singletonOrThrow();
    }

    /**
     * Causal depthwise convolution over time: out_t = bias + Σ_k w[k] u_{t-(K-1)+k}, zeros (or the carried
     * window) before the start — PyTorch's Conv1d(groups=E, padding=K-1) cut to the first n outputs.
     */
    private NDArray causalConv(Layer w, NDArray u, Carry carry) {
        NDManager m = u.getManager();
        long batch = u.getShape().get(0);
        int n = (int) u.getShape().get(1);
        NDArray before = carry == null ? m.zeros(new Shape(batch, conv - 1, inner)) : carry.window;
        NDArray padded = before.concat(u, 1); // (batch, n + K - 1, E)
        padded.attach(m); // results join their first operand's manager: not the long-lived carry's
        if (carry != null) {
            // a copy: a view would keep this whole block's padded input alive as long as the carry lives
            NDArray window = padded.get(new NDIndex(":, " + n + ":, :")).duplicate();
            window.attach(carry.window.getManager());
            carry.window.close(); // concat copied it
            carry.window = window;
        }
        NDArray out = null;
        for (int k = 0; k < conv; k++) {
            NDArray tap = padded.get(m, new NDIndex(":, " + k + ":" + (k + n) + ", :"))
                    .mul(w.convWeight().get(m, new NDIndex(":, " + k)));
            out = out == null ? tap : out.add(tap);
        }
        return out.add(w.convBias());
    }

    private static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /**
     * softplus(x) = log(1 + e^x), as PyTorch computes it (log1p, so a Δ of 1e-7 is not rounded to the float
     * spacing near 1: written as max(x, 0) + log(1 + e^-|x|) in float it was off by up to 10 % at 1e-6).
     */
    private static NDArray softplus(NDArray x) {
        return Activation.softPlus(x);
    }

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

    // ---- the hidden attention -------------------------------------------------------------------------

    /**
     * Mamba's hidden attention (Ali, Zimerman and Wolf 2024): unrolled, the scan is a causal linear
     * operator per channel e, y_i = Σ_{j≤i} α[e, i, j] u_j with
     * α[e, i, j] = Σ_n C_i[n] exp(Σ_{k=j+1..i} Δ_k[e] A[e, n]) Δ_j[e] B_j[n]. Returns α of channels
     * [e0, e1), (batch, e1 - e0, n, n), zero above the diagonal; same floor on Δ A as {@link #scan}.
     */
    static NDArray hiddenAttention(NDArray delta, NDArray a, NDArray b, NDArray c, int e0, int e1) {
        NDManager m = delta.getManager();
        int n = (int) delta.getShape().get(1);
        NDArray floor = m.full(new Shape(), (float) -FLOOR);
        NDArray dl = delta.get(m, new NDIndex(":, :, " + e0 + ":" + e1));                     // (batch, n, G)
        NDArray cum = dl.expandDims(3).mul(a.get(m, new NDIndex(e0 + ":" + e1))).maximum(floor)
                .toType(DataType.FLOAT64, false).cumSum(1).transpose(0, 2, 1, 3);           // (batch, G, n, N)
        NDArray diff = cum.expandDims(3).sub(cum.expandDims(2));                          // (batch, G, i, j, N)
        NDArray zero = m.zeros(new Shape(), DataType.FLOAT64);
        NDArray decay = diff.minimum(zero).exp();            // exp(cum_i - cum_j), j ≤ i (above: masked below)
        NDArray cb = c.expandDims(2).mul(b.expandDims(1)).toType(DataType.FLOAT64, false);  // (batch, i, j, N)
        NDArray alpha = decay.mul(cb.expandDims(1)).sum(new int[] {4})                     // (batch, G, i, j)
                .mul(dl.transpose(0, 2, 1).expandDims(2).toType(DataType.FLOAT64, false));  // times Δ_j
        double[] keep = new double[n * n]; // j ≤ i
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(keep, i * n, i * n + i + 1, 1);
        }
        NDArray causal = m.create(keep, new Shape(n, n));
        return alpha.mul(causal).toType(DataType.FLOAT32, false);
    }

    /**
     * What the Attention page shows for a Mamba layer: for each of the {@code heads} groups of E/heads
     * channels, the mean |α| over its channels, each row scaled to sum to 1 — the share of the influence
     * on position i that comes from position j. (batch, heads, n, n).
     */
    private NDArray hiddenAttentionMaps(NDArray u, NDArray delta, NDArray a, NDArray b, NDArray c) {
        NDManager m = u.getManager();
        int n = (int) u.getShape().get(1);
        long batch = u.getShape().get(0);
        int groups = hp.heads();
        int per = inner / groups;
        int step = (int) Math.max(1, Math.min(per, (8L << 20) / Math.max(1, batch * n * (long) n * state)));
        List<NDArray> maps = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            NDArray sum = null;
            for (int e0 = g * per; e0 < (g + 1) * per; e0 += step) {
                NDArray part = hiddenAttention(delta, a, b, c, e0, Math.min((g + 1) * per, e0 + step)).abs()
                        .sum(new int[] {1});
                sum = sum == null ? part : sum.add(part);
            }
            NDArray rows = sum.sum(new int[] {2}, true).maximum(m.full(new Shape(), 1e-30f));
            maps.add(sum.div(rows).expandDims(1));
        }
        return NDArrays.concat(new NDList(maps), 1);
    }

    /** {@link #hiddenAttentionMaps} for the final query alone, (batch, heads, 1, n): cheap at any n. */
    private NDArray lastRowMaps(NDArray delta, NDArray a, NDArray b, NDArray c) {
        NDManager m = delta.getManager();
        long batch = delta.getShape().get(0);
        int n = (int) delta.getShape().get(1);
        NDArray cum = delta.expandDims(3).mul(a).maximum(m.full(new Shape(), (float) -FLOOR))
                .toType(DataType.FLOAT64, false).cumSum(1);                                // (batch, n, E, N)
        NDArray decay = cum.get(m, new NDIndex(":, -1:, :, :")).sub(cum).exp();             // exp(cum_last - cum_j)
        NDArray cb = b.mul(c.get(m, new NDIndex(":, -1:, :"))).expandDims(2).toType(DataType.FLOAT64, false);
        NDArray alpha = decay.mul(cb).sum(new int[] {3}).toType(DataType.FLOAT32, false).mul(delta).abs(); // (batch, n, E)
        NDArray groups = alpha.reshape(batch, n, hp.heads(), inner / hp.heads()).mean(new int[] {3}); // (batch, n, heads)
        NDArray rows = groups.sum(new int[] {1}, true).maximum(m.full(new Shape(), 1e-30f));
        return groups.div(rows).transpose(0, 2, 1).expandDims(2);
    }

    /** No scaling: the scan multiplies by decays up to e^80, and a gradient scaled by 2^50 overflowed there. */
    @Override
    public double lossScale() {
        return 1;
    }

    @Override
    public boolean recordsAttention() {
        return true; // the hidden attention, one map per group of channels
    }

    /**
     * The recurrence one step at a time, as the paper writes it: h_t = exp(Δ_t A) h_{t-1} + Δ_t B_t u_t,
     * y_t = C_t h_t, from h_{-1} = 0, every step's decay and input computed for the whole sequence first.
     * Training runs this (no floor on Δ A: exp of a negative number never overflows), and it is the
     * yardstick for {@link #scan}. On a 2-core CPU its 255 small steps forward and back cost less than the
     * chunked form's dozen passes over (batch, 16, E, N) chunks: a training step of the paper's recipe went
     * from 224-240 to 160-178 ms (docs/benchmarks.md) — DJL's calls are cheap next to memory traffic here.
     */
    static NDArray sequentialScan(NDArray u, NDArray delta, NDArray a, NDArray b, NDArray c) {
        return sequentialScan(u, delta, a, b, c, null);
    }

    /**
     * State noise (Buitrago, Gu et al. 2025, "Understanding and improving length generalization in recurrent
     * models"): the state before the first step drawn from N(0, sigma²), (batch, E, N), so that training
     * meets states other than zeros — as after a long input.
     */
    private NDArray stateNoise(NDManager m, NDArray u, double sigma) {
        return m.randomNormal(0, (float) sigma, new Shape(u.getShape().get(0), inner, state), DataType.FLOAT32);
    }

    /** {@link #sequentialScan} from the state {@code h0} (batch, E, N); null: zeros. */
    static NDArray sequentialScan(NDArray u, NDArray delta, NDArray a, NDArray b, NDArray c, NDArray h0) {
        int n = (int) u.getShape().get(1);
        NDArray decay = delta.expandDims(3).mul(a).exp();                          // exp(Δ_t A): (batch, n, E, N)
        NDArray input = delta.mul(u).expandDims(3).mul(b.expandDims(2));           // Δ_t B_t u_t
        NDList decays = steps(decay, n);
        NDList inputs = steps(input, n);
        List<NDArray> states = new ArrayList<>();
        NDArray h = null;
        for (int t = 0; t < n; t++) {
            h = t == 0 && h0 == null ? inputs.get(0)
                    : decays.get(t).mul(t == 0 ? h0.expandDims(1) : h).add(inputs.get(t));
            states.add(h);
        }
        NDArray all = states.size() == 1 ? states.get(0) : NDArrays.concat(new NDList(states), 1);
        return all.matMul(c.expandDims(3)).squeeze(3);                               // y_t = C_t h_t
    }

    /** x (batch, n, ...) as n pieces (batch, 1, ...) along time. */
    private static NDList steps(NDArray x, int n) {
        // split() into one piece hands back an array without its gradient history (DJL 0.36): keep x itself
        return n == 1 ? new NDList(x) : x.split(n, 1);
    }

    @Override
    public void close() {
        manager.close();
    }

    @Override
    public void load(Map<String, NDArray> values) {
        parameters.load(values);
    }
}
