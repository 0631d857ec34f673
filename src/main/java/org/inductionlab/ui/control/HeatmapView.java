package org.inductionlab.ui.control;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.image.PixelWriter;
import javafx.scene.image.WritableImage;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.TextAlignment;
import org.inductionlab.engine.eval.AttentionMap;

import java.util.ArrayList;
import java.util.List;

/**
 * One attention head as a heatmap: queries down, keys across, colour by weight (on a square-root scale so
 * small weights stay visible), the causal upper triangle left blank. Marked on top: induction cells
 * (orange), the previous-token diagonal (green) and the task's target cell (magenta box). With axes, it
 * labels tokens (S in bold red), reports the cell under the mouse and locks a cell on click.
 */
public final class HeatmapView extends Region {

    public static final Color INDUCTION = Color.web("#d9480f");
    public static final Color PREVIOUS = Color.web("#2b8a3e");
    public static final Color TARGET = Color.web("#c2255c");
    public static final Color SHORTCUT = Color.web("#1c7ed6");
    private static final Color BLANK = Color.web("#f1f3f5");

    /** A cell under the mouse or locked by a click. */
    public record Cell(int query, int key) {}

    private final Canvas canvas = new Canvas();
    /** Never shown: its font is the axis labels' size as CSS sets it, so they grow with the window's zoom. */
    private final javafx.scene.control.Label fontProbe = new javafx.scene.control.Label();
    private final boolean axes;
    private String keyAxisTitle = "";
    private final ObjectProperty<AttentionMap> map = new SimpleObjectProperty<>();
    private final ObjectProperty<Cell> hovered = new SimpleObjectProperty<>();
    private final ObjectProperty<Cell> locked = new SimpleObjectProperty<>();
    private final BooleanProperty showInduction = new SimpleBooleanProperty(true);
    private final BooleanProperty showPrevious = new SimpleBooleanProperty(true);
    private final BooleanProperty showTarget = new SimpleBooleanProperty(true);
    private final BooleanProperty showShortcut = new SimpleBooleanProperty(true);
    private final javafx.beans.property.IntegerProperty shortcutKey = new javafx.beans.property.SimpleIntegerProperty(-1);
    private int layer;
    private int head;
    private WritableImage image;
    private double originX;
    private double originY;
    private double cell;
    private final List<Cell> markedInduction = new ArrayList<>();
    private Cell markedShortcut;
    /** Below this cell size the induction dots are thinned to the cells the head actually uses. */
    static final double DENSE_CELL_PX = 6;
    private Cell markedTarget;

