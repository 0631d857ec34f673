package org.inductionlab.engine.config;

/** Which sequence model a run trains; each is one file behind {@code engine.model.SequenceModel}. */
public enum Architecture {
    /** The course's decoder-only Transformer (Vaswani et al. 2017). */
    TRANSFORMER,
    /** A selective state-space model (Gu and Dao 2023): no attention, linear in the length. */
    MAMBA;

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
