package org.inductionlab.ui.sweep;

import javafx.scene.chart.NumberAxis;
import javafx.util.StringConverter;
import org.inductionlab.ui.control.AnnotatedLineChart;

/** Accuracy (0-100 %) against length on a log2 axis labelled 2^6 .. 2^20, with Wilson error bars. */
public final class AccuracyPlot extends AnnotatedLineChart {

    public AccuracyPlot() {
        super(lengthAxis(), accuracyAxis());
        setCreateSymbols(true);
        setLegendVisible(true);
        setTitle("Accuracy against sequence length");
        setId("accuracy-plot");
    }

    private static NumberAxis lengthAxis() {
        // ticks at 5..21, labelled 2^6..2^20: a margin on each side so edge error bars are not clipped
        NumberAxis x = new NumberAxis("sequence length (log scale)", 5, 21, 1);
        x.setMinorTickVisible(false);
        x.setTickLabelFormatter(new StringConverter<>() {
            @Override
            public String toString(Number n) {
                double v = n.doubleValue();
                boolean labelled = Math.abs(v - Math.rint(v)) < 1e-6 && v >= 6 && v <= 20;
                return labelled ? "2^" + Math.round(v) : "";
            }

            @Override
            public Number fromString(String s) {
                return Integer.parseInt(s.substring(2));
            }
        });
        return x;
    }

    private static NumberAxis accuracyAxis() {
        NumberAxis y = new NumberAxis("accuracy (%)", 0, 100, 10);
        y.setMinorTickVisible(false);
        return y;
    }

    /** x position of a length. */
    public static double x(int length) {
        return Math.log(length) / Math.log(2);
    }
}
