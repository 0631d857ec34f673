package org.inductionlab.engine.eval;

import org.inductionlab.engine.model.Logits;
import org.inductionlab.engine.model.ForwardPass;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.inductionlab.engine.model.Autograd;
import org.inductionlab.engine.model.SequenceModel;

import java.util.ArrayList;
import java.util.List;

/**
 * Every head's attention weights for one input sequence: {@code weight(layer, head, query, key)}, zero
 * above the diagonal, each row summing to 1. Computed with the full pass (all queries in every layer).
 */
public final class AttentionMap {

    /** Longest input the map is computed for (its weights take layers * heads * n^2 floats). */
    public static final int MAX_LENGTH = 1024;

    private final int[] tokens;
    private final int inductionToken;
    private final int layers;
    private final int heads;
    private final float[][] weights; // [layer * heads + head][query * n + key]
    private final int predicted;
    private final double probability;
    private final List<int[]> inductionCells; // from the tokens alone, the same for every head

    private AttentionMap(int[] tokens, int inductionToken, int layers, int heads, float[][] weights, int predicted,
                         double probability) {
        this.tokens = tokens;
        this.inductionToken = inductionToken;
        this.layers = layers;
        this.heads = heads;
        this.weights = weights;
        this.predicted = predicted;
        this.probability = probability;
        this.inductionCells = findInductionCells(tokens);
    }

    /**
     * A map of weights computed elsewhere: {@code weights[layer * heads + head]} is that head's row-major
     * n x n matrix over {@code tokens} (a hand-built pattern, or a model's attention-like operator).
     */
    public static AttentionMap of(int[] tokens, int inductionToken, int heads, float[][] weights, int predicted,
                                  double probability) {
        int n = tokens.length;
        if (heads < 1 || weights.length % heads != 0) {
            throw new IllegalArgumentException("weights: " + weights.length + " maps for " + heads + " heads");
        }
        for (float[] w : weights) {
            if (w.length != n * n) {
                throw new IllegalArgumentException("weights: a map has " + w.length + " cells, not " + n + " x " + n);
            }
        }
        return new AttentionMap(tokens.clone(), inductionToken, weights.length / heads, heads, weights.clone(),
                predicted, probability);
    }

    /** The map a training recording kept (weights to 1/255). */
    public static AttentionMap of(org.inductionlab.engine.run.AttentionFrame f, int inductionToken) {
        return new AttentionMap(f.tokens().clone(), inductionToken, f.layers(), f.heads(), f.maps(), f.predicted(),
                f.probability());
    }

    /** This map as a training recording at {@code step}. */
    public org.inductionlab.engine.run.AttentionFrame frame(long step) {
        return org.inductionlab.engine.run.AttentionFrame.quantize(step, heads, tokens, weights, predicted, probability);
    }

