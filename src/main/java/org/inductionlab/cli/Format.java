package org.inductionlab.cli;

import java.util.Locale;

/** Small text helpers for console output. */
final class Format {
    private Format() {}

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%5.1f%%", 100 * fraction);
    }
}
