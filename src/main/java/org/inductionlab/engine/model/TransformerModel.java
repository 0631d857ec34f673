package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.Norm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
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
 *   FF(h)       = W_2 relu(W_1 h)   with hidden width ff_mult * d.
 * </pre>
 *
 * Dropout (training only) follows the embeddings, the attention weights, the ReLU, and each sub-layer's
 * output, as in the reference implementation.
 *
 * <p>Two things make the efficient path cheaper than the textbook, with the same result (tested to
 * 1e-4, gradients included): only the last token is scored, so the last layer computes its query,
 * attention row and MLP for the final position alone (keys and values still cover every token); and
 * the causal square is cut into blocks of queries, each scored only against the keys up to its own end
 * (the rest would be masked), in tiles of at most {@code tileElements} scores, so evaluation memory grows
 * with n * tile instead of n^2. {@link Pass#full()} computes everything and is the yardstick.
 *
 * <p>Not thread-safe: use one instance per thread (load a run twice to train and inspect at once).
 */
public final class TransformerModel implements AutoCloseable {

    /**
     * How a forward pass runs: with dropout or not, whether the last layer serves the final position
     * only, at most how many attention scores one tile holds, and in how many blocks the causal square
     * is cut (see {@link #attendTiled}).
     */
    public record Pass(boolean training, boolean lastQueryOnly, long tileElements, int causalBlocks,
                       AttentionRecorder recorder) {
        /** Training: dropout on, final layer for the last position only, causal blocks. */
        public static Pass training(long tileElements) {
            return new Pass(true, true, tileElements, CAUSAL_BLOCKS, null);
        }

        /** Evaluation: like training without dropout. */
        public static Pass evaluation(long tileElements) {
            return new Pass(false, true, tileElements, CAUSAL_BLOCKS, null);
        }

        /** Every position in every layer, one square per head: what the textbook computes. */
        public static Pass full() {
            return new Pass(false, false, Long.MAX_VALUE, 1, null);
        }

        /** The full pass, handing each layer's attention weights to {@code recorder}. */
        public static Pass recording(AttentionRecorder recorder) {
            return new Pass(false, false, Long.MAX_VALUE, 1, recorder);
        }

        /** The same pass with dropout on or off (for tests that compare paths). */
        public Pass withTraining(boolean on) {
            return new Pass(on, lastQueryOnly, tileElements, causalBlocks, recorder);
        }
    }

    /** Receives attention weights (batch, heads, queries, keys) of one tile of one layer. */
    @FunctionalInterface
    public interface AttentionRecorder {
        void record(int layer, NDArray weights, int firstSequence, int firstQuery);
    }

    /** Scores per tile for evaluation: 4M floats (16 MiB), so memory grows with n * tile, not n^2. */
    public static final long DEFAULT_TILE_ELEMENTS = 4L << 20;

    /**
     * Scores per tile for training. Backward keeps every tile's weights anyway, so small tiles save no
     * memory there and only add operations; 64M floats leaves the course and fast presets untiled.
     */
    public static final long TRAINING_TILE_ELEMENTS = 64L << 20;

    /** Query blocks of the causal square (see attendTiled), for inputs of at least this many queries. */
    static final int CAUSAL_BLOCKS = 4;
    static final int CAUSAL_BLOCK_MIN_QUERIES = 64;

    /** Added to scores of keys after the query: exp() of it is exactly 0, and unlike -inf it never makes NaN. */
    private static final float MASKED = -1e30f;

    private final Hyperparameters hp;
    private final NDManager manager;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();
    private final PositionalEncoding positions;
    private final List<Layer> layers = new ArrayList<>();
    private final NDArray embedding;
    private final NDArray finalNormGamma;
    private final NDArray finalNormBeta;
    private final NDArray headWeight;
    private final NDArray headBias;

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
        for (NDArray p : parameters.values()) {
            p.setRequiresGradient(true);
        }
    }

    private NDArray linearWeight(int out, int in, SplittableRandom init) {
        return Initializers.uniform(manager, new Shape(out, in), 1 / Math.sqrt(in), init);
    }

    private NDArray linearBias(int out, int in, SplittableRandom init) {
        return Initializers.uniform(manager, new Shape(out), 1 / Math.sqrt(in), init);
    }

    private NDArray add(String name, NDArray array) {
        array.setName(name);
        parameters.put(name, array);
        return array;
    }

    public Hyperparameters hyperparameters() {
        return hp;
    }

    /** Trainable arrays by name, in a fixed order (the checkpoint's order). */
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    public long parameterCount() {
        return parameters.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    /** The longest sequence the positional encoding can embed. */
    public int maxLength() {
        return positions.maxLength();
    }

    public ai.djl.Device device() {
        return manager.getDevice();
    }

    /**
     * Logits for the token after the last input, shape (batch, V+1). {@code tokens} is (batch, n) int64;
     * everything computed is attached to the tokens' manager.
     */
    public NDArray forward(NDArray tokens, Pass pass) {
        NDArray x = hidden(tokens, pass);
        return head(x.get(tokens.getManager(), new NDIndex(":, -1, :"))); // (batch, d) -> (batch, V+1)
    }

    /** Logits at every position, (batch, n, V+1): what each prefix predicts next. Uses the full pass. */
    public NDArray forwardEveryPosition(NDArray tokens) {
        return head(hidden(tokens, Pass.full()));
    }

    private NDArray hidden(NDArray tokens, Pass pass) {
        int n = (int) tokens.getShape().get(1);
        if (n > positions.maxLength()) {
            throw new PositionLimitException(n, positions.maxLength());
        }
        NDArray x = Embedding.embedding(tokens, embedding, ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow()
                .mul(Math.sqrt(hp.dModel()));
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
    private NDArray block(Layer w, int index, NDArray x, boolean onlyLast, Pass pass) {
        NDArray residual = onlyLast ? lastPosition(x) : x;
        if (hp.norm() == Norm.PRE) {
            NDArray h = layerNorm(x, w.norm1Gamma(), w.norm1Beta());
            NDArray y = residual.add(dropout(attention(w, index, h, onlyLast, pass), pass));
            return y.add(dropout(feedForward(w, layerNorm(y, w.norm2Gamma(), w.norm2Beta()), pass), pass));
        }
        NDArray y = layerNorm(residual.add(dropout(attention(w, index, x, onlyLast, pass), pass)),
                w.norm1Gamma(), w.norm1Beta());
        return layerNorm(y.add(dropout(feedForward(w, y, pass), pass)), w.norm2Gamma(), w.norm2Beta());
    }

    /** FF(h) = W_2 dropout(relu(W_1 h + b_1)) + b_2. */
    private NDArray feedForward(Layer w, NDArray h, Pass pass) {
        NDArray hidden = Linear.linear(h, w.ff1Weight(), w.ff1Bias()).singletonOrThrow();
        hidden = dropout(ai.djl.nn.Activation.relu(hidden), pass);
        return Linear.linear(hidden, w.ff2Weight(), w.ff2Bias()).singletonOrThrow();
    }

    /**
     * Multi-head causal self-attention of {@code h} (batch, n, d). With {@code onlyLast} only the final
     * position asks a query; keys and values still come from every position.
     */
    private NDArray attention(Layer w, int layer, NDArray h, boolean onlyLast, Pass pass) {
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
            NDList qkv = Linear.linear(h, w.qkvWeight(), w.qkvBias()).singletonOrThrow().split(3, 2);
            q = qkv.get(0);
            k = qkv.get(1);
            v = qkv.get(2);
            firstQuery = 0;
        }
        // (batch, n, d) -> (batch, heads, n, dh)
        q = splitHeads(q, heads, dh);
        k = splitHeads(k, heads, dh);
        v = splitHeads(v, heads, dh);
        q = positions.rotate(q, firstQuery).mul(1.0 / Math.sqrt(dh));
        k = positions.rotate(k, 0);

        NDArray out = attendTiled(q, k, v, firstQuery, layer, pass); // (batch, heads, queries, dh)
        long queries = out.getShape().get(2);
        out = out.transpose(0, 2, 1, 3).reshape(batch, queries, d);
        return Linear.linear(out, w.outWeight(), w.outBias()).singletonOrThrow();
    }

    private static NDArray splitHeads(NDArray x, int heads, int dh) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, dh).transpose(0, 2, 1, 3);
    }

    /**
     * softmax(q k^T + mask) v, in tiles. The queries are cut into blocks and a block of queries i0..i1 is
     * scored against keys 0..i1 only (the rest would be masked anyway), which skips most of the square's
     * masked half: with 4 blocks, 10/16 of the square is computed. Blocks hold as many sequences as fit in
     * {@code pass.tileElements()} scores, and get smaller still when a single sequence does not fit.
     */
    private NDArray attendTiled(NDArray q, NDArray k, NDArray v, int firstQuery, int layer, Pass pass) {
        NDManager m = q.getManager();
        int batch = (int) q.getShape().get(0);
        int heads = (int) q.getShape().get(1);
        int queries = (int) q.getShape().get(2);
        int keys = (int) k.getShape().get(2);
        TilePlan plan = TilePlan.of(batch, heads, queries, keys, firstQuery, pass);
        int seqsPerTile = plan.sequences();
        int queriesPerTile = plan.queries();
        if (seqsPerTile >= batch && queriesPerTile >= queries) {
            return attendTile(q, k, v, firstQuery, layer, 0, 0, pass);
        }
        NDList rows = new NDList();
        for (int b0 = 0; b0 < batch; b0 += seqsPerTile) {
            String seqs = b0 + ":" + Math.min(batch, b0 + seqsPerTile);
            NDList cols = new NDList();
            for (int i0 = 0; i0 < queries; i0 += queriesPerTile) {
                int i1 = Math.min(queries, i0 + queriesPerTile);
                int keyEnd = firstQuery + i1; // keys after the tile's last query are all masked
                // Each tile's scores are freed before the next tile: memory grows with n * tile, not n^2.
                try (NDManager tile = m.newSubManager()) {
                    NDArray qt = q.get(tile, new NDIndex(seqs + ", :, " + i0 + ":" + i1));
                    NDArray kt = k.get(tile, new NDIndex(seqs + ", :, 0:" + keyEnd));
                    NDArray vt = v.get(tile, new NDIndex(seqs + ", :, 0:" + keyEnd));
                    NDArray out = attendTile(qt, kt, vt, firstQuery + i0, layer, b0, i0, pass);
                    out.attach(m);
                    cols.add(out);
                }
            }
            rows.add(cols.size() == 1 ? cols.get(0) : NDArrays.concat(cols, 2));
        }
        return rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows, 0);
    }

    /** How attention is cut into tiles: sequences and queries per tile. */
    record TilePlan(int sequences, int queries) {
        static TilePlan of(int batch, int heads, int queries, int keys, int firstQuery, Pass pass) {
            long budget = Math.max(1, pass.tileElements());
            int blocks = queries >= CAUSAL_BLOCK_MIN_QUERIES && firstQuery == 0 ? pass.causalBlocks() : 1;
            int perTile = (queries + blocks - 1) / blocks;
            perTile = (int) Math.max(1, Math.min(perTile, budget / ((long) heads * keys)));
            int seqs = (int) Math.max(1, Math.min(batch, budget / ((long) heads * perTile * keys)));
            return new TilePlan(seqs, perTile);
        }

        /** Scores computed per sequence and head: each query tile i0..i1 meets keys 0..firstQuery+i1. */
        static long scores(int queries, int firstQuery, int perTile) {
            long total = 0;
            for (int i0 = 0; i0 < queries; i0 += perTile) {
                int i1 = Math.min(queries, i0 + perTile);
                total += (long) (i1 - i0) * (firstQuery + i1);
            }
            return total;
        }
    }

    /** One tile: queries at absolute positions firstQuery.., keys 0..keys-1. */
    private NDArray attendTile(NDArray q, NDArray k, NDArray v, int firstQuery, int layer, int firstSeq,
                               int firstRow, Pass pass) {
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)); // (b, heads, queries, keys)
        int queries = (int) q.getShape().get(2);
        int keys = (int) k.getShape().get(2);
        if (firstQuery < keys - 1) { // some query cannot see every key
            // Only keys from firstQuery on can lie after a query of this tile: mask that strip in place
            // (a view; matmul's backward does not need its output), not the whole tile.
            int from = firstQuery;
            NDArray strip = scores.get(scores.getManager(), new NDIndex(":, :, :, " + from + ":"));
            strip.addi(causalMask(scores.getManager(), firstQuery - from, queries, keys - from));
        }
        NDArray weights = scores.softmax(-1);
        if (pass.recorder() != null) {
            pass.recorder().record(layer, weights, firstSeq, firstRow);
        }
        return dropout(weights, pass).matMul(v);
    }

    /** (queries, keys): 0 where key <= query, MASKED after it; query r sits at key index firstQuery + r. */
    private static NDArray causalMask(NDManager m, int firstQuery, int queries, int keys) {
        NDArray keyPos = m.arange(0, keys, 1, DataType.INT32).reshape(1, keys);
        NDArray queryPos = m.arange(firstQuery, firstQuery + queries, 1, DataType.INT32).reshape(queries, 1);
        return keyPos.gt(queryPos).toType(DataType.FLOAT32, false).mul(MASKED);
    }

    private static NDArray lastPosition(NDArray x) {
        return x.get(x.getManager(), new NDIndex(":, -1:, :"));
    }

    private NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta) {
        return LayerNorm.layerNorm(x, new Shape(hp.dModel()), gamma, beta, 1e-5f).singletonOrThrow();
    }

    private NDArray dropout(NDArray x, Pass pass) {
        if (!pass.training() || hp.dropout() == 0) {
            return x;
        }
        return Dropout.dropout(x, (float) hp.dropout(), true).singletonOrThrow();
    }

    /** Frees the parameters and any cached position table. */
    @Override
    public void close() {
        positions.close();
        manager.close();
    }

    /** Copies {@code values} into the parameters of the same names (shapes must match). */
    public void load(Map<String, NDArray> values) {
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            NDArray src = values.get(e.getKey());
            if (src == null) {
                throw new IllegalArgumentException("checkpoint has no parameter " + e.getKey());
            }
            if (!src.getShape().equals(e.getValue().getShape())) {
                throw new IllegalArgumentException("parameter " + e.getKey() + " has shape " + src.getShape()
                        + ", the model needs " + e.getValue().getShape());
            }
            Autograd.assign(e.getValue(), src);
        }
    }
}
