package org.inductionlab.engine.lab;

import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.model.SequenceModel;
import org.inductionlab.engine.run.SweepPoint;

import java.util.ArrayList;
import java.util.List;

/**
 * Does the answer depend on these heads? The shortcut probe of the model as it is and with the heads'
 * outputs zeroed before W_O, on the same sequences: the probe's layouts, lengths, sequence count and seed.
 * The Attention page's "Ablate this head / its layer" and {@code probe --ablate} both ask this class, so the
 * same heads, count and seed give the same numbers in the window and on the command line.
 */
public final class Ablation {
    private Ablation() {}

    /** One cell of the probe's table, before and after the ablation. */
    public record Row(String layout, String why, int length, SweepPoint before, SweepPoint after) {}

    /** The probe without and with the heads zeroed, and the two tables side by side. */
    public record Result(boolean[][] heads, ShortcutProbe.Result before, ShortcutProbe.Result after) {
        public List<Row> rows() {
            List<Row> out = new ArrayList<>();
            for (ShortcutProbe.Cell a : after.table()) {
                for (ShortcutProbe.Cell b : before.table()) {
                    if (b.layout().equals(a.layout()) && b.length() == a.length()) {
                        out.add(new Row(a.layout(), a.why(), a.length(), b.point(), a.point()));
                    }
                }
            }
            return out;
        }

        /** The rows at the training length: what the Attention page shows. */
        public List<Row> atTrainLength() {
            return rows().stream().filter(r -> r.length() == after.trainLength()).toList();
        }

        /** The heads as {@code probe --ablate} takes them: "1.3,1.0". */
        public String headList() {
            return Ablation.headList(heads);
        }
    }

    /** {@link #measure(SequenceModel, boolean[][], int, long)} on the loaded run's model. */
    public static Result measure(LoadedRun run, boolean[][] heads, int sequences, long seed) {
        return measure(run.model(), heads, sequences, seed);
    }

    /**
     * Probes {@code model} with {@code sequences} per cell and {@code seed}, first as it is and then with
     * {@code heads[layer][head]} zeroed (the shape of the model's layers and heads).
     */
    public static Result measure(SequenceModel model, boolean[][] heads, int sequences, long seed) {
        Hyperparameters hp = model.hyperparameters();
        if (heads == null || heads.length != hp.layers()
                || java.util.Arrays.stream(heads).anyMatch(h -> h.length != hp.heads())) {
            throw new IllegalArgumentException("heads must be " + hp.layers() + " x " + hp.heads());
        }
        ShortcutProbe.Result before = ShortcutProbe.probe(model, sequences, null, seed);
        ShortcutProbe.Result after = ShortcutProbe.probe(model, sequences, heads, seed);
        return new Result(heads, before, after);
    }

    /** One head, or every head of its layer. Out-of-range indices name the allowed range. */
    public static boolean[][] heads(Hyperparameters hp, int layer, int head, boolean wholeLayer) {
        if (layer < 0 || layer >= hp.layers()) {
            throw new InvalidConfigException("ablate", "layer " + layer + " is out of range (allowed: 0.."
                    + (hp.layers() - 1) + ")");
        }
        if (!wholeLayer && (head < 0 || head >= hp.heads())) {
            throw new InvalidConfigException("ablate", "head " + head + " is out of range (allowed: 0.."
                    + (hp.heads() - 1) + ")");
        }
        boolean[][] out = new boolean[hp.layers()][hp.heads()];
        for (int k = 0; k < hp.heads(); k++) {
            out[layer][k] = wholeLayer || k == head;
        }
        return out;
    }

    /** "1.3,1.0": the heads in the form {@link ShortcutProbe#parseHeads} reads, layer by layer. */
    public static String headList(boolean[][] heads) {
        List<String> out = new ArrayList<>();
        for (int l = 0; l < heads.length; l++) {
            for (int h = 0; h < heads[l].length; h++) {
                if (heads[l][h]) {
                    out.add(l + "." + h);
                }
            }
        }
        return String.join(",", out);
    }
}
