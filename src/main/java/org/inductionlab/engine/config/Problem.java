package org.inductionlab.engine.config;

/**
 * One thing wrong with one field, worded for the person who typed it. A number outside its range also
 * carries the number and the range ({@link Range}), so a front end words it in its own names (a flag,
 * a label) and its own notation (2^7 for an exponent) without reading the English back.
 */
public record Problem(String key, String message, Range range) {

    public Problem(String key, String message) {
        this(key, message, null);
    }

    /**
     * {@code value} outside {@code min..max}. {@code atLeast} names the setting the lower bound comes from
     * (null when it is fixed); {@code note} says what else is allowed or why the range ends where it does
     * (null when nothing).
     */
    public record Range(long value, long min, long max, String atLeast, String note) {}

    /** How a front end names a setting and writes its numbers. */
    public interface Words {
        /** The setting as this front end shows it: the key itself, a flag, a label. */
        String name(String key);

        /** A number of setting {@code key} as this front end shows it. */
        default String number(String key, long value) {
            return Long.toString(value);
        }

        /** The engine's own names: the keys. */
        Words KEYS = key -> key;
    }

    /** "key: 7 is out of range (allowed: 9..24, at least min_exponent)", worded with the keys. */
    public static Problem outOfRange(String key, long value, long min, long max, String atLeast, String note) {
        Range range = new Range(value, min, max, atLeast, note);
        return new Problem(key, rangeText(key, range, Words.KEYS), range);
    }

    /** The problem in a front end's words: its name for the key, then the message (a range in its notation). */
    public String describe(Words words) {
        return words.name(key) + ": " + (range == null ? message : rangeText(key, range, words));
    }

    private static String rangeText(String key, Range r, Words w) {
        return w.number(key, r.value()) + " is out of range (allowed: " + w.number(key, r.min()) + ".."
                + w.number(key, r.max()) + (r.atLeast() == null ? "" : ", at least " + w.name(r.atLeast()))
                + (r.note() == null ? "" : ", " + r.note()) + ")";
    }

    @Override
    public String toString() {
        return describe(Words.KEYS);
    }
}
