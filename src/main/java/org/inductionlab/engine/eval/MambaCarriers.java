package org.inductionlab.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.model.Autograd;
import org.inductionlab.engine.model.ForwardPass;
import org.inductionlab.engine.model.MambaModel;
import org.inductionlab.engine.model.SequenceModel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What carries the answer through a Mamba, on one input. The selection mechanism is the step size Δ: where a
 * channel's Δ jumps it overwrites its state with what its convolution window holds, where Δ is tiny it keeps
 * what it has. So on a task sequence the channels that carry M are those whose Δ jumps while the window holds
 * M (at M and the {@code d_conv - 1} tokens after it) and stays small until the final S. For each channel this
 * reads Δ along the whole sequence ({@link #delta}), its largest Δ in that window (the write) over its mean Δ
 * on the noise (the tokens whose window holds neither S nor M), and how much of the write its slowest state
 * still holds when the model reads the final S: exp(-|A|min Σ Δ) over the tokens after the write.
 *
 * <p>Writing M is not the same as mattering to the answer, so the {@value #CANDIDATES} channels that write
 * most selectively (Δ ratio at least {@link MambaMemory#WRITES_AT}) are each zeroed in turn — the channel's
 * output before the out-projection, what ablating a channel group does, one channel at a time — and ranked by
 * how far that lowers the answer's logit: their share of the correct logit, measured, not estimated. (A model
 * with more channels than a run may have groups, over 1,024, is ranked by the Δ ratio instead: {@link
 * #rankedByLogit()}.)
 */
public record MambaCarriers(int[] tokens, int trigger, int answer, int layers, int channels, int perGroup,
                            float[][] delta, double answerLogit, double answerProbability, int writers,
                            List<Carrier> carriers) {

    /** Channels zeroed one by one to measure their share of the answer's logit: a pass each. */
    public static final int CANDIDATES = 32;

    /**
     * One channel that writes M: where and how hard (Δ at the write, Δ on the noise), how much of it reaches
     * the final S, and what zeroing the channel does to the answer (its logit drops by {@code logitDrop}, its
     * probability becomes {@code probabilityAfter}).
     */
    public record Carrier(int layer, int channel, int group, int writeAt, double deltaAtWrite, double deltaOnNoise,
                          double keptToEnd, double logitDrop, double probabilityAfter) {
        /** Δ at the write over Δ on the noise. */
        public double selectivity() {
            return deltaAtWrite / deltaOnNoise;
        }
    }

    /** Position of M, the token the task asks for; -1 when the input defines no answer. */
    public int memory() {
        return trigger < 0 ? -1 : trigger + 1;
    }

    /** Tokens the model read. */
    public int length() {
        return tokens.length;
    }

    /** Δ of channel {@code channel} of layer {@code layer} at {@code position}. */
    public double delta(int layer, int position, int channel) {
        return delta[layer][position * channels + channel];
    }

    /**
     * Whether the carriers are ranked by their measured share of the answer's logit; false where a model has
     * more channels than a run may have groups (zeroing one would need heads = E), and they are ranked by Δ
     * ratio instead.
     */
    public boolean rankedByLogit() {
        return carriers.isEmpty() || !Double.isNaN(carriers.get(0).logitDrop());
    }

    /** Whether the input defined an answer (and so carriers were looked for). */
    public boolean hasAnswer() {
        return answer >= 0;
    }

    /**
     * The channel group (the Attention page's "head", what ablation zeroes) that matters most: the one holding
     * the channel whose zeroing costs the answer most, {layer, group}; null when no channel was found.
     */
    public int[] focus() {
        if (carriers.isEmpty() || (rankedByLogit() && !(carriers.get(0).logitDrop() > 0))) {
            return null;
        }
        return new int[] {carriers.get(0).layer(), carriers.get(0).group()};
    }

    /**
     * Measures {@code model} on {@code tokens} (the input the model reads, the final S last); {@code answer} is
     * the task's answer, or null when the input defines none: then only Δ along the sequence is read.
     */
    public static MambaCarriers measure(MambaModel model, int[] tokens, Integer answer) {
        Hyperparameters hp = model.hyperparameters();
        int n = tokens.length;
        int layers = hp.layers();
        int e = hp.expand() * hp.dModel();
        int per = Math.max(1, e / hp.heads());
        int trigger = -1;
        if (answer != null) {
            for (int i = 0; i < n - 1 && trigger < 0; i++) {
                trigger = tokens[i] == hp.inductionToken() ? i : -1;
            }
            if (trigger < 0 || trigger + 1 >= n - 1 || tokens[trigger + 1] != answer) {
                throw new IllegalArgumentException("answer: " + answer + " is not the token after the first S");
            }
        }
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = tokens[i];
        }
        float[][] delta = new float[layers][];
        float[][] slowest = new float[layers][];
        try (Autograd.Scope noGrad = Autograd.noGrad(); NDManager m = NDManager.newBaseManager(model.device())) {
            NDArray input = m.create(ids, new Shape(1, n));
            List<NDArray[]> scales = model.timescales(input);
            for (int l = 0; l < layers; l++) {
                delta[l] = scales.get(l)[0].toFloatArray();                                // (1, n, E)
                slowest[l] = scales.get(l)[1].abs().min(new int[] {1}).toFloatArray();     // (E)
            }
            if (answer == null) {
                return new MambaCarriers(tokens.clone(), -1, -1, layers, e, per, delta, Double.NaN, Double.NaN, 0,
                        List.of());
            }
            float[] full = model.forward(input, ForwardPass.evaluation()).toFloatArray();
            double logit = full[answer];
            double probability = softmax(full, answer);

            int mPos = trigger + 1;
            int writeEnd = Math.min(n - 2, mPos + hp.dConv() - 1); // the windows that hold M, not the final S
            List<Carrier> writing = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                for (int c = 0; c < e; c++) {
                    int at = mPos;
                    for (int t = mPos; t <= writeEnd; t++) {
                        at = delta[l][t * e + c] > delta[l][at * e + c] ? t : at;
                    }
                    double noise = 0;
                    int count = 0;
                    for (int t = 0; t < n - 1; t++) { // windows that hold neither S nor M (the final S is n - 1)
                        if (t < trigger || t > trigger + hp.dConv()) {
                            noise += delta[l][t * e + c];
                            count++;
                        }
                    }
                    double after = 0;
                    for (int t = at + 1; t < n; t++) {
                        after += delta[l][t * e + c];
                    }
                    writing.add(new Carrier(l, c, Math.min(c / per, hp.heads() - 1), at, delta[l][at * e + c],
                            count == 0 ? Double.NaN : noise / count, Math.exp(-slowest[l][c] * after), Double.NaN,
                            Double.NaN));
                }
            }
            List<Carrier> candidates = writing.stream().filter(w -> w.selectivity() >= MambaMemory.WRITES_AT)
                    .sorted(Comparator.comparingDouble(Carrier::selectivity).reversed()).toList();
            int writers = candidates.size();
            candidates = candidates.subList(0, Math.min(CANDIDATES, candidates.size()));
            Hyperparameters single;
            try {
                single = hp.with("heads", Integer.toString(e)).validated(); // one group per channel: a "head" is one channel
            } catch (org.inductionlab.engine.config.InvalidConfigException tooWide) {
                // more channels than groups may be: ranked by Δ ratio alone (logitDrop NaN says so)
                return new MambaCarriers(tokens.clone(), trigger, answer, layers, e, per, delta, logit, probability,
                        writers, List.copyOf(candidates));
            }
            List<Carrier> measured = new ArrayList<>();
            try (SequenceModel copy = SequenceModel.create(single, m)) {
                copy.load(model.parameters());
                for (Carrier w : candidates) {
                    boolean[][] off = new boolean[layers][e];
                    off[w.layer()][w.channel()] = true;
                    float[] out = copy.forward(input, ForwardPass.evaluation().withAblated(off)).toFloatArray();
                    measured.add(new Carrier(w.layer(), w.channel(), w.group(), w.writeAt(), w.deltaAtWrite(),
                            w.deltaOnNoise(), w.keptToEnd(), logit - out[answer], softmax(out, answer)));
                }
            }
            measured.sort(Comparator.comparingDouble(Carrier::logitDrop).reversed());
            return new MambaCarriers(tokens.clone(), trigger, answer, layers, e, per, delta, logit, probability,
                    writers, List.copyOf(measured));
        }
    }

    private static double softmax(float[] logits, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        return Math.exp(logits[k] - max) / sum;
    }
}
