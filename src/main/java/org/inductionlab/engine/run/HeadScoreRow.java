package org.inductionlab.engine.run;

import java.util.Locale;

/** One row of heads.csv: a head's standard scores at a training step (see eval.HeadScores). */
public record HeadScoreRow(long step, int layer, int head, double previousToken, double induction,
                           double duplicateToken, double target) {

    public static final String CSV_HEADER = "step,layer,head,previous_token,induction,duplicate_token,target";

    public String toCsv() {
        return String.format(Locale.ROOT, "%d,%d,%d,%.5f,%.5f,%.5f,%.5f", step, layer, head, previousToken, induction,
                duplicateToken, target);
    }

    public static HeadScoreRow parseCsv(String line) {
        String[] f = line.split(",");
        if (f.length != 7) {
            throw new IllegalArgumentException("expected 7 columns, got " + f.length);
        }
        return new HeadScoreRow(Long.parseLong(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]));
    }
}
