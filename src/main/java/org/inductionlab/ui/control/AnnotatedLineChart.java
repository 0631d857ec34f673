package org.inductionlab.ui.control;

import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.Node;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.ValueAxis;
import javafx.scene.paint.Color;
import javafx.scene.paint.Paint;
import javafx.scene.shape.Line;
import javafx.scene.shape.Shape;
import javafx.scene.text.Text;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A line chart that can also draw vertical markers (the phase change, the training length), horizontal
 * reference lines (chance) and error bars (a point's extra value {@code double[]{low, high}}) in the
 * colour of their series. Marker labels that would overprint each other go on rows below one another,
 * and a label that would run past the right edge is drawn to the left of its line.
 */
public class AnnotatedLineChart extends LineChart<Number, Number> {

    private boolean markerLabelsAtBottom;

    /**
     * A vertical line at x with a label, and a shorter one for a plot too narrow for it (or null); its style
     * class or classes (separated by spaces) colour both.
     */
    public record Marker(double x, String label, String styleClass, String shortLabel) {
        public Marker(double x, String label, String styleClass) {
            this(x, label, styleClass, null);
        }
    }

    /** A horizontal line at y with a label. */
    public record Level(double y, String label, String styleClass) {}

    private final ObservableList<Marker> markers = FXCollections.observableArrayList();
    private final java.util.Set<Series<Number, Number>> bandSeries =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private final ObservableList<Level> levels = FXCollections.observableArrayList();
    private static final String ANNOTATION = "annotation";

    public AnnotatedLineChart(ValueAxis<Number> x, ValueAxis<Number> y) {
        super(x, y);
        setAnimated(false);
        setCreateSymbols(false);
        markers.addListener((javafx.collections.ListChangeListener<Marker>) c -> requestChartLayout());
        levels.addListener((javafx.collections.ListChangeListener<Level>) c -> requestChartLayout());
    }

    /**
     * Draws {@code series}' extra values ({@code double[]{low, high}} per point) as one shaded band in the
     * series' colour behind its line, instead of an error bar at each point: a spread over seeds along a curve.
     */
    public void showAsBand(Series<Number, Number> series) {
        bandSeries.add(series);
        requestChartLayout();
    }

    private void addBand(Series<Number, Number> s, String colour, ValueAxis<Number> xAxis, ValueAxis<Number> yAxis) {
        List<Double> upper = new ArrayList<>();
        List<Double> lower = new ArrayList<>();
        for (Data<Number, Number> d : s.getData()) {
            if (d.getExtraValue() instanceof double[] range && range.length == 2) {
                double px = xAxis.getDisplayPosition(d.getXValue());
                upper.addAll(List.of(px, yAxis.getDisplayPosition(range[1])));
                lower.addAll(0, List.of(px, yAxis.getDisplayPosition(range[0])));
            }
        }
        if (upper.size() < 4) {
            return;
        }
        javafx.scene.shape.Polygon band = new javafx.scene.shape.Polygon();
        band.getPoints().addAll(upper);
        band.getPoints().addAll(lower);
        band.getStyleClass().add("chart-band");
        band.setStyle("-fx-fill: " + (colour == null ? "rgba(0,0,0,0.15)" : colour.replaceFirst(",[0-9.]+\\)$", ",0.18)"))
                + "; -fx-stroke: transparent;");
        band.setMouseTransparent(true);
        add(band);
        band.toBack();
    }

    public ObservableList<Marker> markers() {
        return markers;
    }

    public ObservableList<Level> levels() {
        return levels;
    }

    /** Where each marker's label went in the last layout (plot coordinates), for tests: label to {x, y, width}. */
    public List<double[]> markerLabelBoxes() {
        List<double[]> boxes = new ArrayList<>();
        for (Node n : getPlotChildren()) {
            if (ANNOTATION.equals(n.getUserData()) && n instanceof Text t && t.getStyleClass().contains("marker-label")) {
                var b = t.getBoundsInParent();
                boxes.add(new double[] {b.getMinX(), b.getMinY(), b.getWidth(), b.getHeight()});
            }
        }
        return boxes;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void layoutPlotChildren() {
        super.layoutPlotChildren();
        getPlotChildren().removeIf(n -> ANNOTATION.equals(n.getUserData()));
        ValueAxis<Number> xAxis = (ValueAxis<Number>) getXAxis();
        ValueAxis<Number> yAxis = (ValueAxis<Number>) getYAxis();
        double top = yAxis.getDisplayPosition(yAxis.getUpperBound());
        double bottom = yAxis.getDisplayPosition(yAxis.getLowerBound());
        double left = xAxis.getDisplayPosition(xAxis.getLowerBound());
        double right = xAxis.getDisplayPosition(xAxis.getUpperBound());

        bandSeries.retainAll(getData());
        for (Series<Number, Number> s : getData()) {
            String colour = s.getNode() == null ? null : strokeOf(s.getNode());
            if (bandSeries.contains(s)) {
                addBand(s, colour, xAxis, yAxis);
                continue;
            }
            for (Data<Number, Number> d : s.getData()) {
                if (d.getExtraValue() instanceof double[] ci && ci.length == 2) {
                    double px = xAxis.getDisplayPosition(d.getXValue());
                    double hi = yAxis.getDisplayPosition(ci[1]);
                    double lo = yAxis.getDisplayPosition(ci[0]);
                    for (Line l : List.of(line(px, hi, px, lo, "error-bar"), line(px - 4, hi, px + 4, hi, "error-bar"),
                            line(px - 4, lo, px + 4, lo, "error-bar"))) {
                        if (colour != null) { // the series' own colour, so overlapping bars stay apart
                            l.setStyle("-fx-stroke: " + colour + ";");
                        }
                        add(l);
                    }
                }
            }
        }
        List<double[]> levelLabels = new ArrayList<>(); // {x, baseline} of each level's label so far
        for (Level l : levels) {
            if (l.y() < yAxis.getLowerBound() || l.y() > yAxis.getUpperBound()) {
                continue;
            }
            double py = yAxis.getDisplayPosition(l.y());
            add(line(left, py, right, py, l.styleClass()));
            Text t = text(l.label(), l.styleClass());
            add(t);
            t.applyCss(); // measured in the font it is drawn in (it grows with the zoom)
            double w = t.getLayoutBounds().getWidth();
            double h = t.getLayoutBounds().getHeight();
            double x = right - 4 - w;
            for (double[] p : levelLabels) { // two levels close together (chance 1/16 and 1/64): side by side
                if (Math.abs(p[1] - (py - 4)) < h && x + w > p[0] - 8) {
                    x = p[0] - 12 - w;
                }
            }
            levelLabels.add(new double[] {x, py - 4});
            t.setX(x);
            t.setY(py - 4);
        }
        List<Marker> shown = markers.stream()
                .filter(m -> m.x() >= xAxis.getLowerBound() && m.x() <= xAxis.getUpperBound())
                .sorted(Comparator.comparingDouble(Marker::x)).toList();
        List<List<double[]>> rows = new ArrayList<>(); // per row, the x extents of the labels placed on it
        for (Marker m : shown) {
            double px = xAxis.getDisplayPosition(m.x());
            add(line(px, top, px, bottom, m.styleClass()));
            if (m.label().isEmpty()) {
                continue; // a line alone: what it marks is said beside the chart
            }
            Text t = text(m.label(), m.styleClass());
            t.getStyleClass().add("marker-label");
            add(t);
            t.applyCss();
            if (m.shortLabel() != null && t.getLayoutBounds().getWidth() > right - left - 8) {
                t.setText(m.shortLabel()); // the whole label would run past the plot's edge
            }
            double w = t.getLayoutBounds().getWidth();
            double h = t.getLayoutBounds().getHeight();
            double x = px + 4 + w > right ? px - 4 - w : px + 4; // at the right edge, to the left of its line
            x = Math.max(left + 2, x);
            int row = 0;
            while (row < rows.size() && overlaps(rows.get(row), x, x + w)) {
                row++;
            }
            if (row == rows.size()) {
                rows.add(new ArrayList<>());
            }
            rows.get(row).add(new double[] {x, x + w});
            double y = markerLabelsAtBottom ? bottom - 2 - h * (row + 1) : top + 2 + h * row;
            t.setTextOrigin(javafx.geometry.VPos.TOP);
            t.setX(x);
            t.setY(y);
            // a light backing, so the label reads where a curve runs under it
            javafx.scene.shape.Rectangle back = new javafx.scene.shape.Rectangle(x - 2, y, w + 4, h);
            back.getStyleClass().add("chart-annotation-backing");
            back.setFill(Color.rgb(255, 255, 255, 0.75)); // lab.css says the same; never black for a frame
            back.setMouseTransparent(true);
            add(back);
            t.toFront();
        }
    }

    private static boolean overlaps(List<double[]> placed, double from, double to) {
        for (double[] p : placed) {
            if (from < p[1] + 6 && to > p[0] - 6) {
                return true;
            }
        }
        return false;
    }

    /** The web colour a series' line is stroked with, or null when it is not a plain colour. */
    private static String strokeOf(Node seriesNode) {
        if (seriesNode instanceof Shape shape) {
            Paint p = shape.getStroke();
            if (p instanceof Color c) {
                return String.format(Locale.ROOT, "rgba(%d,%d,%d,%.2f)", Math.round(c.getRed() * 255),
                        Math.round(c.getGreen() * 255), Math.round(c.getBlue() * 255), Math.max(0.6, c.getOpacity()));
            }
        }
        return null;
    }

    private void add(Node n) {
        n.setUserData(ANNOTATION);
        n.setManaged(false);
        getPlotChildren().add(n);
    }

    /**
     * Marker labels along the bottom of the plot instead of the top: for a plot whose curves start at the top
     * where the markers are (accuracy against length, 100 % at the trained length).
     */
    public void setMarkerLabelsAtBottom(boolean atBottom) {
        markerLabelsAtBottom = atBottom;
        requestChartLayout();
    }

    private static Line line(double x1, double y1, double x2, double y2, String styleClass) {
        Line l = new Line(x1, y1, x2, y2);
        l.getStyleClass().add("chart-annotation-line");
        l.getStyleClass().addAll(styleClass.split(" "));
        return l;
    }

    private static Text text(String s, String styleClass) {
        Text t = new Text(s);
        t.getStyleClass().add("chart-annotation-text");
        t.getStyleClass().addAll(styleClass.split(" "));
        return t;
    }
}
