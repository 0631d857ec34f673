package org.inductionlab.ui.sweep;

import javafx.scene.chart.NumberAxis;
import javafx.util.StringConverter;
import org.inductionlab.ui.control.AnnotatedLineChart;

/**
 * Accuracy (0-100 %) against length on a log2 axis, with Wilson error bars. The length axis spans one
 * power of two more than the data on each side and labels every tick, so no point, error bar or
 * "trained at" line sits on the border; the accuracy axis runs from -5 to 105 so 100 % curves stay
 * visible above the frame's edge.
 */
public final class AccuracyPlot extends AnnotatedLineChart {

    public AccuracyPlot() {
        super(lengthAxis(), accuracyAxis());
        setCreateSymbols(true);
        setLegendVisible(true);
        setTitle("Accuracy against sequence length");
        setId("accuracy-plot");
        setHorizontalZeroLineVisible(false); // 0 % is a gridline like the others, not an axis
    }

    /** Shows exponents {@code from..to} (lengths 2^from..2^to) with a power of two to spare on each side. */
    public void showExponents(int from, int to) {
        NumberAxis x = (NumberAxis) getXAxis();
        x.setLowerBound(from - 1);
        x.setUpperBound(Math.max(to, from) + 1);
    }

    private static NumberAxis lengthAxis() {
        NumberAxis x = new NumberAxis("sequence length (log scale)", 5, 21, 1);
        x.setMinorTickVisible(false);
        x.setTickLabelFormatter(new StringConverter<>() {
            @Override
            public String toString(Number n) {
                double v = n.doubleValue();
                return Math.abs(v - Math.rint(v)) < 1e-6 ? "2^" + Math.round(v) : "";
            }

            @Override
            public Number fromString(String s) {
                return Integer.parseInt(s.substring(2));
            }
        });
        return x;
    }

    private static NumberAxis accuracyAxis() {
        NumberAxis y = new NumberAxis("accuracy (%)", -5, 105, 5);
        y.setMinorTickVisible(false);
        y.setTickLabelFormatter(new StringConverter<>() {
            @Override
            public String toString(Number n) {
                long v = Math.round(n.doubleValue());
                return v >= 0 && v <= 100 && v % 10 == 0 ? Long.toString(v) : ""; // labels at 0, 10, …, 100
            }

            @Override
            public Number fromString(String s) {
                return Double.parseDouble(s);
            }
        });
        return y;
    }

    /** x position of a length. */
    public static double x(int length) {
        return Math.log(length) / Math.log(2);
    }
}
