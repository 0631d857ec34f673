package org.inductionlab.ui.sweep;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Gu and Dao (2023), "Mamba", Table 11: induction-heads accuracy (%) of 2-layer models trained at length
 * 256, tested at 2^6..2^20. Attention ran out of memory beyond 2^14, so the MHA rows stop there.
 */
public final class ReferenceResults {
    private ReferenceResults() {}

    /** Series name to accuracies (%) at 2^6, 2^7, ... */
    public static Map<String, double[]> table11() {
        Map<String, double[]> t = new LinkedHashMap<>();
        t.put("MHA-Abs (Mamba paper)", new double[] {100, 99.6, 100, 58.6, 26.6, 18.8, 9.8, 10.9, 7.8});
        t.put("MHA-RoPE (Mamba paper)", new double[] {100, 100, 100, 83.6, 31.3, 18.4, 8.6, 9.0, 5.5});
        t.put("MHA-xPos (Mamba paper)", new double[] {100, 100, 100, 99.6, 67.6, 25.4, 7.0, 9.0, 7.8});
        double[] mamba = new double[15];
        java.util.Arrays.fill(mamba, 100);
        t.put("Mamba (Mamba paper)", mamba);
        return t;
    }

    public static final int FIRST_EXPONENT = 6;

    /**
     * A fixed look per row, whatever runs are plotted beside it: a colour and a dash pattern of its own
     * (runs are solid lines with points), so the rows stay apart on a projector and in black and white.
     */
    public static String style(String row) {
        return switch (row) {
            case "MHA-Abs (Mamba paper)" -> "#495057; -fx-stroke-dash-array: 10 5";
            case "MHA-RoPE (Mamba paper)" -> "#a61e4d; -fx-stroke-dash-array: 3 4";
            case "MHA-xPos (Mamba paper)" -> "#5f3dc4; -fx-stroke-dash-array: 12 4 3 4";
            case "Mamba (Mamba paper)" -> "#087f5b; -fx-stroke-dash-array: 6 3";
            default -> "#868e96; -fx-stroke-dash-array: 4 4";
        };
    }

    /** The colour part of {@link #style}. */
    public static String colour(String row) {
        return style(row).split(";")[0];
    }
}
