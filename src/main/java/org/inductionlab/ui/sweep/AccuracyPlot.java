package org.inductionlab.ui.sweep;

import javafx.util.StringConverter;
import org.inductionlab.ui.control.AnnotatedLineChart;
import org.inductionlab.ui.control.StepAxis;

/**
 * Accuracy (0-100 %) against length on a log2 axis, with Wilson error bars. The length axis spans one
 * power of two more than the data on each side, so no point, error bar or "trained at" line sits on the
 * border, and labels every power of two while there is room (every second or fourth when zoomed); the
 * accuracy axis runs from -5 to 105 so 100 % curves stay visible above the frame's edge, with 0 and 100
 * always labelled.
 */
public final class AccuracyPlot extends AnnotatedLineChart {

    public AccuracyPlot() {
        super(lengthAxis(), accuracyAxis());
        setMarkerLabelsAtBottom(true); // "trained at L" where the curves are not: they start at 100 % there
        setCreateSymbols(true);
        setLegendVisible(true);
        setTitle("Accuracy against sequence length");
        setId("accuracy-plot");
        setHorizontalZeroLineVisible(false); // 0 % is a gridline like the others, not an axis
    }

    /** Shows exponents {@code from..to} (lengths 2^from..2^to) with a power of two to spare on each side. */
    public void showExponents(int from, int to) {
        StepAxis x = (StepAxis) getXAxis();
        x.setLowerBound(from - 1);
        x.setUpperBound(Math.max(to, from) + 1);
    }

    private static StepAxis lengthAxis() {
        StepAxis x = new StepAxis("sequence length (log scale)", 5, 21, 1, 2, 4, 8);
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

    private static StepAxis accuracyAxis() {
        StepAxis y = new StepAxis("accuracy (%)", -5, 105, 10, 20, 50);
        y.setTickLabelFormatter(new StringConverter<>() {
            @Override
            public String toString(Number n) {
                long v = Math.round(n.doubleValue());
                return v >= 0 && v <= 100 ? Long.toString(v) : "";
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
