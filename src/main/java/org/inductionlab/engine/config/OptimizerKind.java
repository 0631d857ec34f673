package org.inductionlab.engine.config;

/** Adam adds weight decay to the gradient (L2); AdamW decays the weights directly (Loshchilov and Hutter 2019). */
public enum OptimizerKind {
    ADAM,
    ADAMW;

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
