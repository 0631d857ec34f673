package org.inductionlab.engine.eval;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.TaskKind;
import org.inductionlab.engine.model.Autograd;
import org.inductionlab.engine.model.ForwardPass;
import org.inductionlab.engine.model.SequenceModel;
import org.inductionlab.engine.task.InductionTask;
import org.inductionlab.engine.task.RepeatTask;
import org.inductionlab.engine.task.TriggerLayout;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Each head's scores as the lab defines them (after Olsson et al. 2022), measured on probe inputs the lab
 * makes. They are not TransformerLens's {@code detect_head} numbers, which average over every row and mark
 * every earlier occurrence ({@link DetectHead} computes those, on the same input); {@link #uniform} gives each
 * score's value for a head that attends evenly, the baseline it has to beat:
 * <pre>
 *   previous-token  = mean over queries i >= 1 of A[i, i-1]                 (on a block of n random tokens
 *   induction       = mean over the second copy's queries i of A[i, i-n+1]    repeated twice, no S; a
 *   duplicate-token = mean over the second copy's queries i of A[i, i-n]      perfect head scores 1)
 *   target          = mean over task sequences of A[final S, token after the first S]
 * </pre>
 * The target score uses sequences of the training length with the trigger anywhere.
 */
public record HeadScores(int layers, int heads, int block, double[][] previousToken, double[][] induction,
                         double[][] duplicateToken, double[][] target) {

    /** Task sequences averaged for the target score. */
    public static final int TARGET_SEQUENCES = 8;

    /** Previous-token score of one head: mean over queries i >= 1 of A[i, i-1]. */
    public static double previousToken(AttentionMap m, int layer, int head) {
        return m.previousTokenScore(layer, head);
    }

    /** Induction score on a block of {@code n} tokens repeated twice: mean over i in [n, 2n) of A[i, i-n+1]. */
    public static double induction(AttentionMap m, int layer, int head, int n) {
        return meanOnSecondCopy(m, layer, head, n, n - 1);
    }

    /** Duplicate-token score on a block of {@code n} tokens repeated twice: mean over i in [n, 2n) of A[i, i-n]. */
    public static double duplicateToken(AttentionMap m, int layer, int head, int n) {
        return meanOnSecondCopy(m, layer, head, n, n);
    }

    private static double meanOnSecondCopy(AttentionMap m, int layer, int head, int n, int back) {
        if (m.length() < 2 * n) {
            throw new IllegalArgumentException("length: the map holds " + m.length() + " tokens, a repeated block of "
                    + n + " needs " + 2 * n);
        }
        double sum = 0;
        for (int i = n; i < 2 * n; i++) {
            sum += m.weight(layer, head, i, i - back);
        }
        return sum / n;
    }

    /**
     * What each score would be for a head that attends uniformly over its causal prefix (A[i, j] = 1 / (i + 1)):
     * the baseline a score has to beat to mean anything.
     */
    public record Uniform(double previousToken, double induction, double duplicateToken, double target) {}

    /** The uniform baselines of the scores {@link #measure} gives a model of {@code hp}'s shape. */
    public static Uniform uniform(Hyperparameters hp) {
        int n = blockFor(hp);
        double prev = 0;
        for (int i = 1; i < 2 * n; i++) {
            prev += 1.0 / (i + 1);
        }
        double second = 0;
        for (int i = n; i < 2 * n; i++) {
            second += 1.0 / (i + 1);
        }
        int keys = Math.min(hp.trainLength(), AttentionMap.MAX_LENGTH + 1) - 1; // the final S sees them all
        return new Uniform(prev / (2 * n - 1), second / n, second / n, 1.0 / keys);
    }

    /** Block length for a model trained at {@code trainLength}: the repeated pair stays within it, 8..64. */
    public static int blockFor(Hyperparameters hp) {
        return Math.max(8, Math.min(64, (hp.trainLength() - 1) / 2));
    }

    /** A block of {@code n} random ordinary tokens (never S), then the same block again. */
    public static int[] repeatedBlock(int vocab, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] out = new int[2 * n];
        for (int i = 0; i < n; i++) {
            out[i] = r.nextInt(vocab);
            out[n + i] = out[i];
        }
        return out;
    }

    /** Every head's scores on the lab's probe inputs for {@code model}. */
    public static HeadScores measure(SequenceModel model, long seed) {
        Hyperparameters hp = model.hyperparameters();
        int n = blockFor(hp);
        AttentionMap repeated = AttentionMap.compute(model, repeatedBlock(hp.vocab(), n, seed));
        int layers = hp.layers();
        int heads = hp.heads();
        double[][] prev = new double[layers][heads];
        double[][] ind = new double[layers][heads];
        double[][] dup = new double[layers][heads];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                prev[l][h] = previousToken(repeated, l, h);
                ind[l][h] = induction(repeated, l, h, n);
                dup[l][h] = duplicateToken(repeated, l, h, n);
            }
        }
        double[][] tgt = targetScores(model, seed);
        return new HeadScores(layers, heads, n, prev, ind, dup, tgt);
    }

    /**
     * The target score of every head: the final S's weight on the token after the first S, averaged over
     * {@value #TARGET_SEQUENCES} task sequences of the training length with the trigger anywhere. One
     * batched pass that keeps only the last query's row of each map (not n x n floats per head on the heap).
     */
    static double[][] targetScores(SequenceModel model, long seed) {
        Hyperparameters hp = model.hyperparameters();
        int length = Math.min(hp.trainLength(), AttentionMap.MAX_LENGTH + 1);
        int n = length - 1;
        InductionTask task = InductionTask.evaluation(hp.vocab(), new TriggerLayout.Anywhere(), seed);
        long[] ids = new long[TARGET_SEQUENCES * n];
        int[] targetKey = new int[TARGET_SEQUENCES];
        for (int s = 0; s < TARGET_SEQUENCES; s++) {
            InductionTask.Sequence seq = task.sequence(s, length);
            for (int i = 0; i < n; i++) {
                ids[s * n + i] = seq.tokens()[i];
            }
            targetKey[s] = seq.triggerPosition() + 1;
        }
        int layers = hp.layers();
        int heads = hp.heads();
        float[][] lastRows = new float[layers][]; // (sequences, heads, keys) of the final query, per layer
        try (Autograd.Scope noGrad = Autograd.noGrad(); NDManager pass = NDManager.newBaseManager(model.device())) {
            // the last layer need only serve the final query; each recording's last row is that query's
            ForwardPass lastQuery = new ForwardPass(false, true, Long.MAX_VALUE, 1, (layer, w, s0, q0) -> {
                long rows = w.getShape().get(2);
                boolean endsAtFinalQuery = q0 + rows == n || rows == 1; // whole maps, or the final query's row
                if (s0 != 0 || !endsAtFinalQuery || w.getShape().get(0) != TARGET_SEQUENCES || w.getShape().get(3) != n) {
                    throw new IllegalStateException("a recording pass must hand over whole rows up to the final"
                            + " query, got " + w.getShape() + " from sequence " + s0 + ", query " + q0);
                }
                lastRows[layer] = w.get(":, :, " + (rows - 1) + ", :").toFloatArray();
            });
            model.forward(pass.create(ids, new Shape(TARGET_SEQUENCES, n)), lastQuery);
        }
        double[][] tgt = new double[layers][heads];
        for (int l = 0; l < layers; l++) {
            for (int s = 0; s < TARGET_SEQUENCES; s++) {
                for (int h = 0; h < heads; h++) {
                    tgt[l][h] += lastRows[l][(s * heads + h) * n + targetKey[s]] / TARGET_SEQUENCES;
                }
            }
        }
        return tgt;
    }

    /**
     * The sequence whose attention training records at every head-score step ({@link
     * org.inductionlab.engine.run.AttentionFrame}): the Attention page's generated input of length
     * min(64, train_length) and seed 1, answer excluded — with S anywhere, or for a run of the repeat task
     * its repeated random tokens.
     */
    public static int[] watchedSequence(Hyperparameters hp) {
        int length = watchedLength(hp);
        int[] tokens = hp.task() == TaskKind.REPEAT ? new RepeatTask(hp.vocab(), 1).sequence(0, length).tokens()
                : InductionTask.evaluation(hp.vocab(), new TriggerLayout.Anywhere(), 1).sequence(0, length).tokens();
        return Arrays.copyOf(tokens, length - 1);
    }

    /** Length (answer included) of {@link #watchedSequence}. */
    public static int watchedLength(Hyperparameters hp) {
        return Math.min(64, hp.trainLength());
    }

    /** One row per head, as heads.csv records them at training step {@code step}. */
    public java.util.List<org.inductionlab.engine.run.HeadScoreRow> rows(long step) {
        java.util.List<org.inductionlab.engine.run.HeadScoreRow> rows = new java.util.ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                rows.add(new org.inductionlab.engine.run.HeadScoreRow(step, l, h, previousToken[l][h], induction[l][h],
                        duplicateToken[l][h], target[l][h]));
            }
        }
        return rows;
    }

    /**
     * The scores heads.csv recorded, one {@link HeadScores} per step (in step order), for a model of
     * {@code hp}'s shape; rows of heads it does not have are ignored.
     */
    public static java.util.SortedMap<Long, HeadScores> fromRows(Hyperparameters hp,
                                                                 java.util.List<org.inductionlab.engine.run.HeadScoreRow> rows) {
        java.util.SortedMap<Long, HeadScores> out = new java.util.TreeMap<>();
        int layers = hp.layers();
        int heads = hp.heads();
        for (org.inductionlab.engine.run.HeadScoreRow r : rows) {
            if (r.layer() >= layers || r.head() >= heads) {
                continue;
            }
            HeadScores s = out.computeIfAbsent(r.step(), k -> new HeadScores(layers, heads, blockFor(hp),
                    new double[layers][heads], new double[layers][heads], new double[layers][heads],
                    new double[layers][heads]));
            s.previousToken[r.layer()][r.head()] = r.previousToken();
            s.induction[r.layer()][r.head()] = r.induction();
            s.duplicateToken[r.layer()][r.head()] = r.duplicateToken();
            s.target[r.layer()][r.head()] = r.target();
        }
        return out;
    }

    /** The head with the highest target score, as {layer, head}. */
    public int[] topTargetHead() {
        int[] best = {0, 0};
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                if (target[l][h] > target[best[0]][best[1]]) {
                    best = new int[] {l, h};
                }
            }
        }
        return best;
    }
}
