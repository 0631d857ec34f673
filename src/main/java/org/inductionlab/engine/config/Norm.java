package org.inductionlab.engine.config;

/** Where each sub-layer's LayerNorm sits: before it (pre-norm, GPT-2 style) or after the residual sum (post-norm, the 2017 Transformer and the course). */
public enum Norm {
    PRE,
    POST;

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
