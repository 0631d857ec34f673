package org.inductionlab.engine.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The lengths training scores its held-out set at, as multiples of train_length: {@code 2x,4x,16x} (the
 * default) scores at 2, 4 and 16 times the training length, each at most {@link #MAX_LENGTH} tokens.
 */
public record GeneralisationLengths(List<Integer> factors) {

    public static final String ALLOWED = "comma separated multiples of train_length, 2x..1024x (e.g. 2x,4x,16x)";

    /**
     * The longest length scored while training. On a 2-core CPU a length of 4096 for the fast preset costs
     * about as much as the whole held-out set below it; past that the recording would cost more than the
     * training it watches (docs/benchmarks.md, "Generalisation while training").
     */
    public static final int MAX_LENGTH = 4096;

    public static final GeneralisationLengths DEFAULT = new GeneralisationLengths(List.of(2, 4, 16));

    public GeneralisationLengths {
        factors = List.copyOf(new TreeSet<>(factors));
        for (int f : factors) {
            if (f < 2 || f > 1024) {
                throw new IllegalArgumentException("factor " + f);
            }
        }
        if (factors.isEmpty()) {
            throw new IllegalArgumentException("no factors");
        }
    }

    /** Reads "2x,4x,16x" (the x may be left out). */
    public static GeneralisationLengths parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        List<Integer> out = new ArrayList<>();
        for (String part : t.split(",")) {
            String p = part.trim();
            if (p.endsWith("x") || p.endsWith("×")) {
                p = p.substring(0, p.length() - 1).trim();
            }
            out.add(Integer.parseInt(p));
        }
        return new GeneralisationLengths(out);
    }

    /** The lengths for a model trained at {@code trainLength}: each factor's, at most MAX_LENGTH, distinct. */
    public List<Integer> lengths(int trainLength) {
        TreeSet<Integer> out = new TreeSet<>();
        for (int f : factors) {
            long l = (long) f * trainLength;
            out.add((int) Math.min(l, Math.max(MAX_LENGTH, trainLength + 1)));
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        factors.forEach(f -> parts.add(f + "x"));
        return String.join(",", parts);
    }
}
