package org.inductionlab.engine.model;

import ai.djl.ndarray.NDManager;
import org.inductionlab.engine.config.Architecture;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.LayerPositions;
import org.inductionlab.engine.config.Norm;
import org.inductionlab.engine.config.PositionalKind;

import java.util.Locale;

/** The Transformer's {@link ModelKind}: {@link TransformerModel}, its cost, its words. */
public final class TransformerKind implements ModelKind {

    /** The one instance, registered in {@link ModelKind#of}. */
    public static final TransformerKind INSTANCE = new TransformerKind();

    private TransformerKind() {}

    @Override
    public Architecture architecture() {
        return Architecture.TRANSFORMER;
    }

    @Override
    public SequenceModel create(Hyperparameters hp, NDManager manager) {
        return new TransformerModel(hp, manager);
    }

    /**
     * Per token the projections (q k v, output, MLP), per layer the scores the path computes: a causal
     * square as the pass cuts it into tiles, half of it (with the diagonal) where the pass runs attention
     * fused, a band where a hard window is banded ({@link CausalAttention}); the last layer of a pass that
     * scores the final position asks one query.
     */
    @Override
    public double forwardFlops(Hyperparameters hp, int n, ForwardPass pass) {
        double d = hp.dModel();
        double ff = hp.ffMult() * d;
        double projections = 2 * d * 3 * d + 2 * d * d + 2 * 2 * d * ff; // q k v, output, MLP, per token
        double total = 2 * d * hp.tokenCount() * (pass.lastQueryOnly() ? 1 : n); // the head
        for (int l = 0; l < hp.layers(); l++) {
            // a hard window on an efficient pass is banded (CausalAttention): n * (tile + W) scores, not the square
            int window = hp.attentionPositions(l).kind() == LayerPositions.Kind.WINDOW
                    && pass.lastQueryOnly() ? hp.attentionPositions(l).window() : 0;
            boolean last = l == hp.layers() - 1 && pass.lastQueryOnly();
            if (last) { // keys and values for every token, one query
                double keys = window > 0 ? Math.min(window, n) : n;
                total += n * 2 * d * 2 * d + projections - 2 * d * 2 * d + 2 * 2 * keys * d;
                continue;
            }
            double scores; // per head
            if (window > 0 && n > window) {
                scores = CausalAttention.bandedScores(n, window,
                        CausalAttention.bandedTile(1, hp.heads(), n, window, pass.tileElements()));
            } else if (pass.attendsFused(n, n, 0, hp.dropout(), biased(hp, l))) {
                scores = CausalAttention.TilePlan.scores(n, 0, 1); // the causal half: what a fused kernel computes
            } else {
                CausalAttention.TilePlan full = CausalAttention.TilePlan.of(1, hp.heads(), n, n, 0, pass);
                scores = CausalAttention.TilePlan.scores(n, 0, full.queries());
            }
            total += n * projections + 2 * 2 * scores * hp.headDim() * hp.heads(); // q k^T and A v
        }
        return total;
    }

    /** Whether layer {@code l} adds a term to its scores (ALiBi, a window): such a layer never runs fused. */
    private static boolean biased(Hyperparameters hp, int l) {
        return AttentionPositions.of(hp.attentionPositions(l), hp.heads(), hp.headDim()).bias() != null;
    }

    /**
     * Activations of one layer (x, norm, q k v and their per-head copies, attention out, MLP hidden) and
     * three tiles of scores.
     */
    @Override
    public long evaluationBytes(Hyperparameters hp, int batch, int n, long tileElements) {
        long d = hp.dModel();
        long perToken = d * (14 + 2L * hp.ffMult());
        long tile = Math.min(tileElements, (long) batch * hp.heads() * n * (long) n);
        return 4L * ((long) batch * n * perToken + 3 * tile + n * d);
    }

    /** Every layer's activations and scores, and the weights with their gradients and two moments. */
    @Override
    public long trainingBytes(Hyperparameters hp) {
        long n = hp.trainLength() - 1L;
        long d = hp.dModel();
        long b = hp.batchSize();
        long perLayer = b * n * d * (14 + 2L * hp.ffMult()) + 3 * b * hp.heads() * n * n;
        return 4L * hp.layers() * perLayer + 4L * 4 * parameterCount(hp); // weights, gradients, two moments
    }

    @Override
    public long parameterCount(Hyperparameters hp) {
        long d = hp.dModel();
        long ff = hp.ffMult() * d;
        long tokens = hp.tokenCount();
        long layer = 3 * d * d + 3 * d + d * d + d + 2 * d + ff * d + ff + d * ff + d + 2 * d;
        long positions = hp.positional() == PositionalKind.LEARNED ? (long) hp.positionTableSize() * d : 0;
        long finalNorm = hp.norm() == Norm.PRE ? 2 * d : 0;
        return tokens * d + positions + hp.layers() * layer + finalNorm + tokens * d + tokens;
    }

    /** Attention's memory grows with the tokens of a pass. */
    @Override
    public int evaluationBatch(int length, int attentionTokens) {
        return attentionTokens / length;
    }

    @Override
    public boolean fusedAttention() {
        return true;
    }

    /** A learned position table has an end (the model itself also knows xPos's; see TransformerModel). */
    @Override
    public int maxLength(Hyperparameters hp) {
        return hp.positional() == PositionalKind.LEARNED ? hp.positionTableSize() : Integer.MAX_VALUE;
    }

    @Override
    public String displayName() {
        return "Transformer";
    }

    @Override
    public String describe(Hyperparameters hp) {
        return String.format(Locale.ROOT, "%d layers, d=%d, %d heads, %s-norm", hp.layers(), hp.dModel(),
                hp.heads(), hp.norm());
    }

    @Override
    public String unitsName() {
        return "heads";
    }

    @Override
    public String unitName(Hyperparameters hp, int layer, int head) {
        return "L" + layer + " H" + head;
    }

    @Override
    public boolean hasTorchPeer() {
        return true;
    }
}
