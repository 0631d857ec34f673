package org.inductionlab.engine.config;

/** How the model learns where a token is. */
public enum PositionalKind {
    /** Fixed sine/cosine table added to the embeddings (Vaswani et al. 2017; the course). */
    SINUSOIDAL,
    /** A trained table of {@code max_positions} rows; longer sequences cannot be embedded. */
    LEARNED,
    /** Rotary embeddings (Su et al. 2021): queries and keys rotated by position, nothing added. */
    ROTARY,
    /**
     * xPos (Sun et al. 2023): rotary, and each pair of dimensions scaled so that a score also decays with the
     * distance, by zeta_i^((query - key) / 512), zeta_i = (i / (d_head/2) + 0.4) / 1.4.
     */
    XPOS,
    /** ALiBi (Press et al. 2022): nothing added; head h subtracts m_h * (query - key) from its scores. */
    ALIBI,
    /** No positional signal at all; a causal model can still infer order from the mask. */
    NONE;

    /** Whether this scheme adds a vector to the embeddings (the others act inside attention, or not at all). */
    public boolean addsToEmbeddings() {
        return this == SINUSOIDAL || this == LEARNED;
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
