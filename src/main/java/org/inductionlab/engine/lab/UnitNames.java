package org.inductionlab.engine.lab;

import org.inductionlab.engine.config.Architecture;
import org.inductionlab.engine.config.Hyperparameters;

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
        String name = "L" + layer + " H" + head;
        return hp.architecture() == Architecture.MAMBA ? name + " (ch " + channels(hp, head) + ")" : name;
    }

    /** The channels of Mamba group {@code head}: "48–63" (the last group takes any remainder, as ablation does). */
    public static String channels(Hyperparameters hp, int head) {
        int inner = hp.expand() * hp.dModel();
        int per = Math.max(1, inner / hp.heads());
        int last = head == hp.heads() - 1 ? inner - 1 : (head + 1) * per - 1;
        return (head * per) + "–" + last;
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
        return hp.architecture() == Architecture.MAMBA ? "channel groups" : "heads";
    }
}
