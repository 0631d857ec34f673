package org.inductionlab.engine.model;

import org.inductionlab.engine.config.Hyperparameters;

/**
 * Arithmetic and memory of the model, counted the way the code computes it. A multiply-add is 2 FLOPs;
 * backward costs twice the forward, so a training step is 3x its forward. Attention counts the scores
 * the tiles actually compute: a causal block of queries meets the keys up to its own end, so the count
 * lies between half the square and the whole of it. Each architecture's formulas live on its
 * {@link ModelKind}; this is where the lab asks.
 */
public final class ModelCost {
    private ModelCost() {}

    /** FLOPs of one forward pass over a sequence of {@code n} input tokens, as {@code pass} runs it. */
    public static double forwardFlops(Hyperparameters hp, int n, ForwardPass pass) {
        return ModelKind.of(hp).forwardFlops(hp, n, pass);
    }

    /** FLOPs of one training step (forward and backward) at the training length and batch, on a CPU. */
    public static double trainingStepFlops(Hyperparameters hp) {
        return trainingStepFlops(hp, ExecutionPlan.CPU);
    }

    /** The same under {@code plan}: the pass the trainer runs ({@link ForwardPass#training(ExecutionPlan)}). */
    public static double trainingStepFlops(Hyperparameters hp, ExecutionPlan plan) {
        return 3 * hp.batchSize() * forwardFlops(hp, hp.trainLength() - 1, ForwardPass.training(plan));
    }

    /** FLOPs of one forward pass over one sequence of {@code n} tokens on the evaluation path. */
    public static double evaluationFlops(Hyperparameters hp, int n) {
        return ModelKind.of(hp).evaluationFlops(hp, n);
    }

    /** Bytes an efficient evaluation pass holds at once for {@code batch} sequences of {@code n} tokens. */
    public static long evaluationBytes(Hyperparameters hp, int batch, int n, long tileElements) {
        return ModelKind.of(hp).evaluationBytes(hp, batch, n, tileElements);
    }

    /** Bytes a training step holds for backward (roughly: every layer's activations and scores). */
    public static long trainingBytes(Hyperparameters hp) {
        return ModelKind.of(hp).trainingBytes(hp);
    }

    /** Trainable numbers, as the model counts them, without building the model. */
    public static long parameterCount(Hyperparameters hp) {
        return ModelKind.of(hp).parameterCount(hp);
    }
}
