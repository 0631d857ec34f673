package org.inductionlab.engine.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.inductionlab.engine.config.Hyperparameters;

import java.util.Map;

/**
 * The seam between the lab and an architecture. Training, sweeps, prediction, attention maps and run
 * folders talk to this interface only, so a new architecture is one file (plus its tests) beside
 * {@link TransformerModel}, and its {@link ModelKind} registered in {@link ModelKind#of}.
 *
 * <p>A model owns its parameters (on a sub-manager of the one it was built on) and frees them on
 * {@link #close()}. Not thread-safe: use one instance per thread.
 */
public interface SequenceModel extends AutoCloseable {

    /** A freshly initialised model of {@code hp.architecture()}, weights drawn from {@code hp.seed()}. */
    static SequenceModel create(Hyperparameters hp, NDManager manager) {
        return ModelKind.of(hp.validated()).create(hp, manager);
    }

    Hyperparameters hyperparameters();

    /**
     * Logits for the token after the last input, shape (batch, V+1). {@code tokens} is (batch, n) int64;
     * everything computed is attached to the tokens' manager.
     */
    NDArray forward(NDArray tokens, ForwardPass pass);

    /**
     * Logits at every position, (batch, n, V+1): what each prefix predicts next, for a task scored on
     * many positions ({@code task repeat}). {@code pass} says how, except that every query is computed
     * whatever its {@code lastQueryOnly}. A model that cannot says so.
     */
    default NDArray forwardEveryPosition(NDArray tokens, ForwardPass pass) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " scores the last position only");
    }

    /** Trainable arrays by name, in a fixed order (the checkpoint's order). */
    Map<String, NDArray> parameters();

    /** Copies {@code values} into the parameters of the same names (names and shapes must match). */
    void load(Map<String, NDArray> values);

    default long parameterCount() {
        return parameters().values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    Device device();

    /** The longest input this model can take (a learned position table has an end). */
    int maxLength();

    /**
     * Whether a {@link ForwardPass#recording} pass hands attention-like maps to its recorder: the
     * inspection hook behind the Attention page. A model without one says false.
     */
    default boolean recordsAttention() {
        return false;
    }

    /**
     * Backward runs on the training loss times this, and Adam divides it back out. Once a Transformer is
     * confident its gradients fall below 2^-126 into subnormal floats, and matrix products on subnormals
     * are many times slower on a CPU: a learned induction model at length 128 took 164 ms a step instead
     * of 50, nearly all of it in the backward matmuls. 2^50 keeps them normal (as mixed-precision training
     * does); a model whose backward already reaches large values says less.
     */
    default double lossScale() {
        return 0x1p50;
    }

    /** Whether an evaluation pass in {@code p} computes in it; a model that says false computes in fp32. */
    default boolean computesIn(Precision p) {
        return p == Precision.FP32;
    }

    /** Frees the parameters and anything cached. */
    @Override
    void close();
}
