package org.inductionlab.engine.config;

/** Where the arrays live: the first GPU if there is one (auto), the CPU, or a GPU that must exist. */
public enum DeviceChoice {
    AUTO,
    CPU,
    GPU;

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
