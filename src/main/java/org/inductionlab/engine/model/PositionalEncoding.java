package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.inductionlab.engine.config.Hyperparameters;

import java.util.Map;

/**
 * What the embeddings learn of position: absolute schemes add a vector to each token's embedding. The
 * schemes that act inside attention (rotary, xPos, ALiBi, a local window) are {@link AttentionPositions},
 * layer by layer; for them nothing is added here.
 */
public interface PositionalEncoding extends AutoCloseable {

    /** Adds position information to the scaled embeddings {@code x} of shape (batch, length, d). */
    NDArray addTo(NDArray x);

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
            case ROTARY, XPOS, ALIBI, NONE -> new NoPositions();
        };
    }
}
