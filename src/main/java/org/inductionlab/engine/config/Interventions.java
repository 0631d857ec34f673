package org.inductionlab.engine.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Experiments on a Transformer while it trains, written as settings so a run records them like any other:
 * {@code none}, or a comma separated list of
 * <ul>
 *   <li>{@code clamp:L0H1:previous[:FROM-TO]} — head 1 of layer 0 attends by a fixed pattern ({@code previous}:
 *   all weight on the token before, {@code uniform}: equal weight on every token so far) at training steps
 *   FROM..TO-1 (left out: the whole run; {@code 500-}: from step 500 on). A clamp without an end also acts
 *   after training (evaluation, sweeps, the Attention page): it is part of the model;</li>
 *   <li>{@code knockout:L1H0} or {@code knockout:L1} — that head's (every head of that layer's) output is
 *   zeroed before W_O, in training and in every later use of the model;</li>
 *   <li>{@code freeze:L0} — layer 0's weights are never updated (they keep their initial values).</li>
 * </ul>
 * Layers and heads count from 0, as {@code probe --ablate} names them.
 */
public record Interventions(List<Intervention> list) {

    /** The allowed text, for error messages and help. */
    public static final String ALLOWED = "none, or comma separated clamp:LxHy:previous|uniform[:FROM-TO],"
            + " knockout:LxHy, knockout:Lx, freeze:Lx";

    public static final Interventions NONE = new Interventions(List.of());

    public enum Kind { CLAMP, KNOCKOUT, FREEZE }

    /** What a clamped head's attention is replaced by. */
    public enum AttentionPattern {
        /** Query i puts all its weight on key i-1 (query 0 on itself): a previous-token head. */
        PREVIOUS,
        /** Query i spreads its weight evenly over keys 0..i. */
        UNIFORM
    }

    /**
     * One intervention; {@code head} is -1 for a whole layer; a clamp acts at steps {@code from} (inclusive)
     * to {@code to} (exclusive; {@link Long#MAX_VALUE}: to the end).
     */
    public record Intervention(Kind kind, int layer, int head, AttentionPattern pattern, long from, long to) {

        /**
         * Whether this clamp acts at training step {@code step} (the step being trained, from 0). Outside
         * training ({@code step} -1: a finished run evaluated, swept, probed) a clamp without an end still
         * acts — it is part of the model the run trained — and one with an end has ended.
         */
        public boolean activeAt(long step) {
            return step < 0 ? to == Long.MAX_VALUE : step >= from && step < to;
        }

        @Override
        public String toString() {
            String unit = head < 0 ? "L" + layer : "L" + layer + "H" + head;
            return switch (kind) {
                case KNOCKOUT -> "knockout:" + unit;
                case FREEZE -> "freeze:" + unit;
                case CLAMP -> "clamp:" + unit + ":" + pattern.name().toLowerCase(Locale.ROOT)
                        + (from == 0 && to == Long.MAX_VALUE ? "" : ":" + from + "-" + (to == Long.MAX_VALUE ? "" : to));
            };
        }
    }

