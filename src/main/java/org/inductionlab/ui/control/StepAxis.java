package org.inductionlab.ui.control;

import javafx.scene.chart.ValueAxis;
import javafx.scene.text.Font;
import javafx.scene.text.Text;

import java.util.ArrayList;
import java.util.List;

/**
 * A number axis with fixed bounds whose ticks sit on whole multiples of the smallest step that leaves
 * room for their labels. The bounds may carry padding (-5..105 for a percentage) without moving the ticks
 * off round values, and when the text is zoomed the labels thin out (every second power of two, every 20
 * %) instead of running together or losing the ends.
 */
public class StepAxis extends ValueAxis<Number> {

    private final double[] steps;

    /** @param steps the tick steps to try, smallest first */
    public StepAxis(String label, double lower, double upper, double... steps) {
        super(lower, upper);
        setLabel(label);
        setAutoRanging(false);
        this.steps = steps.clone();
        setMinorTickVisible(false);
        tickLabelFontProperty().addListener(o -> invalidateRange()); // the zoom: labels need another step
    }

    /** The step the ticks use at this axis length (in pixels). */
    public double stepFor(double length) {
        double need = labelExtent();
        double span = getUpperBound() - getLowerBound();
        for (double s : steps) {
            if (length * s / span >= need) {
                return s;
            }
        }
        return steps[steps.length - 1];
    }

    @Override
    protected List<Number> calculateTickValues(double length, Object range) {
        double lower = getLowerBound();
        double upper = getUpperBound();
        double step = stepFor(length);
        List<Number> ticks = new ArrayList<>();
        for (long k = (long) Math.ceil(lower / step - 1e-9); k * step <= upper + 1e-9; k++) {
            ticks.add(k * step);
        }
        return ticks;
    }

    @Override
    protected List<Number> calculateMinorTickMarks() {
        return List.of();
    }

    @Override
    protected Object getRange() {
        return new double[] {getLowerBound(), getUpperBound()};
    }

    @Override
    protected void setRange(Object range, boolean animate) { // only when auto-ranging, which this axis never does
        double[] r = (double[]) range;
        setLowerBound(r[0]);
        setUpperBound(r[1]);
        currentLowerBound.set(r[0]);
    }

    @Override
    protected String getTickMarkLabel(Number value) {
        return getTickLabelFormatter() != null ? getTickLabelFormatter().toString(value) : plain(value.doubleValue());
    }

    /** 20, 0.25: no trailing ".0". */
    private static String plain(double v) {
        return new java.math.BigDecimal(v).setScale(6, java.math.RoundingMode.HALF_UP).stripTrailingZeros()
                .toPlainString();
    }

    /** Room one label needs along the axis: its width across, its height up, and a gap. */
    private double labelExtent() {
        Font f = getTickLabelFont();
        if (getSide() != null && getSide().isVertical()) {
            return f.getSize() * 1.8;
        }
        double widest = 0;
        for (double v : new double[] {getLowerBound(), getUpperBound(), (getLowerBound() + getUpperBound()) / 2}) {
            String s = getTickMarkLabel(Math.rint(v));
            Text t = new Text(s);
            t.setFont(f);
            widest = Math.max(widest, t.getLayoutBounds().getWidth());
        }
        return widest + f.getSize() * 1.2;
    }
}
