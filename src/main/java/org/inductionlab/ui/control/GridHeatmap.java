package org.inductionlab.ui.control;

import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;
import org.inductionlab.ui.train.GeneralisationCurves.Grid;

import java.util.Locale;

/**
 * A step × trigger-distance heatmap: a column per recording, a row per distance bucket (the shortest at the
 * bottom), each cell's accuracy on {@link HeatmapView}'s scale (white 0 → navy 1), grey where no sequence
 * fell; a dashed line at the phase change. Text scales with the font (the zoom).
 */
public final class GridHeatmap extends Region {

    private final Canvas canvas = new Canvas();
    /** Never shown: its font is the axis labels' size as CSS sets it, so the text grows with the zoom. */
    private final javafx.scene.control.Label fontProbe = new javafx.scene.control.Label();
    private final ObjectProperty<Grid> grid = new SimpleObjectProperty<>(Grid.EMPTY);
    private final LongProperty marker = new SimpleLongProperty(-1);
    private final String title;

    public GridHeatmap(String title) {
        this.title = title;
        getChildren().add(canvas);
        fontProbe.getStyleClass().add("heatmap-axis-probe");
        fontProbe.setManaged(false);
        fontProbe.setVisible(false);
        getChildren().add(fontProbe);
        fontProbe.fontProperty().addListener((o, a, b) -> draw());
        getStyleClass().add("grid-heatmap");
        grid.addListener((o, a, b) -> draw());
        marker.addListener((o, a, b) -> draw());
        widthProperty().addListener((o, a, b) -> draw());
        heightProperty().addListener((o, a, b) -> draw());
    }

    public ObjectProperty<Grid> gridProperty() {
        return grid;
    }

    /** The step marked (the phase change); -1 for none. */
    public LongProperty markerProperty() {
        return marker;
    }

    @Override
    protected void layoutChildren() {
        canvas.setWidth(getWidth());
        canvas.setHeight(getHeight());
        draw();
    }

    private double em() {
        return fontProbe.getFont().getSize() * 1.1;
    }

    private void draw() {
        double w = getWidth();
        double h = getHeight();
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.clearRect(0, 0, w, h);
        if (w < 10 || h < 10) {
            return;
        }
        double em = em();
        g.setFont(Font.font(em));
        g.setFill(Color.web("#212529"));
        g.setTextAlign(TextAlignment.CENTER);
        g.setTextBaseline(VPos.TOP);
        g.fillText(title, w / 2, em * 0.3, w - em);
        Grid d = grid.get();
        double top = em * 1.9;
        double left = em * 0.6;
        if (d != null && !d.isEmpty()) { // room for the widest row label, whatever the zoom
            javafx.scene.text.Text probe = new javafx.scene.text.Text();
            probe.setFont(Font.font(em));
            for (int b = 0; b < d.distanceMin().length; b++) {
                probe.setText(d.distanceMin()[b] + "–" + d.distanceMax()[b]);
                left = Math.max(left, probe.getLayoutBounds().getWidth() + em * 0.7);
            }
        }
        double right = em * 0.8;
        double bottom = em * 2.6;
        double pw = w - left - right;
        double ph = h - top - bottom;
        if (d == null || d.isEmpty() || pw < 10 || ph < 10) {
            g.setFill(Color.web("#868e96"));
            g.setTextBaseline(VPos.CENTER);
            // in words that fit a narrow chart at the zoom's size, not squeezed to fit one line
            g.fillText("nothing recorded yet", w / 2, h / 2 - em * 0.7, w - em);
            g.fillText("(generalisation_every)", w / 2, h / 2 + em * 0.7, w - em);
            return;
        }
        int cols = d.steps().length;
        int rows = d.distanceMin().length;
        double cw = pw / cols;
        double rh = ph / rows;
        for (int b = 0; b < rows; b++) {
            double y = top + (rows - 1 - b) * rh; // the shortest distance at the bottom
            for (int c = 0; c < cols; c++) {
                double a = d.accuracy()[b][c];
                g.setFill(Double.isNaN(a) ? Color.web("#dee2e6") : HeatmapView.colour(a));
                g.fillRect(left + c * cw, y, Math.ceil(cw), Math.ceil(rh));
            }
        }
        g.setStroke(Color.web("#868e96"));
        g.setLineWidth(1);
        g.strokeRect(left, top, pw, ph);
        // rows: distance buckets, as many labels as fit
        g.setFill(Color.web("#212529"));
        g.setTextAlign(TextAlignment.RIGHT);
        g.setTextBaseline(VPos.CENTER);
        int every = (int) Math.ceil(em * 1.2 / rh);
        for (int b = 0; b < rows; b += Math.max(1, every)) {
            double y = top + (rows - 1 - b + 0.5) * rh;
            g.fillText(d.distanceMin()[b] + "–" + d.distanceMax()[b], left - em * 0.3, y);
        }
        // columns: the first, last and a few steps between, as fit
        g.setTextAlign(TextAlignment.CENTER);
        g.setTextBaseline(VPos.TOP);
        int labels = (int) Math.max(2, Math.min(cols, pw / (em * 5)));
        int last = -10;
        for (int i = 0; i < labels; i++) {
            int c = labels == 1 ? 0 : (int) Math.round((double) i * (cols - 1) / (labels - 1));
            if (c == last) {
                continue;
            }
            last = c;
            g.fillText(String.format(Locale.ROOT, "%,d", d.steps()[c]), left + (c + 0.5) * cw, top + ph + em * 0.2);
        }
        g.fillText("step; rows: distance between the two S", left + pw / 2, top + ph + em * 1.3, pw);
        long m = marker.get();
        int col = m >= 0 ? d.column(m) : -1;
        if (col >= 0) {
            double x = left + (col + 1) * cw;
            g.setStroke(Color.web("#d9480f"));
            g.setLineWidth(2);
            g.setLineDashes(6, 4);
            g.strokeLine(x, top, x, top + ph);
            g.setLineDashes((double[]) null);
        }
    }
}
