package org.inductionlab.engine.text;

import java.util.Locale;

/** How long something takes, written for people: one place, for the command line and the window. */
public final class Durations {
    private Durations() {}

    /** A clock: "4:05" or "1:02:03"; "–" when unknown. */
    public static String clock(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return "–";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** An estimate in words: "<1 s", "45 s", "12 min", "3.5 h"; "?" when unknown. */
    public static String words(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return "?";
        }
        if (seconds < 1) {
            return "<1 s";
        }
        if (seconds < 120) {
            return Math.round(seconds) + " s";
        }
        if (seconds < 7200) {
            return Math.round(seconds / 60) + " min";
        }
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }
}
