package org.inductionlab.engine.model;

import ai.djl.ndarray.NDManager;
import org.inductionlab.engine.config.Architecture;
import org.inductionlab.engine.config.Hyperparameters;

/**
 * What the lab needs to know of an architecture besides its model: how to build one, what it costs, how an
 * evaluation pass is sized, and how to name its parts. {@link #of} is the one place that switches on the
 * {@link Architecture}: a new architecture is its model file, its kind, and one line there (plus its keys on
 * the enum constant). Everything else asks the kind.
 */
public interface ModelKind {

    /** The registration: each architecture's kind. */
    static ModelKind of(Architecture architecture) {
        return switch (architecture) {
            case TRANSFORMER -> TransformerKind.INSTANCE;
            case MAMBA -> MambaKind.INSTANCE;
        };
    }

    /** The kind of {@code hp}'s architecture. */
    static ModelKind of(Hyperparameters hp) {
        return of(hp.architecture());
    }

    Architecture architecture();

    /** A freshly initialised model, weights drawn from {@code hp.seed()}. */
    SequenceModel create(Hyperparameters hp, NDManager manager);

    // ---- cost (see ModelCost) -------------------------------------------------------------------------

    /** FLOPs of one forward pass over a sequence of {@code n} input tokens, as {@code pass} runs it. */
    double forwardFlops(Hyperparameters hp, int n, ForwardPass pass);

    /** FLOPs of one forward pass over one sequence of {@code n} tokens on the evaluation path. */
    default double evaluationFlops(Hyperparameters hp, int n) {
        return forwardFlops(hp, n, ForwardPass.evaluation(CausalAttention.DEFAULT_TILE_ELEMENTS));
    }

    /** Bytes an efficient evaluation pass holds at once for {@code batch} sequences of {@code n} tokens. */
    long evaluationBytes(Hyperparameters hp, int batch, int n, long tileElements);

    /** Bytes a training step holds for backward. */
    long trainingBytes(Hyperparameters hp);

    /** Trainable numbers, as the model counts them, without building it. */
    long parameterCount(Hyperparameters hp);

    // ---- evaluation at length ---------------------------------------------------------------------------

    /**
     * At most how many sequences of {@code length} one evaluation pass holds, where a pass of attention holds
     * {@code attentionTokens} tokens (a model whose memory does not grow with the pass may take more).
     */
    int evaluationBatch(int length, int attentionTokens);

    /** Whether an evaluation pass may run PyTorch's fused attention (and so never holds a tile of scores). */
    boolean fusedAttention();

    /** The longest input a sweep may ask of a model of {@code hp} before building it (unbounded: MAX_VALUE). */
    int maxLength(Hyperparameters hp);

    // ---- words ------------------------------------------------------------------------------------------

    /** "Transformer", "Mamba". */
    String displayName();

    /** A one-line description of the model of {@code hp}, for a table of runs. */
    String describe(Hyperparameters hp);

    /** What the grid's tiles are: "heads", "channel groups". */
    String unitsName();

    /** One head's (or channel group's) name: "L1 H3". */
    String unitName(Hyperparameters hp, int layer, int head);

    /** What a head's map is called beside its name: "" for attention, ", hidden attention" for Mamba. */
    default String mapSuffix() {
        return "";
    }

    /** A note under the head scores, or null. */
    default String scoresNote() {
        return null;
    }

    /** Whether the bench can time the same model in PyTorch (python/torch_peer). */
    boolean hasTorchPeer();
}
