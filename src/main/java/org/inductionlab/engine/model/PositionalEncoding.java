package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.inductionlab.engine.config.Hyperparameters;

import java.util.Map;

/**
 * How position enters the model. Absolute schemes add a vector to each token's embedding; rotary turns
 * queries and keys by an angle that grows with position, so attention scores depend on the distance only.
 */
public interface PositionalEncoding extends AutoCloseable {

    /** Adds position information to the scaled embeddings {@code x} of shape (batch, length, d). */
    NDArray addTo(NDArray x);

    /** Rotates queries or keys (batch, heads, n, headDim) whose first row sits at {@code firstPosition}. */
    default NDArray rotate(NDArray qOrK, int firstPosition) {
        return qOrK;
    }

    /** The longest sequence this encoding can embed. */
    default int maxLength() {
        return Integer.MAX_VALUE;
    }

    /** Trainable arrays, by name (only the learned table has any). */
    default Map<String, NDArray> parameters() {
        return Map.of();
    }

    @Override
    default void close() {}

    static PositionalEncoding create(Hyperparameters hp, NDManager manager, java.util.SplittableRandom init) {
        return switch (hp.positional()) {
            case SINUSOIDAL -> new SinusoidalPositions(hp.dModel(), manager);
            case LEARNED -> new LearnedPositions(hp.positionTableSize(), hp.dModel(), manager, init);
            case ROTARY -> new RotaryPositions(hp.headDim());
            case NONE -> new NoPositions();
        };
    }
}
