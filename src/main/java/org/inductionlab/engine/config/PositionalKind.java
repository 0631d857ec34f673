package org.inductionlab.engine.config;

/** How the model learns where a token is. */
public enum PositionalKind {
    /** Fixed sine/cosine table added to the embeddings (Vaswani et al. 2017; the course). */
    SINUSOIDAL,
    /** A trained table of {@code max_positions} rows; longer sequences cannot be embedded. */
    LEARNED,
    /** Rotary embeddings (Su et al. 2021): queries and keys rotated by position, nothing added. */
    ROTARY,
    /** No positional signal at all; a causal model can still infer order from the mask. */
    NONE;

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
