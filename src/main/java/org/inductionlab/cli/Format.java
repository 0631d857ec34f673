package org.inductionlab.cli;

import java.util.Locale;

/** Small text helpers for console output. */
final class Format {
    private Format() {}

    static String duration(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%5.1f%%", 100 * fraction);
    }
}