    /** Computes the map of {@code input} (the tokens the model reads, answer excluded). */
    public static AttentionMap compute(SequenceModel model, int[] input) {
        int n = input.length;
        if (n < 1 || n > MAX_LENGTH) {
            throw new IllegalArgumentException("length: attention maps need 1.." + MAX_LENGTH + " tokens, got " + n);
        }
        if (!model.recordsAttention()) {
            throw new IllegalArgumentException("architecture: " + model.hyperparameters().architecture()
                    + " has no attention map to show");
        }
        var hp = model.hyperparameters();
        int heads = hp.heads();
        float[][] w = new float[hp.layers() * heads][];
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = input[i];
        }
        try (Autograd.Scope noGrad = Autograd.noGrad(); NDManager pass = NDManager.newBaseManager(model.device())) {
            NDArray tokens = pass.create(ids, new Shape(1, n));
            NDArray logits = model.forward(tokens, ForwardPass.recording((layer, weights, seq, row) -> {
                float[] all = weights.toFloatArray(); // (1, heads, n, n)
                int per = n * n;
                for (int h = 0; h < heads; h++) {
                    float[] one = new float[per];
                    System.arraycopy(all, h * per, one, 0, per);
                    w[layer * heads + h] = one;
                }
            }));
            float[] p = logits.softmax(1).toFloatArray();
            int best = Logits.argmax(p, 0, p.length);
            return new AttentionMap(input.clone(), hp.inductionToken(), hp.layers(), heads, w, best, p[best]);
        }
    }

    public int length() {
        return tokens.length;
    }

    public int layers() {
        return layers;
    }

    public int heads() {
        return heads;
    }

    public int[] tokens() {
        return tokens.clone();
    }

    public int token(int position) {
        return tokens[position];
    }

    public int inductionToken() {
        return inductionToken;
    }

    public float weight(int layer, int head, int query, int key) {
        return weights[layer * heads + head][query * tokens.length + key];
    }

    /** The row-major n x n weights of one head (a copy). */
    public float[] headWeights(int layer, int head) {
        return weights[layer * heads + head].clone();
    }

    /** What the model predicts after the last input token, and its probability. */
    public int predictedToken() {
        return predicted;
    }

    public double predictedProbability() {
        return probability;
    }

    // ---- the induction pattern -----------------------------------------------------------------------

    /**
     * Induction cells (Olsson et al. 2022): query i attends to key j when the token before j equals token i
     * — the head looks for the earlier occurrence of the current token and reads what came next.
     */
    public boolean isInductionCell(int query, int key) {
        return key >= 1 && key <= query && tokens[key - 1] == tokens[query];
    }

    /** The previous-token diagonal: query i attends to key i-1. */
    public static boolean isPreviousTokenCell(int query, int key) {
        return key == query - 1;
    }

    /** Position of the first induction token S (the trigger), or -1 when S appears fewer than twice. */
    public int triggerPosition() {
        int last = tokens.length - 1;
        if (tokens[last] != inductionToken) {
            return -1;
        }
        for (int i = 0; i < last; i++) {
            if (tokens[i] == inductionToken) {
                return i;
            }
        }
        return -1;
    }

    /** The task's own target: the final query (the second S) attending to the token after the first S. */
    public int[] taskTarget() {
        int p = triggerPosition();
        return p < 0 || p + 1 >= tokens.length ? null : new int[] {tokens.length - 1, p + 1};
    }

    /** Induction cells as (query, key) pairs. */
    public List<int[]> inductionCells() {
        return inductionCells;
    }

    private static List<int[]> findInductionCells(int[] tokens) {
        List<int[]> cells = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            for (int j = 1; j <= i; j++) {
                if (tokens[j - 1] == tokens[i]) {
                    cells.add(new int[] {i, j});
                }
            }
        }
        return java.util.Collections.unmodifiableList(cells);
    }

    /** Share of the head's attention on induction cells, averaged over the queries that have any. */
    public double inductionScore(int layer, int head) {
        float[] w = weights[layer * heads + head];
        int n = tokens.length;
        double total = 0;
        int queries = 0;
        for (int i = 0; i < n; i++) {
            double sum = 0;
            boolean any = false;
            for (int j = 1; j <= i; j++) {
                if (tokens[j - 1] == tokens[i]) {
                    sum += w[i * n + j];
                    any = true;
                }
            }
            if (any) {
                total += sum;
                queries++;
            }
        }
        return queries == 0 ? 0 : total / queries;
    }

    /** Mean weight on the previous token, over queries 1..n-1. */
    public double previousTokenScore(int layer, int head) {
        float[] w = weights[layer * heads + head];
        int n = tokens.length;
        if (n < 2) {
            return 0;
        }
        double sum = 0;
        for (int i = 1; i < n; i++) {
            sum += w[i * n + i - 1];
        }
        return sum / (n - 1);
    }

    /** The head that puts the most weight on the task's target cell, {layer, head}; {0, 0} when there is none. */
    public int[] topTargetHead() {
        int[] best = {0, 0};
        double bestWeight = -1;
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                double w = targetWeight(l, h);
                if (!Double.isNaN(w) && w > bestWeight) {
                    bestWeight = w;
                    best = new int[] {l, h};
                }
            }
        }
        return best;
    }

    /** The weight on the task's target cell, or NaN when the sequence has no trigger. */
    public double targetWeight(int layer, int head) {
        int[] t = taskTarget();
        return t == null ? Double.NaN : weight(layer, head, t[0], t[1]);
    }
}
