package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;

/**
 * How a forward pass runs, for any {@link SequenceModel}: with dropout or not, whether the last layer
 * serves the final position only, at most how many attention scores (or scan elements) one tile holds,
 * in how many blocks the causal square is cut (see {@link CausalAttention}), who, if anyone, receives
 * the attention weights, in which {@link Precision} (half precision for evaluation only), whether
 * attention may run as PyTorch's fused kernel ({@link #attendsFused}), and where a training pass draws
 * its dropout masks ({@link DropoutMasks}; the process-wide source where none is given) and, if it has a
 * {@link Tape}, what it ran outside libtorch for the backward.
 *
 * <p>The one way to build a pass: {@link #training(ExecutionPlan)} and {@link #evaluation(ExecutionPlan, long)}
 * read how a device cuts passes up from its {@link ExecutionPlan}; the trainer, the sweep and the cost model
 * ({@link ModelCost}) all take their passes from here, so what is priced is what runs.
 */
public record ForwardPass(boolean training, boolean lastQueryOnly, long tileElements, int causalBlocks,
                          AttentionRecorder recorder, boolean[][] ablated, Precision precision, boolean fused,
                          DropoutMasks masks, Tape tape) {

    public ForwardPass {
        if (masks == null) {
            masks = DropoutMasks.shared();
        }
        if (precision == null) {
            precision = Precision.FP32;
        }
        if (training && precision != Precision.FP32) {
            throw new IllegalArgumentException("precision: training runs in fp32 (" + precision + " is for evaluation)");
        }
    }

    /** In fp32, with the lab's own attention. */
    public ForwardPass(boolean training, boolean lastQueryOnly, long tileElements, int causalBlocks,
                       AttentionRecorder recorder, boolean[][] ablated) {
        this(training, lastQueryOnly, tileElements, causalBlocks, recorder, ablated, Precision.FP32, false, null, null);
    }

    /** In fp32, with the lab's own attention, without ablation. */
    public ForwardPass(boolean training, boolean lastQueryOnly, long tileElements, int causalBlocks,
                       AttentionRecorder recorder) {
        this(training, lastQueryOnly, tileElements, causalBlocks, recorder, null, Precision.FP32, false, null, null);
    }

    /** The same pass computing in {@code p} (evaluation passes only). */
    public ForwardPass withPrecision(Precision p) {
        return new ForwardPass(training, lastQueryOnly, tileElements, causalBlocks, recorder, ablated, p, fused, masks, tape);
    }

    /** The same pass with PyTorch's fused attention allowed (where it fits) or not. */
    public ForwardPass withFused(boolean on) {
        return new ForwardPass(training, lastQueryOnly, tileElements, causalBlocks, recorder, ablated, precision, on, masks, tape);
    }

    /** Whether attention may run fused: asked for, and no one wants the weights. */
    public boolean usesFused() {
        return fused && recorder == null;
    }

    /**
     * Whether attention of {@code queries} queries (at {@code firstQuery}..) over {@code keys} keys runs as
     * PyTorch's fused module on this pass: where the pass allows it, the module fits the shape, no term is
     * added to the scores ({@code biased}: ALiBi, a window — the module takes none), and no attention dropout
     * applies ({@code dropout} in training: the module has none). {@link CausalAttention} runs it so (where
     * the module loads), and the cost model prices it so.
     */
    public boolean attendsFused(int queries, int keys, int firstQuery, double dropout, boolean biased) {
        boolean dropping = training && dropout > 0;
        return usesFused() && !biased && !dropping && FusedAttention.fits(queries, keys, firstQuery);
    }

    /**
     * The same pass with heads ablated: {@code ablated[layer][head]} true zeroes that head's output before
     * the output projection (W_O), as interpretability work does to test what a head is for.
     */
    public ForwardPass withAblated(boolean[][] heads) {
        return new ForwardPass(training, lastQueryOnly, tileElements, causalBlocks, recorder, heads, precision, fused, masks, tape);
    }

    /** Whether any head of {@code layer} is ablated. */
    public boolean ablates(int layer) {
        if (ablated == null || layer >= ablated.length) {
            return false;
        }
        for (boolean b : ablated[layer]) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    /** Receives attention weights (batch, heads, queries, keys) of one tile of one layer. */
    @FunctionalInterface
    public interface AttentionRecorder {
        void record(int layer, NDArray weights, int firstSequence, int firstQuery);
    }

    /**
     * Training under {@code plan}: dropout on, final layer for the last position only, the plan's causal
     * blocks and training tile, fused attention where it fits. What the trainer runs and the cost model prices.
     */
    public static ForwardPass training(ExecutionPlan plan) {
        return new ForwardPass(true, true, plan.trainingTileElements(), plan.causalBlocks(), null).withFused(true);
    }

    /** Training under the CPU's plan with {@code tileElements} scores per tile (tests compare paths with it). */
    public static ForwardPass training(long tileElements) {
        return training(new ExecutionPlan(ExecutionPlan.CPU.causalBlocks(), tileElements,
                ExecutionPlan.CPU.sweepTileElements()));
    }

    /**
     * Evaluation under {@code plan} with {@code tileElements} (see LengthSweep) per tile where the lab's own
     * attention runs: like training without dropout, with PyTorch's fused attention where it fits.
     */
    public static ForwardPass evaluation(ExecutionPlan plan, long tileElements) {
        return new ForwardPass(false, true, tileElements, plan.causalBlocks(), null).withFused(true);
    }

    /** Evaluation under the CPU's plan with {@code tileElements} per tile. */
    public static ForwardPass evaluation(long tileElements) {
        return evaluation(ExecutionPlan.CPU, tileElements);
    }

    /** Evaluation with the default tile size. */
    public static ForwardPass evaluation() {
        return evaluation(CausalAttention.DEFAULT_TILE_ELEMENTS);
    }

    /** Every position in every layer, one square per head: what the textbook computes. */
    public static ForwardPass full() {
        return new ForwardPass(false, false, Long.MAX_VALUE, 1, null);
    }

    /** The full pass, handing each layer's attention weights to {@code recorder}. */
    public static ForwardPass recording(AttentionRecorder recorder) {
        return new ForwardPass(false, false, Long.MAX_VALUE, 1, recorder);
    }

    /** The same pass drawing its dropout masks from {@code source} (a training run's own, seeded from its seed). */
    public ForwardPass withMasks(DropoutMasks source) {
        return new ForwardPass(training, lastQueryOnly, tileElements, causalBlocks, recorder, ablated, precision, fused,
                source, tape);
    }

    /**
     * The same pass recording onto {@code tape}: a model may then run parts of the pass outside libtorch
     * (Mamba's scan on a CPU), and the backward must go through {@link Tape#backward}. One tape per pass.
     */
    public ForwardPass withTape(Tape t) {
        return new ForwardPass(training, lastQueryOnly, tileElements, causalBlocks, recorder, ablated, precision, fused,
                masks, t);
    }

    /** Dropout with probability {@code p} on x where this pass trains; x itself otherwise. */
    public NDArray dropout(NDArray x, double p) {
        return training && p > 0 ? masks.apply(x, p) : x;
    }

    /** The same pass with dropout on or off (for tests that compare paths). */
    public ForwardPass withTraining(boolean on) {
        return new ForwardPass(on, lastQueryOnly, tileElements, causalBlocks, recorder, ablated, precision, fused, masks, tape);
    }
}
