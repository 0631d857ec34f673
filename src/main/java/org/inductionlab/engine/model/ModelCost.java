package org.inductionlab.engine.model;

import org.inductionlab.engine.config.Architecture;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.Norm;
import org.inductionlab.engine.config.PositionalKind;

/**
 * Arithmetic and memory of the model, counted the way the code computes it. A multiply-add is 2 FLOPs;
 * backward costs twice the forward, so a training step is 3x its forward. Attention counts the scores
 * the tiles actually compute: a causal block of queries meets the keys up to its own end, so the count
 * lies between half the square and the whole of it.
 */
public final class ModelCost {
    private ModelCost() {}

    /** FLOPs of one forward pass over a sequence of {@code n} input tokens, as {@code pass} runs it. */
    public static double forwardFlops(Hyperparameters hp, int n, ForwardPass pass) {
        if (hp.architecture() == Architecture.MAMBA) {
            return mambaForwardFlops(hp, n);
        }
        double d = hp.dModel();
        double ff = hp.ffMult() * d;
        double projections = 2 * d * 3 * d + 2 * d * d + 2 * 2 * d * ff; // q k v, output, MLP, per token
        double total = 2 * d * hp.tokenCount() * (pass.lastQueryOnly() ? 1 : n); // the head
        for (int l = 0; l < hp.layers(); l++) {
            // a hard window on an efficient pass is banded (CausalAttention): n * (tile + W) scores, not the square
            int window = hp.attentionPositions(l).kind() == org.inductionlab.engine.config.LayerPositions.Kind.WINDOW
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
            } else {
                CausalAttention.TilePlan full = CausalAttention.TilePlan.of(1, hp.heads(), n, n, 0, pass);
                scores = CausalAttention.TilePlan.scores(n, 0, full.queries());
            }
            total += n * projections + 2 * 2 * scores * hp.headDim() * hp.heads(); // q k^T and A v
        }
        return total;
    }

    /**
     * Mamba per token and layer: the projections (in 2E, x R+2N, dt E, out d), the convolution, and the
     * scan's few elementwise operations on every (channel, state) pair.
     */
    private static double mambaForwardFlops(Hyperparameters hp, int n) {
        double d = hp.dModel();
        double e = hp.expand() * d;
        double r = hp.dtRankOrAuto();
        double projections = 2 * d * 2 * e + 2 * e * (r + 2 * hp.dState()) + 2 * r * e + 2 * e * d;
        double rest = 2 * e * hp.dConv() + 12 * e * hp.dState();
        return hp.layers() * n * (projections + rest) + 2 * d * hp.tokenCount();
    }

    /** FLOPs of one training step (forward and backward) at the training length and batch. */
    public static double trainingStepFlops(Hyperparameters hp) {
        return 3 * hp.batchSize() * forwardFlops(hp, hp.trainLength() - 1,
                ForwardPass.training(CausalAttention.TRAINING_TILE_ELEMENTS));
    }

    /** FLOPs of one forward pass over one sequence of {@code n} tokens on the evaluation path. */
    public static double evaluationFlops(Hyperparameters hp, int n) {
        double flops = forwardFlops(hp, n, ForwardPass.evaluation(CausalAttention.DEFAULT_TILE_ELEMENTS));
        if (hp.architecture() == Architecture.MAMBA) {
            // the chunked scan's running sums (products with a 16 x 16 triangle) and exponentials, beyond the
            // recurrence's own work: per token, layer and (channel, state) pair; with it the first estimate of
            // 8 x 2^16 tokens is 15 s where 15.5 s were measured (docs/benchmarks.md), without it 11 s
            flops += (double) hp.layers() * n * 16.0 * hp.expand() * hp.dModel() * hp.dState();
        }
        return flops;
    }

    /**
     * Bytes an efficient evaluation pass holds at once for {@code batch} sequences of {@code n} tokens:
     * activations of one layer (x, norm, q k v and their per-head copies, attention out, MLP hidden) and
     * three tiles of scores.
     */
    public static long evaluationBytes(Hyperparameters hp, int batch, int n, long tileElements) {
        if (hp.architecture() == Architecture.MAMBA) { // one block of tokens through one layer and its scan
            long e = (long) hp.expand() * hp.dModel();
            long tokens = Math.min((long) batch * n, (long) batch * MambaModel.blockLength(batch));
            // the scan holds about a dozen (block tokens, E, N) tensors at once (all chunks of the block)
            return 4L * tokens * (8 * e + 4L * hp.dModel()) + 4L * 12 * tokens * e * hp.dState();
        }
        long d = hp.dModel();
        long perToken = d * (14 + 2L * hp.ffMult());
        long tile = Math.min(tileElements, (long) batch * hp.heads() * n * (long) n);
        return 4L * ((long) batch * n * perToken + 3 * tile + n * d);
    }

    /** Bytes a training step holds for backward (roughly: every layer's activations and scores). */
    public static long trainingBytes(Hyperparameters hp) {
        if (hp.architecture() == Architecture.MAMBA) { // the scan keeps about eight (batch, n, E, N) tensors, doubles
            long e = (long) hp.expand() * hp.dModel();
            long perLayer = 8L * 8 * hp.batchSize() * (hp.trainLength() - 1L) * e * hp.dState()
                    + 4L * 10 * hp.batchSize() * (hp.trainLength() - 1L) * e;
            return hp.layers() * perLayer + 4L * 4 * parameterCount(hp);
        }
        long n = hp.trainLength() - 1L;
        long d = hp.dModel();
        long b = hp.batchSize();
        long perLayer = b * n * d * (14 + 2L * hp.ffMult()) + 3 * b * hp.heads() * n * n;
        return 4L * hp.layers() * perLayer + 4L * 4 * parameterCount(hp); // weights, gradients, two moments
    }

    /** Trainable numbers, as {@link TransformerModel#parameterCount()} counts them, without building the model. */
    public static long parameterCount(Hyperparameters hp) {
        if (hp.architecture() == Architecture.MAMBA) {
            long d = hp.dModel();
            long e = hp.expand() * d;
            long n = hp.dState();
            long r = hp.dtRankOrAuto();
            long layer = d + 2 * e * d + e * hp.dConv() + e + (r + 2 * n) * e + e * r + e + e * n + e + d * e;
            return hp.tokenCount() * d + hp.layers() * layer + d + hp.tokenCount() * d + hp.tokenCount();
        }
        long d = hp.dModel();
        long ff = hp.ffMult() * d;
        long tokens = hp.tokenCount();
        long layer = 3 * d * d + 3 * d + d * d + d + 2 * d + ff * d + ff + d * ff + d + 2 * d;
        long positions = hp.positional() == PositionalKind.LEARNED ? (long) hp.positionTableSize() * d : 0;
        long finalNorm = hp.norm() == Norm.PRE ? 2 * d : 0;
        return tokens * d + positions + hp.layers() * layer + finalNorm + tokens * d + tokens;
    }
}
