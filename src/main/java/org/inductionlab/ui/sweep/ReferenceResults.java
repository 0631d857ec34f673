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
}
