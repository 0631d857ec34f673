package org.inductionlab.engine.run;

/**
 * Accuracy at one length: {@code correct} of {@code sequences} answered right, with the Wilson 95 % score
 * interval (sensible even at 0 or 100 %), and the precision the pass computed in ("fp32" or "fp16").
 */
public record SweepPoint(int length, String layout, int sequences, int correct, double accuracy,
                         double wilsonLow, double wilsonHigh, double seconds, String precision) {

    public static final String CSV_HEADER = "length,layout,sequences,correct,accuracy,wilson_low,wilson_high,seconds,"
            + "precision";

    public SweepPoint {
        precision = precision == null || precision.isBlank() ? "fp32" : precision;
    }

    /** Measured in fp32. */
    public SweepPoint(int length, String layout, int sequences, int correct, double accuracy,
                      double wilsonLow, double wilsonHigh, double seconds) {
        this(length, layout, sequences, correct, accuracy, wilsonLow, wilsonHigh, seconds, "fp32");
    }

    public static SweepPoint of(int length, String layout, int sequences, int correct, double seconds) {
        return of(length, layout, sequences, correct, seconds, "fp32");
    }

    public static SweepPoint of(int length, String layout, int sequences, int correct, double seconds,
                                String precision) {
        double[] ci = wilson(correct, sequences);
        return new SweepPoint(length, layout, sequences, correct, sequences == 0 ? 0 : (double) correct / sequences,
                ci[0], ci[1], seconds, precision);
    }

    /** Wilson score interval for k successes in n trials at z = 1.96. */
    public static double[] wilson(int k, int n) {
        if (n == 0) {
            return new double[] {0, 1};
        }
        double z = 1.959963984540054;
        double p = (double) k / n;
        double z2n = z * z / n;
        double centre = (p + z2n / 2) / (1 + z2n);
        double half = z / (1 + z2n) * Math.sqrt(p * (1 - p) / n + z2n / (4.0 * n));
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    public String toCsv() {
        return length + "," + layout + "," + sequences + "," + correct + "," + fmt(accuracy) + "," + fmt(wilsonLow)
                + "," + fmt(wilsonHigh) + "," + String.format(java.util.Locale.ROOT, "%.3f", seconds) + "," + precision;
    }

    /** A sweep.csv row: 9 columns, or the 8 of files written before the precision column (fp32). */
    public static SweepPoint parseCsv(String line) {
        String[] f = line.split(",");
        if (f.length != 8 && f.length != 9) {
            throw new IllegalArgumentException("expected 9 columns, got " + f.length);
        }
        return new SweepPoint(Integer.parseInt(f[0]), f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[7]),
                f.length == 9 ? f[8] : "fp32");
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.6f", v);
    }
}
