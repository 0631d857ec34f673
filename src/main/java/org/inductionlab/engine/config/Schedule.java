package org.inductionlab.engine.config;

/** Learning rate after warm-up: held constant, or cosine-decayed to zero at {@code max_steps}. */
public enum Schedule {
    CONSTANT,
    COSINE;

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
