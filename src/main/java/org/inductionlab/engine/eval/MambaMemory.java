package org.inductionlab.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.model.Autograd;
import org.inductionlab.engine.model.MambaModel;
import org.inductionlab.engine.task.InductionTask;
import org.inductionlab.engine.task.TriggerLayout;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a Mamba keeps M, and for how long. On task sequences with the first S at a fixed place, each
 * channel's step size Δ is read where M is written and on the noise between M and the final S (a small Δ
 * keeps it). A channel's Δ acts on what its convolution window holds, and the window holds M at M and for the
 * {@code d_conv - 1} tokens after it, so the write is the largest Δ over those positions — the rule
 * {@link MambaCarriers} reads on one input; here it is read from Δ averaged over the sequences. Over the noise a channel's slowest state keeps
 * exp(-Δ_noise |A|_min) of itself per token, so it keeps half of M for ln 2 / (Δ_noise |A|_min) tokens: the
 * distance past which that channel can no longer carry the answer. The channels that write M (Δ at the write
 * many times Δ on the noise) are the ones that carry it; the longest of their half-lives bounds how far the
 * model can look back.
 */
public record MambaMemory(int length, int trigger, int sequences, List<Channel> channels) {

    /** By default a channel writes M when its Δ at the write is at least this many times its Δ on the noise. */
    public static final double WRITES_AT = 10;

    /**
     * One channel of one layer: its mean Δ where it writes M ({@code writeAt} tokens after M, within the
     * convolution window) and on the noise, its smallest |A|.
     */
    public record Channel(int layer, int channel, int writeAt, double deltaAtWrite, double deltaOnNoise,
                          double slowestRate) {
        /** Δ at the write over Δ on the noise. */
        public double selectivity() {
            return deltaAtWrite / deltaOnNoise;
        }

        /** Tokens over which the slowest state keeps half of what it holds. */
        public double halfLife() {
            return Math.log(2) / (deltaOnNoise * slowestRate);
        }

        /** The share of M the slowest state still holds {@code distance} noise tokens later. */
        public double keptAfter(double distance) {
            return Math.exp(-distance * deltaOnNoise * slowestRate);
        }

        public boolean writesM(double ratio) {
            return selectivity() >= ratio;
        }
    }

    /** Measures {@code model} on {@code sequences} sequences of {@code length} with the first S at {@code trigger}. */
    public static MambaMemory measure(MambaModel model, int length, int trigger, int sequences, long seed) {
        Hyperparameters hp = model.hyperparameters();
        int window = hp.dConv();
        int firstNoise = trigger + 1 + window;            // the first window that holds neither S nor M
        if (length < firstNoise + 3) {
            throw new IllegalArgumentException("length: " + length + " leaves no noise after the trigger at " + trigger
                    + " (allowed: at least " + (firstNoise + 3) + ")");
        }
        InductionTask task = InductionTask.evaluation(hp.vocab(), new TriggerLayout.Fixed(trigger), seed);
        InductionTask.Batch batch = task.batch(0, sequences, length);
        List<Channel> out = new ArrayList<>();
        try (Autograd.Scope noGrad = Autograd.noGrad(); NDManager m = NDManager.newBaseManager(model.device())) {
            NDArray tokens = m.create(batch.inputs(), new Shape(sequences, length - 1));
            List<NDArray[]> layers = model.timescales(tokens);
            int n = length - 1;                                // inputs; the final S is the last, n - 1
            for (int l = 0; l < layers.size(); l++) {
                NDArray delta = layers.get(l)[0];                                            // (batch, n, E)
                // mean Δ at M and the d_conv - 1 tokens after it: the positions whose window holds M
                float[] write = delta.get(new NDIndex(":, " + (trigger + 1) + ":" + firstNoise + ", :"))
                        .mean(new int[] {0}).toFloatArray();                                 // (window, E)
                // the noise between M and the final S, whose windows hold neither
                float[] noise = delta.get(new NDIndex(":, " + firstNoise + ":" + (n - 1) + ", :"))
                        .mean(new int[] {1}).mean(new int[] {0}).toFloatArray();
                float[] slowest = layers.get(l)[1].abs().min(new int[] {1}).toFloatArray();    // (E)
                int e = noise.length;
                for (int c = 0; c < e; c++) {
                    int at = 0;
                    for (int t = 1; t < window; t++) {
                        at = write[t * e + c] > write[at * e + c] ? t : at;
                    }
                    out.add(new Channel(l, c, at, write[at * e + c], noise[c], slowest[c]));
                }
            }
        }
        return new MambaMemory(length, trigger, sequences, List.copyOf(out));
    }

    /** The channels whose Δ at the write is at least {@code ratio} times Δ on the noise, longest half-life first. */
    public List<Channel> carriers(double ratio) {
        return channels.stream().filter(c -> c.writesM(ratio))
                .sorted((a, b) -> Double.compare(b.halfLife(), a.halfLife())).toList();
    }
}