    public Interventions {
        list = List.copyOf(list);
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    private static final Pattern UNIT = Pattern.compile("l(\\d{1,4})(?:h(\\d{1,4}))?");
    private static final Pattern RANGE = Pattern.compile("(\\d{1,12})-(\\d{1,12})?");

    /** Reads "none" or the list; anything else is bad input naming this setting and the allowed form. */
    public static Interventions parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty() || t.equals("none")) {
            return NONE;
        }
        List<Intervention> out = new ArrayList<>();
        for (String part : t.split(",")) {
            String p = part.trim();
            String[] f = p.split(":", -1);
            Kind kind;
            try {
                kind = Kind.valueOf(f[0].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw bad("'" + p + "' is not an intervention");
            }
            Matcher unit = f.length > 1 ? UNIT.matcher(f[1]) : null;
            if (unit == null || !unit.matches()) {
                throw bad("'" + p + "' names no layer or head (write L1 or L1H0)");
            }
            int layer = Integer.parseInt(unit.group(1));
            int head = unit.group(2) == null ? -1 : Integer.parseInt(unit.group(2));
            if (kind != Kind.CLAMP) {
                if (f.length != 2) {
                    throw bad("'" + p + "' takes nothing after " + f[1] + " (write " + f[0] + ":" + f[1] + ")");
                }
                if (kind == Kind.FREEZE && head >= 0) {
                    throw bad("'" + p + "': freeze takes a whole layer (write freeze:L" + layer + ")");
                }
                out.add(new Intervention(kind, layer, head, null, 0, Long.MAX_VALUE));
                continue;
            }
            if (head < 0 || f.length < 3 || f.length > 4) {
                throw bad("'" + p + "': a clamp is clamp:LxHy:previous|uniform[:FROM-TO]");
            }
            AttentionPattern pattern;
            try {
                pattern = AttentionPattern.valueOf(f[2].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw bad("'" + p + "': the pattern '" + f[2] + "' is unknown (allowed: previous | uniform)");
            }
            long from = 0;
            long to = Long.MAX_VALUE;
            if (f.length == 4) {
                Matcher r = RANGE.matcher(f[3]);
                if (!r.matches()) {
                    throw bad("'" + p + "': the steps '" + f[3] + "' are not FROM-TO (e.g. 0-2000, or 500- to the end)");
                }
                from = Long.parseLong(r.group(1));
                to = r.group(2) == null ? Long.MAX_VALUE : Long.parseLong(r.group(2));
                if (to <= from) {
                    throw bad("'" + p + "': the steps " + f[3] + " are empty (allowed: FROM < TO)");
                }
            }
            out.add(new Intervention(kind, layer, head, pattern, from, to));
        }
        return new Interventions(out);
    }

    private static InvalidConfigException bad(String why) {
        return new InvalidConfigException(KEY, why + " (allowed: " + ALLOWED + ")");
    }

    static final String KEY = "interventions";

    /** What does not fit the model {@code hp} describes: a Mamba, a layer or head it does not have. */
    List<Problem> problems(Hyperparameters hp) {
        List<Problem> out = new ArrayList<>();
        if (isEmpty()) {
            return out;
        }
        if (!hp.architecture().reads(KEY)) { // only a model with attention heads reads it
            out.add(new Problem(KEY, "a " + hp.architecture().toString().toLowerCase(Locale.ROOT) + " model has no"
                    + " attention heads to clamp, knock out or freeze (allowed: none)"));
            return out;
        }
        String allowed = " (allowed: L0..L" + (hp.layers() - 1) + ", H0..H" + (hp.heads() - 1) + ")";
        for (Intervention i : list) {
            if (i.layer() >= hp.layers() || i.head() >= hp.heads()) {
                String unit = i.head() < 0 ? "layer L" + i.layer() : "head L" + i.layer() + "H" + i.head();
                out.add(new Problem(KEY, unit + " does not exist" + allowed));
                return out;
            }
        }
        for (int a = 0; a < list.size(); a++) {
            for (int b = a + 1; b < list.size(); b++) {
                Intervention x = list.get(a);
                Intervention y = list.get(b);
                boolean sameHead = x.layer() == y.layer() && (x.head() == y.head() || x.head() < 0 || y.head() < 0);
                boolean bothClamps = x.kind() == Kind.CLAMP && y.kind() == Kind.CLAMP;
                if (sameHead && x.kind() != Kind.FREEZE && y.kind() != Kind.FREEZE
                        && (!bothClamps || x.from() < y.to() && y.from() < x.to())) {
                    out.add(new Problem(KEY, x + " and " + y + " act on the same head"
                            + " (allowed: one clamp or knockout per head at a time)"));
                    return out;
                }
            }
        }
        return out;
    }

    /** Whether head {@code head} of layer {@code layer} is knocked out (for good). */
    public boolean knocksOut(int layer, int head) {
        return list.stream().anyMatch(i -> i.kind() == Kind.KNOCKOUT && i.layer() == layer
                && (i.head() < 0 || i.head() == head));
    }

    /** Whether layer {@code layer}'s weights stay as initialised. */
    public boolean freezes(int layer) {
        return list.stream().anyMatch(i -> i.kind() == Kind.FREEZE && i.layer() == layer);
    }

    /**
     * The pattern head {@code head} of {@code layer} is clamped to at training step {@code step} (-1: outside
     * training), or null.
     */
    public AttentionPattern clampAt(int layer, int head, long step) {
        for (Intervention i : list) {
            if (i.kind() == Kind.CLAMP && i.layer() == layer && i.head() == head && i.activeAt(step)) {
                return i.pattern();
            }
        }
        return null;
    }

    /** Whether any head of {@code layer} is knocked out, or clamped at {@code step}. */
    public boolean touches(int layer, long step) {
        return list.stream().anyMatch(i -> i.layer() == layer && (i.kind() == Kind.KNOCKOUT
                || i.kind() == Kind.CLAMP && i.activeAt(step)));
    }

    @Override
    public String toString() {
        if (isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        list.forEach(i -> parts.add(i.toString()));
        return String.join(",", parts);
    }
}
