package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import org.inductionlab.engine.config.AttentionScale;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.Norm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The course's decoder-only Transformer, written out from NDArray operations so every step is visible.
 *
 * <pre>
 *   x  = Embedding(tokens) * sqrt(d) + PositionalEncoding        (batch, n, d)
 *   for each layer:                                               (Vaswani et al. 2017, sec. 3)
 *       post-norm: x = LN1(x + Attention(x));     x = LN2(x + FF(x))
 *       pre-norm:  x = x + Attention(LN1(x));     x = x + FF(LN2(x))
 *   logits = Head(x at the last position)   (pre-norm applies a final LN first)
 *
 *   Attention(h): per head, q k v = h W_Q, h W_K, h W_V;  A = softmax(q k^T / sqrt(d_head) + causal mask);
 *                 heads' A v concatenated and projected by W_O.                  (Olsson et al. 2022, sec. 2)
 *                 Position may also act here, layer by layer (AttentionPositions): q and k turned (rotary,
 *                 xPos), or a term added to the scores (ALiBi's -m_h (i - j), a hard local window); and
 *                 with attention_scale log_length the scores of a query that sees n keys are also
 *                 multiplied by ln(n) / ln(train_length) (Nakanishi 2025).
 *   FF(h)       = W_2 relu(W_1 h)   with hidden width ff_mult * d.
 * </pre>
 *
 * Dropout (training only) follows the embeddings, the attention weights, the ReLU, and each sub-layer's
 * output, as in the reference implementation.
 *
 * <p>Two things make the efficient path cheaper than the textbook, with the same result (tested to
 * 1e-4, gradients included): only the last token is scored, so the last layer computes its query,
 * attention row and MLP for the final position alone (keys and values still cover every token); and
 * softmax(q k^T / sqrt(d_head) + mask) v is computed by {@link CausalAttention} in causal blocks and
 * tiles, so evaluation memory grows with n * tile instead of n^2. {@link ForwardPass#full()} computes
 * everything and is the yardstick.
 *
 * <p>Not thread-safe: use one instance per thread (load a run twice to train and inspect at once).
 */
public final class TransformerModel implements SequenceModel {

    private final Hyperparameters hp;
    private final NDManager manager;
    private final Parameters parameters = new Parameters();
    private final PositionalEncoding positions;
    private final List<AttentionPositions> attentionPositions = new ArrayList<>();
    private final List<Layer> layers = new ArrayList<>();
    private final NDArray embedding;
    private final NDArray finalNormGamma;
    private final NDArray finalNormBeta;
    private final NDArray headWeight;
    private final NDArray headBias;
    /** Training's step, for clamps that act in a range of steps; -1 outside training (open-ended clamps act). */
    private long trainingStep = -1;

    /** One Transformer block's weights. Linear weights are (out, in) like PyTorch's. */
    private record Layer(
            NDArray qkvWeight, NDArray qkvBias,     // W_Q, W_K, W_V stacked: (3d, d); heads are consecutive slices
            NDArray outWeight, NDArray outBias,     // W_O: (d, d)
            NDArray norm1Gamma, NDArray norm1Beta,
            NDArray ff1Weight, NDArray ff1Bias,     // (ff_mult*d, d)
            NDArray ff2Weight, NDArray ff2Bias,     // (d, ff_mult*d)
            NDArray norm2Gamma, NDArray norm2Beta) {}

    /** A freshly initialised model on the manager's device, weights drawn from {@code hp.seed()}. */
    public TransformerModel(Hyperparameters hp, NDManager parent) {
        this.hp = hp.validated();
        this.manager = parent.newSubManager();
        SplittableRandom init = new SplittableRandom(hp.seed() ^ 0x5DEECE66DL);
        int d = hp.dModel();
        int ff = hp.ffMult() * d;

        embedding = add("embedding.weight", Initializers.normal(manager, new Shape(hp.tokenCount(), d), 1.0, init));
        positions = PositionalEncoding.create(hp, manager, init);
        positions.parameters().forEach(this::add);
        for (int l = 0; l < hp.layers(); l++) {
            attentionPositions.add(AttentionPositions.of(hp.attentionPositions(l), hp.heads(), hp.headDim()));
            String p = "layers." + l + ".";
            layers.add(new Layer(
                    add(p + "attention.qkv.weight", linearWeight(3 * d, d, init)),
                    add(p + "attention.qkv.bias", linearBias(3 * d, d, init)),
                    add(p + "attention.out.weight", linearWeight(d, d, init)),
                    add(p + "attention.out.bias", linearBias(d, d, init)),
                    add(p + "norm1.gamma", Initializers.constant(manager, new Shape(d), 1f)),
                    add(p + "norm1.beta", Initializers.constant(manager, new Shape(d), 0f)),
                    add(p + "ff.in.weight", linearWeight(ff, d, init)),
                    add(p + "ff.in.bias", linearBias(ff, d, init)),
                    add(p + "ff.out.weight", linearWeight(d, ff, init)),
                    add(p + "ff.out.bias", linearBias(d, ff, init)),
                    add(p + "norm2.gamma", Initializers.constant(manager, new Shape(d), 1f)),
                    add(p + "norm2.beta", Initializers.constant(manager, new Shape(d), 0f))));
        }
        if (hp.norm() == Norm.PRE) {
            finalNormGamma = add("final_norm.gamma", Initializers.constant(manager, new Shape(d), 1f));
            finalNormBeta = add("final_norm.beta", Initializers.constant(manager, new Shape(d), 0f));
        } else {
            finalNormGamma = null;
            finalNormBeta = null;
        }
        headWeight = add("head.weight", linearWeight(hp.tokenCount(), d, init));
        headBias = add("head.bias", linearBias(hp.tokenCount(), d, init));
        parameters.requireGradients();
    }

    private NDArray linearWeight(int out, int in, SplittableRandom init) {
        return Initializers.uniform(manager, new Shape(out, in), 1 / Math.sqrt(in), init);
    }

    private NDArray linearBias(int out, int in, SplittableRandom init) {
        return Initializers.uniform(manager, new Shape(out), 1 / Math.sqrt(in), init);
    }

    private NDArray add(String name, NDArray array) {
        return parameters.add(name, array);
    }

    @Override
    public Hyperparameters hyperparameters() {
        return hp;
    }

    /** Trainable arrays by name, in a fixed order (the checkpoint's order). */
    @Override
    public Map<String, NDArray> parameters() {
        return parameters.all();
    }

    /** The longest sequence the positional encodings can embed. */
    @Override
    public int maxLength() {
        int max = positions.maxLength();
        for (AttentionPositions p : attentionPositions) {
            max = Math.min(max, p.maxLength());
        }
        return max;
    }

    @Override
    public ai.djl.Device device() {
        return manager.getDevice();
    }

    /**
     * Logits for the token after the last input, shape (batch, V+1). {@code tokens} is (batch, n) int64;
     * everything computed is attached to the tokens' manager.
     */
    @Override
    public NDArray forward(NDArray tokens, ForwardPass pass) {
        NDArray x = hidden(tokens, pass);
        return head(x.get(tokens.getManager(), new NDIndex(":, -1, :"))); // (batch, d) -> (batch, V+1)
    }

    /** Logits at every position, (batch, n, V+1): what each prefix predicts next. Uses the full pass. */
    public NDArray forwardEveryPosition(NDArray tokens) {
        return head(hidden(tokens, ForwardPass.full()));
    }

    /** Logits at every position with {@code pass}'s dropout and tiling; no last-query-only shortcut. */
    @Override
    public NDArray forwardEveryPosition(NDArray tokens, ForwardPass pass) {
        return head(hidden(tokens, new ForwardPass(pass.training(), false, pass.tileElements(), pass.causalBlocks(),
                pass.recorder(), pass.ablated(), pass.precision(), pass.fused(), pass.masks(), pass.tape())));
    }

    private NDArray hidden(NDArray tokens, ForwardPass pass) {
        int n = (int) tokens.getShape().get(1);
        if (n > maxLength()) {
            throw new PositionLimitException(n, maxLength());
        }
        NDArray x = Autograd.scale(Embedding.embedding(tokens, embedding, ai.djl.ndarray.types.SparseFormat.DENSE)
                .singletonOrThrow(), Math.sqrt(hp.dModel()));
        x = dropout(positions.addTo(x), pass);
        NDManager m = tokens.getManager();
        for (int l = 0; l < layers.size(); l++) {
            boolean onlyLast = pass.lastQueryOnly() && l == layers.size() - 1;
            if (pass.training()) {
                x = block(layers.get(l), l, x, onlyLast, pass); // backward needs every intermediate anyway
            } else {
                // Free each layer's intermediates as soon as the next layer's input exists: memory then
                // holds one layer's activations, whatever the depth.
                try (NDManager layer = m.newSubManager()) {
                    x.tempAttach(layer);
                    NDArray next = block(layers.get(l), l, x, onlyLast, pass);
                    next.attach(m);
                    x = next;
                }
            }
        }
        return x;
    }

    private NDArray head(NDArray x) {
        if (hp.norm() == Norm.PRE) {
            x = layerNorm(x, finalNormGamma, finalNormBeta);
        }
        return Linear.linear(x, headWeight, headBias).singletonOrThrow();
    }

    /** One block. With {@code onlyLast} the result holds the final position alone: (batch, 1, d). */
    private NDArray block(Layer w, int index, NDArray x, boolean onlyLast, ForwardPass pass) {
        NDArray residual = onlyLast ? lastPosition(x) : x;
        if (hp.norm() == Norm.PRE) {
            NDArray h = layerNorm(x, w.norm1Gamma(), w.norm1Beta());
            Attended a = attention(w, index, h, residual, onlyLast, pass);
            NDArray y = a.residual().add(dropout(a.out(), pass));
            return y.add(dropout(feedForward(w, layerNorm(y, w.norm2Gamma(), w.norm2Beta()), pass), pass));
        }
        Attended a = attention(w, index, x, residual, onlyLast, pass);
        NDArray y = layerNorm(a.residual().add(dropout(a.out(), pass)), w.norm1Gamma(), w.norm1Beta());
        return layerNorm(y.add(dropout(feedForward(w, y, pass), pass)), w.norm2Gamma(), w.norm2Beta());
    }

    /**
     * A layer's attention output (batch, queries, d) and the residual stream to add it to: the one given, or,
     * where the heads ran outside libtorch ({@link AttentionKernel}), the same values entering the pass's
     * next segment ({@link Tape}).
     */
    private record Attended(NDArray out, NDArray residual) {}

    /** FF(h) = W_2 dropout(relu(W_1 h + b_1)) + b_2. */
    private NDArray feedForward(Layer w, NDArray h, ForwardPass pass) {
        NDArray hidden = Linear.linear(h, w.ff1Weight(), w.ff1Bias()).singletonOrThrow();
        hidden = dropout(ai.djl.nn.Activation.relu(hidden), pass);
        return Linear.linear(hidden, w.ff2Weight(), w.ff2Bias()).singletonOrThrow();
    }

    /**
     * Multi-head causal self-attention of {@code h} (batch, n, d). With {@code onlyLast} only the final
     * position asks a query; keys and values still come from every position. {@code residual} is what the
     * block adds the result to (see {@link Attended}).
     */
    private Attended attention(Layer w, int layer, NDArray h, NDArray residual, boolean onlyLast, ForwardPass pass) {
        NDManager m = h.getManager();
        long batch = h.getShape().get(0);
        int n = (int) h.getShape().get(1);
        int d = hp.dModel();
        int heads = hp.heads();
        int dh = hp.headDim();

        NDArray q;
        NDArray k;
        NDArray v;
        int firstQuery;
        if (onlyLast) {
            NDArray wq = w.qkvWeight().get(m, new NDIndex("0:" + d));
            NDArray bq = w.qkvBias().get(m, new NDIndex("0:" + d));
            NDArray wkv = w.qkvWeight().get(m, new NDIndex(d + ":"));
            NDArray bkv = w.qkvBias().get(m, new NDIndex(d + ":"));
            q = Linear.linear(lastPosition(h), wq, bq).singletonOrThrow();
            NDList kvs = Linear.linear(h, wkv, bkv).singletonOrThrow().split(2, 2);
            k = kvs.get(0);
            v = kvs.get(1);
            firstQuery = n - 1;
        } else {
            NDArray projected = Linear.linear(h, w.qkvWeight(), w.qkvBias()).singletonOrThrow(); // (batch, n, 3d)
            // VectorLanes first: without the module, AttentionKernel (which names it) must never load
            if (VectorLanes.available() && AttentionKernel.serves(pass, m.getDevice(), n, n, 0, hp.dropout(), plain(layer, pass))) {
                // the heads as one loop in Java (training on a CPU): the pass is cut here, the residual crosses
                // too; in the first layer it is the embedding, cheaper to go through again than to copy
                AttentionKernel kernel = new AttentionKernel(projected, heads);
                NDList next = pass.tape().cross(kernel, kernel.output(m),
                        layer == 0 ? Tape.Seeding.ROOT_BY_ROOT : Tape.Seeding.FLATTENED, residual);
                return new Attended(Linear.linear(next.get(0), w.outWeight(), w.outBias()).singletonOrThrow(),
                        next.get(1));
            }
            NDList qkv = projected.split(3, 2);
            q = qkv.get(0);
            k = qkv.get(1);
            v = qkv.get(2);
            firstQuery = 0;
        }
        // (batch, n, d) -> (batch, heads, n, dh)
        q = splitHeads(q, heads, dh);
        k = splitHeads(k, heads, dh);
        v = splitHeads(v, heads, dh);
        AttentionPositions where = attentionPositions.get(layer);
        int centre = onlyLast ? n - 1 : (n - 1) / 2; // xPos's factors are exact near it; scores never depend on it
        q = Autograd.scale(where.query(q, firstQuery, centre), 1.0 / Math.sqrt(dh));
        if (hp.attentionScale() == AttentionScale.LOG_LENGTH) {
            q = q.mul(logLengthScale(m, firstQuery, (int) q.getShape().get(2)));
        }
        k = where.key(k, centre);

        // the part that grows with n^2 — scores, softmax, weights times values — in the pass's precision; a
        // half precision pass (evaluation) keeps the residual stream, norms and projections in fp32, as
        // PyTorch's autocast does
        DataType type = pass.precision().dataType();
        HeadInterventions applied = HeadInterventions.at(hp.interventions(), layer, heads, trainingStep, pass);
        NDArray out = CausalAttention.attend(cast(q, type), cast(k, type), cast(v, type), firstQuery, layer,
                applied.pass(), hp.dropout(), where.bias());                                        // (batch, heads, queries, dh)
        out = cast(out, DataType.FLOAT32);
        out = applied.apply(out, v, firstQuery); // a clamped head's output by its pattern, a knocked-out head's zeroed
        if (pass.ablates(layer)) { // an ablated head contributes nothing to W_O's input
            float[] keep = new float[heads];
            for (int hd = 0; hd < heads; hd++) {
                keep[hd] = pass.ablated()[layer][hd] ? 0 : 1;
            }
            out = out.mul(m.create(keep, new Shape(1, heads, 1, 1)));
        }
        long queries = out.getShape().get(2);
        out = out.transpose(0, 2, 1, 3).reshape(batch, queries, d);
        return new Attended(Linear.linear(out, w.outWeight(), w.outBias()).singletonOrThrow(), residual);
    }

    /**
     * Whether {@code layer}'s heads are softmax(q k^T / sqrt(dh) + causal mask) v and nothing else in this pass:
     * no turn of queries and keys, no term added to the scores, the standard scale, no intervention, no ablation.
     */
    private boolean plain(int layer, ForwardPass pass) {
        return attentionPositions.get(layer) == AttentionPositions.NONE && hp.attentionScale() == AttentionScale.STANDARD
                && HeadInterventions.at(hp.interventions(), layer, hp.heads(), trainingStep, pass).none()
                && !pass.ablates(layer);
    }

    /** (1, 1, queries, 1): ln(keys seen) / ln(train_length) for queries at firstQuery.., seeing firstQuery+1.. keys. */
    private NDArray logLengthScale(NDManager m, int firstQuery, int queries) {
        return m.arange(firstQuery + 1, firstQuery + queries + 1, 1, DataType.FLOAT32).log()
                .div(Math.log(hp.trainLength())).reshape(1, 1, queries, 1);
    }

    private static NDArray cast(NDArray x, DataType type) {
        return x.getDataType() == type ? x : x.toType(type, false);
    }

    private static NDArray splitHeads(NDArray x, int heads, int dh) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, dh).transpose(0, 2, 1, 3);
    }

    private static NDArray lastPosition(NDArray x) {
        return x.get(x.getManager(), new NDIndex(":, -1:, :"));
    }

    private NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta) {
        return LayerNorm.layerNorm(x, new Shape(hp.dModel()), gamma, beta, 1e-5f).singletonOrThrow();
    }

    private NDArray dropout(NDArray x, ForwardPass pass) {
        return pass.dropout(x, hp.dropout());
    }

    /**
     * The step training is at, so that a clamp with a range of steps acts in it (and in what training records
     * then); -1 (the default) outside training, where only clamps without an end act. Knockouts act always.
     */
    public void setTrainingStep(long step) {
        this.trainingStep = step;
    }

    @Override
    public boolean recordsAttention() {
        return true;
    }

    /**
     * fp32, and fp16 for the attention of an evaluation pass (the rest stays fp32) — except with xPos, whose
     * scale factors (up to e^80) do not fit in fp16.
     */
    @Override
    public boolean computesIn(Precision p) {
        return p == Precision.FP32 || attentionPositions.stream().noneMatch(a -> a instanceof XPosPositions);
    }

    /** Frees the parameters and any cached position table. */
    @Override
    public void close() {
        positions.close();
        manager.close();
    }

    /** Copies {@code values} into the parameters of the same names (shapes must match). */
    @Override
    public void load(Map<String, NDArray> values) {
        parameters.load(values);
    }
}
