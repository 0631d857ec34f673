package org.inductionlab.engine.task;

import java.util.SplittableRandom;

/**
 * Where the first induction token S goes. The second S is always at L-2, so the answer is the token that
 * followed the first S. With a fixed position a model can learn the answer's position instead of the rule;
 * moving the first S ({@code prefix:K}, {@code anywhere}) tells the two apart.
 */
public sealed interface TriggerLayout {

    /** Position of the first S in a sequence of the given length. */
    int position(SplittableRandom rng, int length);

    /** Why this layout cannot be used at this length, or null when it can. */
    String problemAt(int length);

    /** The course: S always at position p. */
    record Fixed(int p) implements TriggerLayout {
        public int position(SplittableRandom rng, int length) {
            return p;
        }

        public String problemAt(int length) {
            return p + 1 < length - 2 ? null : "fixed:" + p + " needs length >= " + (p + 4) + ", got " + length;
        }

        @Override
        public String toString() {
            return "fixed:" + p;
        }
    }

    /** S uniform in [0, k): a little variety near the start. */
    record Prefix(int k) implements TriggerLayout {
        public int position(SplittableRandom rng, int length) {
            return rng.nextInt(k);
        }

        public String problemAt(int length) {
            return k <= length - 3 ? null : "prefix:" + k + " needs length >= " + (k + 3) + ", got " + length;
        }

        @Override
        public String toString() {
            return "prefix:" + k;
        }
    }

    /** S uniform in [0, L-4): the model must find it, which only induction (or memorising nothing) can do. */
    record Anywhere() implements TriggerLayout {
        public int position(SplittableRandom rng, int length) {
            return rng.nextInt(length - 4);
        }

        public String problemAt(int length) {
            return length >= 8 ? null : "anywhere needs length >= 8, got " + length;
        }

        @Override
        public String toString() {
            return "anywhere";
        }
    }

    String ALLOWED = "fixed:P (P >= 0), prefix:K (K >= 1) or anywhere";

    /** Parses {@code fixed:5}, {@code prefix:10} or {@code anywhere}. */
    static TriggerLayout parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("anywhere")) {
            return new Anywhere();
        }
        int colon = t.indexOf(':');
        if (colon > 0) {
            String kind = t.substring(0, colon);
            int n;
            try {
                n = Integer.parseInt(t.substring(colon + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a layout; use " + ALLOWED);
            }
            if (kind.equals("fixed") && n >= 0) {
                return new Fixed(n);
            }
            if (kind.equals("prefix") && n >= 1) {
                return new Prefix(n);
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a layout; use " + ALLOWED);
    }
}
