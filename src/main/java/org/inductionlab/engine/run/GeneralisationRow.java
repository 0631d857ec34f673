package org.inductionlab.engine.run;

import java.util.Locale;

/**
 * One row of generalisation.csv: at a training step, the held-out sequences of one length whose two
 * {@code S} lie {@code distanceMin..distanceMax} tokens apart, and how many of them the model answered
 * (see eval.Generalisation).
 */
public record GeneralisationRow(long step, int length, int distanceMin, int distanceMax, int sequences, int correct) {

    public static final String CSV_HEADER = "step,length,distance_min,distance_max,sequences,correct";

    public double accuracy() {
        return sequences == 0 ? Double.NaN : (double) correct / sequences;
    }

    public String toCsv() {
        return String.format(Locale.ROOT, "%d,%d,%d,%d,%d,%d", step, length, distanceMin, distanceMax, sequences,
                correct);
    }

    public static GeneralisationRow parseCsv(String line) {
        String[] f = line.split(",");
        if (f.length != 6) {
            throw new IllegalArgumentException("expected 6 columns, got " + f.length);
        }
        return new GeneralisationRow(Long.parseLong(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                Integer.parseInt(f[3]), Integer.parseInt(f[4]), Integer.parseInt(f[5]));
    }
}
