package org.inductionlab.ui.control;

import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.Node;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.shape.Line;
import javafx.scene.text.Text;

/**
 * A line chart that can also draw vertical markers (the phase change, the training length), horizontal
 * reference lines (chance) and error bars (a point's extra value {@code double[]{low, high}}).
 */
public class AnnotatedLineChart extends LineChart<Number, Number> {

    /** A vertical line at x with a label. */
    public record Marker(double x, String label, String styleClass) {}

    /** A horizontal line at y with a label. */
    public record Level(double y, String label, String styleClass) {}

    private final ObservableList<Marker> markers = FXCollections.observableArrayList();
    private final ObservableList<Level> levels = FXCollections.observableArrayList();
    private static final String ANNOTATION = "annotation";

    public AnnotatedLineChart(NumberAxis x, NumberAxis y) {
        super(x, y);
        setAnimated(false);
        setCreateSymbols(false);
        markers.addListener((javafx.collections.ListChangeListener<Marker>) c -> requestChartLayout());
        levels.addListener((javafx.collections.ListChangeListener<Level>) c -> requestChartLayout());
    }

    public ObservableList<Marker> markers() {
        return markers;
    }

    public ObservableList<Level> levels() {
        return levels;
    }

    @Override
    protected void layoutPlotChildren() {
        super.layoutPlotChildren();
        getPlotChildren().removeIf(n -> ANNOTATION.equals(n.getUserData()));
        NumberAxis xAxis = (NumberAxis) getXAxis();
        NumberAxis yAxis = (NumberAxis) getYAxis();
        double top = yAxis.getDisplayPosition(yAxis.getUpperBound());
        double bottom = yAxis.getDisplayPosition(yAxis.getLowerBound());
        double left = xAxis.getDisplayPosition(xAxis.getLowerBound());
        double right = xAxis.getDisplayPosition(xAxis.getUpperBound());

        for (Series<Number, Number> s : getData()) {
            for (Data<Number, Number> d : s.getData()) {
                if (d.getExtraValue() instanceof double[] ci && ci.length == 2) {
                    double px = xAxis.getDisplayPosition(d.getXValue());
                    double hi = yAxis.getDisplayPosition(ci[1]);
                    double lo = yAxis.getDisplayPosition(ci[0]);
                    String style = s.getNode() == null ? "" : "error-bar";
                    add(line(px, hi, px, lo, style));
                    add(line(px - 4, hi, px + 4, hi, style));
                    add(line(px - 4, lo, px + 4, lo, style));
                }
            }
        }
        for (Level l : levels) {
            if (l.y() < yAxis.getLowerBound() || l.y() > yAxis.getUpperBound()) {
                continue;
            }
            double py = yAxis.getDisplayPosition(l.y());
            add(line(left, py, right, py, l.styleClass()));
            add(text(right - 4, py - 4, l.label(), l.styleClass(), true));
        }
        for (Marker m : markers) {
            if (m.x() < xAxis.getLowerBound() || m.x() > xAxis.getUpperBound()) {
                continue;
            }
            double px = xAxis.getDisplayPosition(m.x());
            add(line(px, top, px, bottom, m.styleClass()));
            add(text(px + 4, top + 14, m.label(), m.styleClass(), false));
        }
    }

    private void add(Node n) {
        n.setUserData(ANNOTATION);
        n.setManaged(false);
        getPlotChildren().add(n);
    }

    private static Line line(double x1, double y1, double x2, double y2, String styleClass) {
        Line l = new Line(x1, y1, x2, y2);
        l.getStyleClass().addAll("chart-annotation-line", styleClass);
        return l;
    }

    private static Text text(double x, double y, String s, String styleClass, boolean alignRight) {
        Text t = new Text(s);
        t.getStyleClass().addAll("chart-annotation-text", styleClass);
        t.setX(alignRight ? x - t.getLayoutBounds().getWidth() : x);
        t.setY(y);
        return t;
    }
}
