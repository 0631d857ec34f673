package org.inductionlab.engine.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How position enters attention, layer by layer: {@code same} (every layer as {@code positional} says), or
 * one entry per layer, comma separated, each {@code rotary}, {@code xpos}, {@code alibi}, {@code none} or
 * {@code window:W} — a hard local window: a query sees only itself and the W-1 tokens before it, the
 * "Hard-ALiBi" heads of Jelassi et al. 2024. E.g. {@code window:2,none}: layer 0 can look one token back and
 * no further, layer 1 anywhere with no notion of distance — what the induction task needs, and no more.
 */
public record LayerPositions(List<Entry> layers) {

    /** The allowed text, for error messages and help. */
    public static final String ALLOWED = "same, or one per layer of rotary | xpos | alibi | none | window:W (W 1..65536),"
            + " comma separated";

    /** Every layer as {@code positional} says. */
    public static final LayerPositions SAME = new LayerPositions(List.of());

    /** What one layer's attention knows of position. */
    public enum Kind {
        ROTARY, XPOS, ALIBI, NONE, WINDOW
    }

    /** One layer's scheme; {@code window} is the number of tokens a query sees (WINDOW only, else 0). */
    public record Entry(Kind kind, int window) {
        public Entry {
            if (kind == Kind.WINDOW ? window < 1 || window > 65536 : window != 0) {
                throw new IllegalArgumentException("window " + window);
            }
        }

        /** The scheme of a layer when the whole model uses {@code positional}. */
        public static Entry of(PositionalKind positional) {
            return new Entry(switch (positional) {
                case ROTARY -> Kind.ROTARY;
                case XPOS -> Kind.XPOS;
                case ALIBI -> Kind.ALIBI;
                case SINUSOIDAL, LEARNED, NONE -> Kind.NONE; // nothing inside attention
            }, 0);
        }

        /** Whether queries and keys are rotated (rotary, xpos): they then need an even head width. */
        public boolean rotates() {
            return kind == Kind.ROTARY || kind == Kind.XPOS;
        }

        @Override
        public String toString() {
            return kind == Kind.WINDOW ? "window:" + window : kind.name().toLowerCase(Locale.ROOT);
        }
    }

    public LayerPositions {
        layers = List.copyOf(layers);
    }

    /** Whether every layer follows {@code positional}. */
    public boolean same() {
        return layers.isEmpty();
    }

    /** Layer {@code l}'s scheme, given the model-wide {@code positional}. */
    public Entry at(int l, PositionalKind positional) {
        return same() ? Entry.of(positional) : layers.get(l);
    }

    /** Reads "same" or "window:2,none"; throws IllegalArgumentException on anything else. */
    public static LayerPositions parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty() || t.equals("same")) {
            return SAME;
        }
        List<Entry> out = new ArrayList<>();
        for (String part : t.split(",")) {
            String p = part.trim();
            if (p.startsWith("window:")) {
                out.add(new Entry(Kind.WINDOW, Integer.parseInt(p.substring("window:".length()).trim())));
            } else if (p.equals("window")) {
                throw new IllegalArgumentException(p);
            } else {
                out.add(new Entry(Kind.valueOf(p.toUpperCase(Locale.ROOT)), 0));
            }
        }
        return new LayerPositions(out);
    }

    @Override
    public String toString() {
        if (same()) {
            return "same";
        }
        List<String> parts = new ArrayList<>();
        layers.forEach(e -> parts.add(e.toString()));
        return String.join(",", parts);
    }
}
