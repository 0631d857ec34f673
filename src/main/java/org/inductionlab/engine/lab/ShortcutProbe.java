package org.inductionlab.engine.lab;

import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.model.SequenceModel;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.engine.task.TriggerLayout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Does a run solve the task by induction or by remembering a position? It re-scores the run at its
 * training length and at 2x and 4x with the trigger where it was trained, in [0, 10), anywhere, and (for
 * a run trained with the trigger at a fixed place) moved by one position, and gives a verdict with the
 * numbers behind it:
 * <ul>
 *   <li>{@code not learned} — under 50 % on the layout it was trained on;</li>
 *   <li>{@code induction} — 90 % or more with the trigger anywhere;</li>
 *   <li>{@code positional shortcut} — 90 % or more where it was trained, under 50 % with the trigger
 *       anywhere: it relies on where S is (a shortcut often still works for S moved by a position or two;
 *       the table shows how far it carries);</li>
 *   <li>{@code mixed} — anything between.</li>
 * </ul>
 */
public final class ShortcutProbe {
    private ShortcutProbe() {}

    /** Sequences per cell when none are asked for: the window's probe and the command line's {@code probe}. */
    public static final int DEFAULT_SEQUENCES = 256;
    public static final int MAX_SEQUENCES = 100_000;
    /** Seed of the probe's sequences when none is asked for. */
    public static final long DEFAULT_SEED = 1;

    /** One row of the table: a layout at a length. */
    public record Cell(String layout, String why, int length, SweepPoint point) {}

    /**
     * The verdict, the sentence that says why, the table, and which induction head the run grew ({@link
     * HeadKind}; null for a Mamba, or when heads were ablated).
     */
    public record Result(String verdict, String why, int trainLength, List<Cell> table, HeadKind heads) {
        /** Accuracy of a layout at a length, or NaN when it was not measured. */
        public double accuracy(String layout, int length) {
            return table.stream().filter(c -> c.layout().equals(layout) && c.length() == length).findFirst()
                    .map(c -> c.point().accuracy()).orElse(Double.NaN);
        }
    }

    /** The layouts probed for a run trained on {@code trained}, by name: why each is asked. */
    static Map<String, String> layouts(TriggerLayout trained) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(trained.toString(), "where it was trained");
        if (trained instanceof TriggerLayout.Fixed f) {
            out.put(new TriggerLayout.Fixed(f.p() + 1).toString(), "moved by one position");
        }
        out.putIfAbsent("prefix:10", "in [0, 10)");
        out.putIfAbsent("anywhere", "anywhere");
        return out;
    }

    /** Probes the loaded run's model as it is with {@code sequences} per cell. */
    public static Result probe(LoadedRun run, int sequences, long seed) {
        return probe(run.model(), sequences, null, seed);
    }

    /** Probes {@code model} ({@code ablated} heads zeroed, or null) with {@code sequences} per cell. */
    public static Result probe(SequenceModel model, int sequences, boolean[][] ablated, long seed) {
        checkSequences(sequences);
        Hyperparameters hp = model.hyperparameters();
        LengthSweep sweep = LengthSweep.forDevice(model.device());
        List<Cell> table = new ArrayList<>();
        int l = hp.trainLength();
        for (Map.Entry<String, String> e : layouts(hp.layout()).entrySet()) {
            TriggerLayout layout = TriggerLayout.parse(e.getKey());
            for (int length : new int[] {l, 2 * l, 4 * l}) {
                if (layout.problemAt(length) != null || length - 1 > model.maxLength()) {
                    continue;
                }
                table.add(new Cell(e.getKey(), e.getValue(), length,
                        sweep.measure(model, layout, length, sequences, seed, ablated)));
            }
        }
        Result r = verdict(hp, table);
        if (hp.task() != org.inductionlab.engine.config.TaskKind.TRIGGER) {
            r = new Result(r.verdict(), "Trained on task " + hp.task() + ", never on the trigger task: the table is"
                    + " what it does there untrained. " + r.why(), r.trainLength(), r.table(), null);
        }
        HeadKind heads = ablated == null && HeadKind.applies(model) ? HeadKind.of(model, seed) : null;
        return new Result(r.verdict(), r.why(), r.trainLength(), r.table(), heads);
    }

    /** Refuses a count outside 1..{@value #MAX_SEQUENCES}, naming the allowed range. */
    public static void checkSequences(int sequences) {
        if (sequences < 1 || sequences > MAX_SEQUENCES) {
            throw InvalidConfigException.outOfRange("sequences_per_length", sequences, 1, MAX_SEQUENCES, null, null);
        }
    }

    static Result verdict(Hyperparameters hp, List<Cell> table) {
        int l = hp.trainLength();
        Result r = new Result("", "", l, table, null);
        String trained = hp.layout().toString();
        double own = r.accuracy(trained, l);
        double anywhere = r.accuracy("anywhere", l);
        double moved = hp.layout() instanceof TriggerLayout.Fixed f
                ? r.accuracy(new TriggerLayout.Fixed(f.p() + 1).toString(), l) : Double.NaN;
        String verdict;
        String why;
        if (own < 0.5) {
            verdict = "not learned";
            why = String.format(Locale.ROOT, "It scores %s on the layout it was trained on (%s) at length %d.",
                    pct(own), trained, l);
        } else if (anywhere >= 0.9) {
            verdict = "induction";
            why = String.format(Locale.ROOT, "It finds the trigger wherever it is: %s with S anywhere at length %d,"
                    + " %s where it was trained.", pct(anywhere), l, pct(own));
        } else if (own >= 0.9 && anywhere < 0.5) {
            double prefix = r.accuracy("prefix:10", l);
            verdict = "positional shortcut";
            why = String.format(Locale.ROOT, "It scores %s with S where it was trained%s but %s with S anywhere: it"
                    + " relies on where S is, not on finding the earlier S.", pct(own),
                    (Double.isNaN(moved) ? "" : ", " + pct(moved) + " with S moved by one")
                            + (Double.isNaN(prefix) ? "" : ", " + pct(prefix) + " with S in [0, 10)"), pct(anywhere));
        } else if (hp.layout() instanceof TriggerLayout.Anywhere) {
            verdict = "mixed";
            why = String.format(Locale.ROOT, "Trained with S anywhere, it finds the trigger in %s of sequences at"
                    + " length %d: some induction, not yet (or no longer) reliable.", pct(anywhere), l);
        } else {
            verdict = "mixed";
            why = String.format(Locale.ROOT, "It scores %s where it was trained and %s with S anywhere%s: partly"
                    + " induction, partly position.", pct(own), pct(anywhere),
                    Double.isNaN(moved) ? "" : " (" + pct(moved) + " moved by one)");
        }
        return new Result(verdict, why, l, table, null);
    }

    private static String pct(double a) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * a);
    }

    /** "1.3,0.0" to ablated[layer][head]; a bad entry names itself and the allowed range. */
    public static boolean[][] parseHeads(String text, Hyperparameters hp) {
        boolean[][] out = new boolean[hp.layers()][hp.heads()];
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String part : text.split(",")) {
            String[] lh = part.trim().split("\\.");
            try {
                int layer = Integer.parseInt(lh[0]);
                int head = Integer.parseInt(lh[1]);
                out[layer][head] = true;
            } catch (RuntimeException e) {
                throw new InvalidConfigException("ablate", "'" + part.trim()
                        + "' is not a head (allowed: LAYER.HEAD with LAYER 0.." + (hp.layers() - 1) + " and HEAD 0.."
                        + (hp.heads() - 1) + ", comma-separated)");
            }
        }
        return out;
    }
}