    /** @param axes true for the large view (labels, legend, mouse); false for thumbnails */
    public HeatmapView(boolean axes) {
        this.axes = axes;
        getChildren().add(canvas);
        getStyleClass().add("heatmap");
        fontProbe.getStyleClass().add("heatmap-axis-probe");
        fontProbe.setManaged(false);
        fontProbe.setVisible(false);
        getChildren().add(fontProbe);
        fontProbe.fontProperty().addListener((o, a, b) -> draw());
        map.addListener((o, a, b) -> rebuild());
        showInduction.addListener((o, a, b) -> draw());
        showPrevious.addListener((o, a, b) -> draw());
        showTarget.addListener((o, a, b) -> draw());
        showShortcut.addListener((o, a, b) -> draw());
        shortcutKey.addListener((o, a, b) -> draw());
        locked.addListener((o, a, b) -> draw());
        if (axes) {
            canvas.addEventHandler(MouseEvent.MOUSE_MOVED, e -> hovered.set(cellAt(e.getX(), e.getY())));
            canvas.addEventHandler(MouseEvent.MOUSE_EXITED, e -> hovered.set(null));
            canvas.addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
                Cell c = cellAt(e.getX(), e.getY());
                locked.set(c == null || c.equals(locked.get()) ? null : c);
            });
        }
    }

    public ObjectProperty<AttentionMap> mapProperty() {
        return map;
    }

    public ObjectProperty<Cell> hoveredProperty() {
        return hovered;
    }

    public ObjectProperty<Cell> lockedProperty() {
        return locked;
    }

    public BooleanProperty showInductionProperty() {
        return showInduction;
    }

    public BooleanProperty showPreviousProperty() {
        return showPrevious;
    }

    /** Whether to mark the positional-shortcut cell (see {@link #shortcutKeyProperty()}). */
    public BooleanProperty showShortcutProperty() {
        return showShortcut;
    }

    /**
     * The key a model that learned a position would read: the position after where the trigger sat in
     * training (6 for the course's fixed:5); -1 when the run's trigger moved. Marked on the final query.
     */
    public javafx.beans.property.IntegerProperty shortcutKeyProperty() {
        return shortcutKey;
    }

    /** The shortcut cell drawn in the last paint, or null. */
    public Cell markedShortcut() {
        return markedShortcut;
    }

    public BooleanProperty showTargetProperty() {
        return showTarget;
    }

    /** Shows one head of the map. */
    public void show(AttentionMap m, int layer, int head) {
        this.layer = layer;
        this.head = head;
        if (map.get() == m) {
            rebuild();
        } else {
            map.set(m);
        }
    }

    public int layer() {
        return layer;
    }

    public int head() {
        return head;
    }

    /** Induction cells drawn in the last paint (empty when hidden). */
    public List<Cell> markedInductionCells() {
        return List.copyOf(markedInduction);
    }

    /** The task-target cell drawn in the last paint, or null. */
    public Cell markedTarget() {
        return markedTarget;
    }

    /**
     * What the key axis is titled in the last paint: "key token →" when the cells are large enough to label
     * each with its token, "key position →" when they are labelled by position (S marked either way).
     */
    public String keyAxisTitle() {
        return keyAxisTitle;
    }

    /** The axis labels' font size in pixels (10 at the window's 100 %). */
    public double labelSize() {
        double size = fontProbe.getFont().getSize();
        return size > 0 ? size : 10;
    }

    /** Centre of a cell in this view's coordinates (for tests and tooltips). */
    public double[] cellCentre(int query, int key) {
        return new double[] {originX + (key + 0.5) * cell, originY + (query + 0.5) * cell};
    }

    /** Colour of a weight on the map's scale. */
    public static Color colour(double weight) {
        double t = Math.sqrt(Math.max(0, Math.min(1, weight)));
        // white -> light blue -> deep navy
        double r = 1 - t * (1 - 0.03);
        double g = 1 - t * (1 - 0.19);
        double b = 1 - t * (1 - 0.42);
        return Color.color(r, g, b);
    }

    private void rebuild() {
        AttentionMap m = map.get();
        markedInduction.clear();
        markedTarget = null;
        markedShortcut = null;
        if (m == null) {
            image = null;
            draw();
            return;
        }
        int n = m.length();
        image = new WritableImage(n, n);
        PixelWriter pw = image.getPixelWriter();
        float[] w = m.headWeights(layer, head);
        for (int q = 0; q < n; q++) {
            for (int k = 0; k < n; k++) {
                pw.setColor(k, q, k > q ? BLANK : colour(w[q * n + k]));
            }
        }
        draw();
    }

    private Cell cellAt(double x, double y) {
        AttentionMap m = map.get();
        if (m == null || cell <= 0) {
            return null;
        }
        int k = (int) Math.floor((x - originX) / cell);
        int q = (int) Math.floor((y - originY) / cell);
        if (q < 0 || k < 0 || q >= m.length() || k >= m.length() || k > q) {
            return null;
        }
        return new Cell(q, k);
    }

    @Override
    protected void layoutChildren() {
        double w = getWidth();
        double h = getHeight();
        if (canvas.getWidth() != w || canvas.getHeight() != h) {
            canvas.setWidth(w);
            canvas.setHeight(h);
            draw();
        }
    }

    @Override
    protected double computePrefWidth(double height) {
        return axes ? 520 : 120;
    }

    @Override
    protected double computePrefHeight(double width) {
        return axes ? 520 : 120;
    }

    private void draw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        g.clearRect(0, 0, w, h);
        markedInduction.clear();
        markedTarget = null;
        markedShortcut = null;
        AttentionMap m = map.get();
        if (m == null || image == null || w < 10 || h < 10) {
            return;
        }
        int n = m.length();
        double fs = labelSize(); // margins grow with the labels
        double marginLeft = axes ? 4.6 * fs : 0;
        double marginTop = axes ? 3 * fs : 0;
        double marginRight = axes ? 7.2 * fs : 0;
        double marginBottom = axes ? 0.8 * fs : 0;
        double side = Math.min(w - marginLeft - marginRight, h - marginTop - marginBottom);
        if (side <= 0) {
            return;
        }
        cell = side / n;
        originX = marginLeft;
        originY = marginTop;

        g.setImageSmoothing(false);
        g.drawImage(image, originX, originY, side, side);

        // overlays
        if (showInduction.get()) {
            g.setFill(INDUCTION.deriveColor(0, 1, 1, 0.55));
            double s = Math.max(1.5, cell * 0.45);
            boolean dense = cell < DENSE_CELL_PX; // every induction cell would bury the map in dots
            for (int[] c : m.inductionCells()) {
                if (dense && m.weight(layer, head, c[0], c[1]) < 2.0 / (c[0] + 1)) {
                    continue; // when dense, only the induction cells this head uses (twice uniform or more)
                }
                double[] p = cellCentre(c[0], c[1]);
                g.fillOval(p[0] - s / 2, p[1] - s / 2, s, s);
                markedInduction.add(new Cell(c[0], c[1]));
            }
        }
        if (showPrevious.get() && n > 1) {
            g.setStroke(PREVIOUS);
            g.setLineWidth(Math.max(1, Math.min(2, cell * 0.3)));
            g.setLineDashes(4, 3);
            double[] a = cellCentre(1, 0);
            double[] b = cellCentre(n - 1, n - 2);
            g.strokeLine(a[0], a[1], b[0], b[1]);
            g.setLineDashes();
        }
        int[] target = m.taskTarget();
        if (showTarget.get() && target != null) {
            double[] p = cellCentre(target[0], target[1]);
            double r = Math.max(5, cell * 1.2);
            g.setStroke(TARGET);
            g.setLineWidth(2);
            g.strokeRect(p[0] - r / 2, p[1] - r / 2, r, r);
            if (axes) {
                g.strokeOval(p[0] - r, p[1] - r, 2 * r, 2 * r);
            }
            markedTarget = new Cell(target[0], target[1]);
        }
        int key = shortcutKey.get();
        if (showShortcut.get() && key >= 0 && key < n - 1) {
            double[] p = cellCentre(n - 1, key);
            double r = Math.max(5, cell * 1.2);
            g.setStroke(SHORTCUT);
            g.setLineWidth(2);
            g.setLineDashes(3, 2);
            g.strokeRect(p[0] - r / 2, p[1] - r / 2, r, r);
            g.setLineDashes();
            markedShortcut = new Cell(n - 1, key);
        }
        Cell lock = locked.get();
        if (axes && lock != null) {
            double[] p = cellCentre(lock.query(), lock.key());
            g.setStroke(Color.web("#fab005"));
            g.setLineWidth(1);
            g.strokeLine(originX, p[1], p[0], p[1]);
            g.strokeLine(p[0], originY, p[0], p[1]);
            g.strokeRect(p[0] - cell / 2 - 1, p[1] - cell / 2 - 1, cell + 2, cell + 2);
        }
        if (axes) {
            drawAxes(g, m, side);
            drawLegend(g, originX + side + 1.6 * fs, originY, side);
        }
    }

    private static boolean nearS(AttentionMap m, int i, int step) {
        if (step <= 1) {
            return false;
        }
        for (int j = Math.max(0, i - step + 1); j < Math.min(m.length(), i + step); j++) {
            if (j != i && m.token(j) == m.inductionToken()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether cells of {@code cell} px carry their tokens at a {@code fs} px font: where the typical token's
     * label fits its cell. With V = 64 (demo-olsson) most tokens take two digits and ran into each other;
     * with V = 16 most take one (S is drawn as "S").
     */
    static boolean labelsByToken(AttentionMap m, double cell, double fs) {
        int wide = 0;
        for (int i = 0; i < m.length(); i++) {
            wide += m.token(i) != m.inductionToken() && m.token(i) >= 10 ? 1 : 0;
        }
        int digits = 2 * wide > m.length() ? 2 : 1;
        return cell >= Math.max(1.1, 0.64 * digits + 0.3) * fs;
    }

    private void drawAxes(GraphicsContext g, AttentionMap m, double side) {
        int n = m.length();
        double fs = labelSize();
        // large cells carry each position's token; small ones every few positions' index: the titles say which
        boolean tokens = labelsByToken(m, cell, fs);
        keyAxisTitle = tokens ? "key token →" : "key position →";
        g.setFont(Font.font("DejaVu Sans", fs));
        g.setFill(Color.web("#495057"));
        g.setTextAlign(TextAlignment.CENTER);
        g.fillText(keyAxisTitle, originX + side / 2, fs);
        g.save();
        g.translate(fs, originY + side / 2);
        g.rotate(-90);
        g.fillText(tokens ? "query token →" : "query position →", 0, 0);
        g.restore();
        int step = tokens ? 1 : Math.max(1, (int) Math.ceil(2.8 * fs / cell));
        for (int i = 0; i < n; i++) {
            boolean isS = m.token(i) == m.inductionToken();
            if (!isS && (i % step != 0 || nearS(m, i, step))) {
                continue; // S is always labelled; other labels keep clear of it and of each other
            }
            String label = tokens ? (isS ? "S" : Integer.toString(m.token(i))) : Integer.toString(i);
            if (isS) {
                g.setFill(Color.web("#c92a2a"));
                g.setFont(Font.font("DejaVu Sans", FontWeight.BOLD, fs));
                label = tokens ? "S" : i + "S";
            } else {
                g.setFill(Color.web("#495057"));
                g.setFont(Font.font("DejaVu Sans", fs));
            }
            double[] p = cellCentre(i, i);
            g.setTextAlign(TextAlignment.CENTER);
            g.fillText(label, p[0], originY - 0.4 * fs);
            g.setTextAlign(TextAlignment.RIGHT);
            g.fillText(label, originX - 0.4 * fs, p[1] + 0.4 * fs);
        }
    }

    private void drawLegend(GraphicsContext g, double x, double y, double height) {
        double barW = 1.4 * labelSize();
        for (int i = 0; i < (int) height; i++) {
            double t = 1 - i / height; // top = 1
            g.setFill(colour(t * t)); // the scale is on sqrt(weight)
            g.fillRect(x, y + i, barW, 1.5);
        }
        g.setStroke(Color.web("#adb5bd"));
        g.setLineWidth(1);
        g.strokeRect(x, y, barW, height);
        double fs = labelSize();
        g.setFill(Color.web("#495057"));
        g.setFont(Font.font("DejaVu Sans", fs));
        g.setTextAlign(TextAlignment.LEFT);
        for (double wgt : new double[] {1, 0.5, 0.25, 0.05, 0}) {
            double py = y + (1 - Math.sqrt(wgt)) * height;
            g.fillText(wgt == 0 ? "0" : String.valueOf(wgt), x + barW + 0.4 * fs, py + 0.4 * fs);
        }
        g.fillText("weight", x - 2, y - 0.6 * fs);
    }
}
