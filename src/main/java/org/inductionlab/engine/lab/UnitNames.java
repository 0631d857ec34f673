package org.inductionlab.engine.lab;

import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.model.MambaKind;
import org.inductionlab.engine.model.ModelKind;

/**
 * One name for each head, channel group and channel, in the window and on the command line alike. Layers
 * and heads count from 0, as {@code probe --ablate L.H} takes them. A Transformer's head is "L1 H3"; a
 * Mamba's "head" is a group of E/heads channels (what its hidden attention averages and ablation zeroes),
 * named the same way with its channels: "L1 H3 (ch 48–63)"; one of its channels is "L0 ch 55 (H3)".
 */
public final class UnitNames {
    private UnitNames() {}

    /** "L1 H3", or for a Mamba "L1 H3 (ch 48–63)". */
    public static String head(Hyperparameters hp, int layer, int head) {
        return ModelKind.of(hp).unitName(hp, layer, head);
    }

    /** The channels of Mamba group {@code head}: "48–63" (the last group takes any remainder, as ablation does). */
    public static String channels(Hyperparameters hp, int head) {
        return MambaKind.channels(hp, head);
    }

    /** The group (the "head") Mamba channel {@code channel} belongs to. */
    public static int group(Hyperparameters hp, int channel) {
        int per = Math.max(1, hp.expand() * hp.dModel() / hp.heads());
        return Math.min(channel / per, hp.heads() - 1);
    }

    /** "L0 ch 55 (H3)": one Mamba channel and the group it is in. */
    public static String channel(Hyperparameters hp, int layer, int channel) {
        return "L" + layer + " ch " + channel + " (H" + group(hp, channel) + ")";
    }

    /** "heads" for a Transformer, "channel groups" for a Mamba: what the grid's tiles are. */
    public static String heads(Hyperparameters hp) {
        return ModelKind.of(hp).unitsName();
    }

    /** A head's map's title: "L1 H3", or for a Mamba "L1 H3 (ch 48–63), hidden attention". */
    public static String map(Hyperparameters hp, int layer, int head) {
        return head(hp, layer, head) + ModelKind.of(hp).mapSuffix();
    }

    /** The model in a few words, for a table of runs: "2 layers, d=64, 8 heads, pre-norm". */
    public static String model(Hyperparameters hp) {
        return ModelKind.of(hp).describe(hp);
    }

    /** A note under the head scores (what a Mamba's channel groups' scores mean), or null. */
    public static String scoresNote(Hyperparameters hp) {
        return ModelKind.of(hp).scoresNote();
    }
}
