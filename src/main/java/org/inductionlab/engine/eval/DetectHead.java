package org.inductionlab.engine.eval;

import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.model.SequenceModel;

import java.util.Locale;

/**
 * TransformerLens's {@code head_detector.detect_head} with its defaults ({@code exclude_bos=False},
 * {@code exclude_current_token=False}, {@code error_measure="mul"}), computed on the lab's attention maps, so
 * a number here is the number TransformerLens gives for the same attention on the same tokens. For a head's
 * attention A (L x L) and a 0/1 detection pattern D:
 * <pre>
 *   score = sum(A * D) / sum(A)          (sum(A) = L: every row of A sums to 1)
 *   previous_token_head:  D[i, j] = 1 when j = i - 1
 *   duplicate_token_head: D[i, j] = 1 when j &lt; i and token j = token i      (every earlier occurrence)
 *   induction_head:       D[i, j] = 1 when 1 &lt;= j &lt;= i and token j-1 = token i, j-1 &lt; i
 * </pre>
 * It differs from the lab's own scores ({@link HeadScores}) in two ways: it averages over all L rows, the
 * first copy's included (where a perfect induction head scores about 0), and it marks every earlier
 * occurrence; on a block repeated twice with no token twice in the block TransformerLens's induction score
 * is the lab's halved. TransformerLens would also put a BOS token first when given a string; the lab's
 * models have none, so these are its formula on the lab's tokens as they are.
 *
 * <p>Each score comes with its uniform baseline: what a head that spreads its attention evenly over its
 * causal prefix (A[i, j] = 1 / (i + 1)) scores on the same tokens. A score near its baseline says nothing.
 */
public record DetectHead(int layers, int heads, int[] tokens, double[][] previousToken, double[][] duplicateToken,
                         double[][] induction, double previousTokenUniform, double duplicateTokenUniform,
                         double inductionUniform) {

    /** What these are, for a reader who compares them with TransformerLens. */
    public static final String NAME = "TransformerLens detect_head, defaults";

    /** previous_token_head's pattern for {@code length} tokens. */
    public static boolean[][] previousTokenPattern(int length) {
        boolean[][] d = new boolean[length][length];
        for (int i = 1; i < length; i++) {
            d[i][i - 1] = true;
        }
        return d;
    }

    /** duplicate_token_head's pattern: every earlier position holding the same token. */
    public static boolean[][] duplicateTokenPattern(int[] tokens) {
        int n = tokens.length;
        boolean[][] d = new boolean[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                d[i][j] = tokens[i] == tokens[j];
            }
        }
        return d;
    }

    /** induction_head's pattern: the duplicate pattern shifted one column right, first column zero, lower triangle. */
    public static boolean[][] inductionPattern(int[] tokens) {
        boolean[][] dup = duplicateTokenPattern(tokens);
        int n = tokens.length;
        boolean[][] d = new boolean[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 1; j <= i; j++) {
                d[i][j] = dup[i][j - 1];
            }
        }
        return d;
    }

    /** sum(A * D) / sum(A) for one head's map. */
    public static double score(AttentionMap m, int layer, int head, boolean[][] pattern) {
        int n = m.length();
        double hit = 0;
        double all = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double a = m.weight(layer, head, i, j);
                all += a;
                if (pattern[i][j]) {
                    hit += a;
                }
            }
        }
        return hit / all;
    }

    /** The score of a head attending uniformly over its causal prefix: mean over rows i of (marked keys) / (i + 1). */
    public static double uniform(boolean[][] pattern) {
        double sum = 0;
        for (int i = 0; i < pattern.length; i++) {
            int marked = 0;
            for (int j = 0; j <= i; j++) {
                marked += pattern[i][j] ? 1 : 0;
            }
            sum += (double) marked / (i + 1);
        }
        return sum / pattern.length;
    }

    /** Every head's three scores on the map's tokens. */
    public static DetectHead of(AttentionMap m) {
        int[] tokens = m.tokens();
        boolean[][] prev = previousTokenPattern(tokens.length);
        boolean[][] dup = duplicateTokenPattern(tokens);
        boolean[][] ind = inductionPattern(tokens);
        int layers = m.layers();
        int heads = m.heads();
        double[][] p = new double[layers][heads];
        double[][] d = new double[layers][heads];
        double[][] k = new double[layers][heads];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                p[l][h] = score(m, l, h, prev);
                d[l][h] = score(m, l, h, dup);
                k[l][h] = score(m, l, h, ind);
            }
        }
        return new DetectHead(layers, heads, tokens, p, d, k, uniform(prev), uniform(dup), uniform(ind));
    }

    /**
     * Every head's scores on the lab's probe input for {@code model}: the same repeated random block
     * {@link HeadScores#measure} uses (seed {@code seed}), so the two sets of numbers are on one input.
     */
    public static DetectHead measure(SequenceModel model, long seed) {
        Hyperparameters hp = model.hyperparameters();
        return of(AttentionMap.compute(model, HeadScores.repeatedBlock(hp.vocab(), HeadScores.blockFor(hp), seed)));
    }

    /** The head with the highest induction score relative to its baseline, as {layer, head}. */
    public int[] topInductionHead() {
        int[] best = {0, 0};
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                if (induction[l][h] > induction[best[0]][best[1]]) {
                    best = new int[] {l, h};
                }
            }
        }
        return best;
    }

    /** A head's induction score over its uniform baseline. */
    public double inductionRatio(int layer, int head) {
        return induction[layer][head] / inductionUniform;
    }

    /** "TL induction 0.43 (uniform 0.02)" and the same for the other two, for one head. */
    public String describe(int layer, int head) {
        return String.format(Locale.ROOT, "TL prev %.2f (uniform %.3f), TL ind %.2f (uniform %.3f), TL dup %.2f"
                        + " (uniform %.3f)", previousToken[layer][head], previousTokenUniform, induction[layer][head],
                inductionUniform, duplicateToken[layer][head], duplicateTokenUniform);
    }
}
