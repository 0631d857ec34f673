package org.inductionlab.engine.config;

import java.util.Set;

/**
 * Which sequence model a run trains; each is one file behind {@code engine.model.SequenceModel}, registered
 * once in {@code engine.model.ModelKind}. A constant says what the settings need to know of it: the keys it
 * alone reads, and whether its heads are attention heads.
 */
public enum Architecture {
    /** The course's decoder-only Transformer (Vaswani et al. 2017). */
    TRANSFORMER(true, Set.of("ff_mult", "dropout", "norm", "positional", "max_positions", "layer_positional",
            "attention_scale")),
    /**
     * A selective state-space model (Gu and Dao 2023): no attention, linear in the length. Its {@code heads}
     * are channel groups (the Attention page's hidden attention, ablation), so they apply.
     */
    MAMBA(false, Set.of("d_state", "d_conv", "expand", "dt_rank", "dt_min", "dt_max", "a_min", "a_max",
            "state_noise"));

    private final boolean attentionHeads;
    private final Set<String> ownKeys;

    Architecture(boolean attentionHeads, Set<String> ownKeys) {
        this.attentionHeads = attentionHeads;
        this.ownKeys = ownKeys;
    }

    /** The settings this architecture alone reads (the Transformer's norm and positions, Mamba's state). */
    public Set<String> ownKeys() {
        return ownKeys;
    }

    /** Whether this architecture reads {@code key}: every setting no other architecture owns, and its own. */
    public boolean reads(String key) {
        if (ownKeys.contains(key)) {
            return true;
        }
        for (Architecture other : values()) {
            if (other.ownKeys.contains(key)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code heads} split d_model into attention heads (so must divide it, and positions act in them). */
    public boolean attentionHeads() {
        return attentionHeads;
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
