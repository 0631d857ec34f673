package org.inductionlab.engine.run;

import java.util.Locale;

/** One row of metrics.csv: the training curve. {@code loss} is the mean over the steps since the last row. */
public record MetricsRow(long step, double epoch, double loss, double batchAccuracy, double runningAccuracy,
                         double learningRate, double tokensPerSecond, double elapsedSeconds, int trainLength) {

    public static final String CSV_HEADER =
            "step,epoch,loss,batch_accuracy,running_accuracy,lr,tokens_per_s,elapsed_s,train_length";

    public String toCsv() {
        return String.format(Locale.ROOT, "%d,%.4f,%.6f,%.4f,%.5f,%.3e,%.1f,%.2f,%d", step, epoch, loss, batchAccuracy,
                runningAccuracy, learningRate, tokensPerSecond, elapsedSeconds, trainLength);
    }

    public static MetricsRow parseCsv(String line) {
        String[] f = line.split(",");
        if (f.length != 8 && f.length != 9) { // runs from before the curriculum have no train_length (0 here)
            throw new IllegalArgumentException("expected 9 columns, got " + f.length);
        }
        return new MetricsRow(Long.parseLong(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]),
                Double.parseDouble(f[6]), Double.parseDouble(f[7]), f.length == 9 ? Integer.parseInt(f[8]) : 0);
    }
}
