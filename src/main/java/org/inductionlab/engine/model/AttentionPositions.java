package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import org.inductionlab.engine.config.LayerPositions;

/**
 * What one layer's attention knows of position: a turn of its queries and keys (rotary, xPos), a term added
 * to its scores ({@link ScoreBias}: ALiBi, a hard local window), or nothing. The embedding-level schemes
 * (sinusoidal, learned) are {@link PositionalEncoding}s instead.
 */
interface AttentionPositions {

    /**
     * Queries or keys (batch, heads, n, headDim) whose first row sits at {@code firstPosition}. {@code centre}
     * is a position of this pass's own choosing, the same for its queries and keys: a score depends on the
     * distance alone, but xPos's scale factors are exact in float only near the centre.
     */
    default NDArray query(NDArray q, int firstPosition, int centre) {
        return q;
    }

    /** Keys at positions 0..; see {@link #query}. */
    default NDArray key(NDArray k, int centre) {
        return k;
    }

    /** The term added to scores, or null. */
    default ScoreBias bias() {
        return null;
    }

    /** The longest input this scheme computes right. */
    default int maxLength() {
        return Integer.MAX_VALUE;
    }

    /** Nothing: attention is blind to order except through the causal mask. */
    AttentionPositions NONE = new AttentionPositions() {};

    static AttentionPositions of(LayerPositions.Entry scheme, int heads, int headDim) {
        return switch (scheme.kind()) {
            case ROTARY -> new RotaryPositions(headDim);
            case XPOS -> new XPosPositions(headDim);
            case ALIBI -> new AlibiBias(heads);
            case WINDOW -> new WindowBias(scheme.window());
            case NONE -> NONE;
        };
    }
}
