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
 * 255 small steps costs less than the structured form's passes over large tensors. The machinery beside
 * this file: evaluation, where the sequence may be 2^20 long, runs the stack block by block with carried
 * state ({@link MambaEvaluation}) through the chunked scan ({@link SelectiveScan}); a pass that records
 * attention gets the hidden attention ({@link MambaHiddenAttention}).
 */
public final class MambaModel implements SequenceModel {

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
        if (pass.training() && pass.tape() != null && pass.recorder() == null && javaScan(manager)) {
            return forwardOnTape(tokens, pass);
        }
        if (pass.training() || pass.recorder() != null) {
            NDArray x = embed(tokens);
            int last = layers.size() - 1;
            for (int l = 0; l < last; l++) {
                x = x.add(mixer(layers.get(l), l, rmsNorm(x, layers.get(l).norm()), null, pass));
            }
            // the last block serves the last position only: its scan runs the whole recurrence but reads C h
            // (and everything after the scan) at the end alone
            boolean lastOnly = pass.lastQueryOnly() && pass.recorder() == null;
            NDArray out = mixer(layers.get(last), last, rmsNorm(x, layers.get(last).norm()), null, pass, lastOnly);
            x = lastOnly ? x.get(m, new NDIndex(":, -1:, :")).add(out) : x.add(out);
            return head(x.get(m, new NDIndex(":, -1, :")));
        }
        return MambaEvaluation.forward(this, tokens, pass);
    }

    /**
     * Training on a CPU with the scan as one loop in Java ({@link ScanKernel}): the same model and the same
     * gradients as the libtorch path above, the pass cut at each scan ({@link Tape}); each block's residual
     * stream, u and z cross the cut beside the scan's y. The last block serves the last position only.
     */
    private NDArray forwardOnTape(NDArray tokens, ForwardPass pass) {
        NDManager m = tokens.getManager();
        NDArray x = embed(tokens);
        int last = layers.size() - 1;
        for (int l = 0; l <= last; l++) {
            Layer w = layers.get(l);
            boolean lastOnly = l == last && pass.lastQueryOnly();
            Selection sel = select(w, rmsNorm(x, w.norm()), null);
            NDArray a = w.aLog().exp().neg();
            NDArray h0 = hp.stateNoise() > 0 ? stateNoise(m, sel.u(), hp.stateNoise()) : null;
            ScanKernel scan = new ScanKernel(sel.u(), sel.delta(), a, sel.b(), sel.c(), h0, lastOnly);
            NDList next = pass.tape().cross(scan, scan.output(m), x, sel.u(), sel.z());
            NDArray y = next.get(0);
            x = next.get(1);
            NDArray u = next.get(2);
            NDArray z = next.get(3);
            if (lastOnly) {
                NDIndex end = new NDIndex(":, -1:, :");
                x = x.get(m, end);
                u = u.get(m, end);
                z = z.get(m, end);
            }
            x = x.add(mixerOut(w, l, y, u, z, pass));
        }
        return head(x.get(m, new NDIndex(":, -1, :")));
    }

    NDArray embed(NDArray tokens) {
        return Embedding.embedding(tokens, embedding, ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow();
    }

    NDArray head(NDArray x) {
        return Linear.linear(rmsNorm(x, finalNorm), headWeight, headBias).singletonOrThrow();
    }

    int layerCount() {
        return layers.size();
    }

    /** Block {@code l} on x (batch, n, d): x + Mixer(RMSNorm(x)), the mixer carrying its state in {@code carry}. */
    NDArray block(int l, NDArray x, MambaEvaluation.Carry carry, ForwardPass pass) {
        return x.add(mixer(layers.get(l), l, rmsNorm(x, layers.get(l).norm()), carry, pass));
    }

    /** A block's carry before the first token: zeros. */
    MambaEvaluation.Carry emptyCarry(NDManager m, long batch) {
        return MambaEvaluation.Carry.empty(m, batch, inner, state, conv);
    }

    /** RMSNorm: x / sqrt(mean(x^2) + 1e-5) * weight. */
    private static NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray ms = x.square().mean(new int[] {-1}, true).add(x.getManager().full(new Shape(), 1e-5f));
        return x.div(ms.sqrt()).mul(weight);
    }

    /** What the selection mechanism makes of one block's input: u and z (batch, n, E), Δ (batch, n, E), B and C (batch, n, N). */
    private record Selection(NDArray u, NDArray z, NDArray delta, NDArray b, NDArray c) {}

    /** [u, z] = h W_in, u through the convolution, then Δ, B and C from u: the token-dependent part of the mixer. */
    private Selection select(Layer w, NDArray h, MambaEvaluation.Carry carry) {
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
    private NDArray mixer(Layer w, int index, NDArray h, MambaEvaluation.Carry carry, ForwardPass pass) {
        return mixer(w, index, h, carry, pass, false);
    }

    /** The same; with {@code lastOnly} (training) its output at the last position only, (batch, 1, d). */
    private NDArray mixer(Layer w, int index, NDArray h, MambaEvaluation.Carry carry, ForwardPass pass,
                          boolean lastOnly) {
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
            NDArray h0 = hp.stateNoise() > 0 ? stateNoise(m, u, hp.stateNoise()) : null;
            if (lastOnly) {
                NDIndex end = new NDIndex(":, -1:, :");
                y = lastScan(u, delta, a, b, c, h0);
                u = u.get(m, end);
                z = z.get(m, end);
            } else {
                y = sequentialScan(u, delta, a, b, c, h0);
            }
        } else if (carry == null) {
            y = javaScan(m) ? ScanKernel.evaluate(u, delta, a, b, c, null).get(0)
                    : SelectiveScan.scan(u, delta, a, b, c, null, true).get(0);
        } else {
            // evaluation, block by block: the Java loop where it runs (no (tokens, E, N) tensors at all)
            NDList r = javaScan(m) ? ScanKernel.evaluate(u, delta, a, b, c, carry.h)
                    : SelectiveScan.scan(u, delta, a, b, c, carry.h, true);
            y = r.get(0);
            NDArray next = r.get(1);
            next.attach(carry.h.getManager());
            carry.h.close();
            carry.h = next;
        }
        if (pass.recorder() != null) {
            int n = (int) u.getShape().get(1);
            pass.recorder().record(index, pass.lastQueryOnly() ? MambaHiddenAttention.lastRow(delta, a, b, c, hp.heads())
                    : MambaHiddenAttention.maps(u, delta, a, b, c, hp.heads()), 0, pass.lastQueryOnly() ? n - 1 : 0);
        }
        return mixerOut(w, index, y, u, z, pass);
    }

    /** Whether the scan runs as {@link ScanKernel}'s loop in Java: on a CPU, with the vector API at hand. */
    private static boolean javaScan(NDManager m) {
        return VectorLanes.available() && !m.getDevice().isGpu();
    }

    /** The mixer after its scan: (y + D u) * SiLU(z), an ablated channel group zeroed, through W_out. */
    private NDArray mixerOut(Layer w, int index, NDArray y, NDArray u, NDArray z, ForwardPass pass) {
        NDManager m = y.getManager();
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
    private NDArray causalConv(Layer w, NDArray u, MambaEvaluation.Carry carry) {
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
     * yardstick for {@link SelectiveScan#scan}. On a 2-core CPU its 255 small steps forward and back cost less than the
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

    /**
     * {@link #sequentialScan}'s y at the last step only, (batch, 1, E): the same recurrence, but no step's
     * state is kept past the next one, and C h is read at the end alone (the last block in training, whose
     * later positions nothing reads: the states' concatenation and the product with C were a fifth of a step).
     */
    static NDArray lastScan(NDArray u, NDArray delta, NDArray a, NDArray b, NDArray c, NDArray h0) {
        NDManager m = u.getManager();
        int n = (int) u.getShape().get(1);
        NDArray decay = delta.expandDims(3).mul(a).exp();                          // exp(Δ_t A): (batch, n, E, N)
        NDArray input = delta.mul(u).expandDims(3).mul(b.expandDims(2));           // Δ_t B_t u_t
        NDList decays = steps(decay, n);
        NDList inputs = steps(input, n);
        NDArray h = h0 == null ? inputs.get(0) : decays.get(0).mul(h0.expandDims(1)).add(inputs.get(0));
        for (int t = 1; t < n; t++) {
            h = decays.get(t).mul(h).add(inputs.get(t));
        }
        NDArray cLast = c.get(m, new NDIndex(":, -1:, :"));                         // (batch, 1, N)
        return h.matMul(cLast.expandDims(3)).squeeze(3);                            // (batch, 1, E)
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