package org.inductionlab.ui.train;

import org.inductionlab.engine.text.Durations;
import eu.hansolo.tilesfx.Tile;
import eu.hansolo.tilesfx.TileBuilder;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.text.Text;
import org.inductionlab.engine.train.TrainingProgress;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The live numbers of a training session, six dark tiles: step, loss, accuracy (a TilesFX gauge with the
 * early-stop target marked), tokens per second, elapsed time and ETA, device. TilesFX sizes a tile's text
 * from the tile's size (its titles and descriptions came out a few pixels high, and smaller as the zoom
 * grew), so every word and number here is a label of our own, sized in em: it grows with the window's
 * zoom, and a value too long for its tile is set smaller to fit rather than cut. The tiles stand on one
 * row, or on two or three when the page is too narrow for six readable ones (at a projector's zoom).
 */
final class TrainingDashboard extends GridPane {

    /** A tile is at least this many em wide; fewer columns rather than narrower tiles. */
    static final double MIN_TILE_EM = 8.5;
    /** Values are this many em high, unless that is too wide for their tile. */
    static final double VALUE_EM = 1.9;

    private final Tile gauge;
    private final List<VBox> frames = new ArrayList<>();
    private final List<Label> values = new ArrayList<>();
    private final List<Label> captions = new ArrayList<>();
    private final Label em = new Label(); // the window's font size, as the zoom sets it
    private int columns = 0;

    TrainingDashboard() {
        gauge = TileBuilder.create().skinType(Tile.SkinType.GAUGE).minValue(0).maxValue(100).threshold(99)
                .thresholdVisible(true).valueVisible(false).minValueVisible(false).maxValueVisible(false)
                .animated(false).build();
        gauge.setTitle("");
        gauge.setId("accuracy-gauge");
        // only the gauge's arc, needle and target mark: its texts (value, unit, 0 and 100, drawn in the title
        // colour) are a few pixels high; ours is beside it
        gauge.setTitleColor(javafx.scene.paint.Color.TRANSPARENT);
        gauge.setValueColor(javafx.scene.paint.Color.TRANSPARENT);
        gauge.setUnitColor(javafx.scene.paint.Color.TRANSPARENT);
        String[] titles = {"Step", "Loss", "Accuracy", "Tokens / s", "Elapsed · ETA", "Device"};
        String[] tips = {"Training steps taken, the epoch, and the training length L", "Cross-entropy of the last"
                + " token (the one scored)", "Running accuracy on the last token over the last `window` steps; the"
                + " gauge's mark is the early-stop target", "Tokens read per second, and milliseconds per step",
                "Time spent training (pauses not counted), and the estimated time left, saying to what: to"
                + " max_steps, or to the early stop once the accuracy is past the phase change and rising; during a"
                + " curriculum's shorter stages only to the next stage, when the accuracy is rising towards it", "Where the model trains"};
        for (int i = 0; i < titles.length; i++) {
            VBox frame = frame(i, titles[i]);
            Tooltip.install(frame, new Tooltip(tips[i]));
            frames.add(frame);
        }
        values.get(0).setText("0");
        values.get(1).setText("–"); // no loss before a step, not 0.000
        values.get(2).setText("–");
        values.get(3).setText("–");
        values.get(4).setText("–");
        values.get(5).setText("–");
        captions.get(1).setText("cross-entropy, last token");
        captions.get(2).setText("running; target 99\u00a0%");
        setHgap(6);
        setVgap(6);
        getStyleClass().add("dashboard");
        em.getStyleClass().add("tile-title");
        em.setManaged(false);
        em.setVisible(false);
        getChildren().add(em);
        em.fontProperty().addListener((o, a, b) -> arrange(getWidth()));
        widthProperty().addListener((o, a, w) -> arrange(w.doubleValue()));
        arrange(6 * 150);
    }

    /** Title, value (the accuracy's beside its gauge) and a two-line caption, on a dark frame. */
    private VBox frame(int i, String titleText) {
        Label title = new Label(titleText);
        title.getStyleClass().add("tile-title");
        title.setMaxWidth(Double.MAX_VALUE);
        title.setMinWidth(0);
        Label value = new Label();
        value.getStyleClass().add("tile-value");
        value.setId("tile-" + i + "-value");
        value.setMaxWidth(Double.MAX_VALUE);
        value.setMinWidth(0);
        value.setAlignment(Pos.CENTER_RIGHT);
        HBox.setHgrow(value, Priority.ALWAYS);
        HBox middle = i == 2 ? new HBox(4, gauge, value) : new HBox(value);
        middle.setId("tile-" + i);
        middle.getStyleClass().add("tile-middle"); // the same height in every tile (lab.css)
        middle.setAlignment(Pos.CENTER_RIGHT);
        value.textProperty().addListener(o -> fit(value));
        value.widthProperty().addListener(o -> fit(value));
        Label caption = new Label("");
        caption.getStyleClass().add("tile-caption"); // two lines high, always: every tile the same size
        caption.setWrapText(true);
        caption.setMaxWidth(Double.MAX_VALUE);
        caption.setId("tile-" + i + "-caption");
        values.add(value);
        captions.add(caption);
        VBox frame = new VBox(title, middle, caption);
        frame.setMinWidth(0); // the grid decides the width; the value shrinks to fit it
        frame.getStyleClass().add("tile-frame");
        VBox.setVgrow(middle, Priority.ALWAYS);
        return frame;
    }

    /** The value at {@link #VALUE_EM}, or smaller when that is wider than its tile. */
    private void fit(Label value) {
        double base = em.getFont().getSize() / 0.95 * VALUE_EM; // the title is 0.95 em
        double room = value.getWidth() - value.getInsets().getLeft() - value.getInsets().getRight();
        Text probe = new Text(value.getText());
        probe.setFont(javafx.scene.text.Font.font(value.getFont().getFamily(), javafx.scene.text.FontWeight.BOLD, base));
        double wide = probe.getLayoutBounds().getWidth();
        // a margin for the label's own rounding and the font's hinting, which the probe does not see
        double size = room > 0 && wide > room - 6 ? Math.max(base * 0.4, base * (room - 6) / wide * 0.92) : base;
        value.setStyle(String.format(Locale.ROOT, "-fx-font-size: %.1fpx;", size));
    }

    /** Six columns when there is room for six readable tiles, else three, else two. */
    private void arrange(double width) {
        double size = em.getFont().getSize() / 0.95;
        gauge.setMinSize(3.2 * size, 3.2 * size);
        gauge.setPrefSize(3.6 * size, 3.6 * size);
        gauge.setMaxSize(3.6 * size, 3.6 * size);
        values.forEach(this::fit);
        int cols = width >= 6 * MIN_TILE_EM * size ? 6 : width >= 3 * MIN_TILE_EM * size ? 3 : 2;
        if (cols == columns) {
            return;
        }
        columns = cols;
        getChildren().removeAll(frames);
        getColumnConstraints().clear();
        for (int c = 0; c < cols; c++) {
            ColumnConstraints cc = new ColumnConstraints();
            cc.setHgrow(Priority.ALWAYS);
            cc.setPercentWidth(100.0 / cols);
            getColumnConstraints().add(cc);
        }
        for (int i = 0; i < frames.size(); i++) {
            add(frames.get(i), i % cols, i / cols);
        }
    }

    /** How many tiles stand side by side (6, 3 or 2). */
    int columns() {
        return columns;
    }

    void setTarget(double target) {
        gauge.setThreshold(100 * target);
        captions.get(2).setText("running; target " + percent(100 * target) + "\u00a0%"); // "97 %" never split
    }

    private static String percent(double v) {
        return Math.abs(v - Math.rint(v)) < 1e-9 ? Long.toString(Math.round(v)) : String.format(Locale.ROOT, "%.1f", v);
    }

    /** What tile {@code i} shows (0 Step, 1 Loss, 2 Accuracy, 3 Tokens / s, 4 Elapsed · ETA, 5 Device). */
    String value(int i) {
        return values.get(i).getText();
    }

    /** The caption under tile {@code i}. */
    String caption(int i) {
        return captions.get(i).getText();
    }

    /** The gauge's early-stop mark, in %. */
    double shownTarget() {
        return gauge.getThreshold();
    }

    void show(TrainingProgress p) {
        if (p == null) {
            return;
        }
        values.get(0).setText(String.format(Locale.ROOT, "%,d", p.step())); // 11,133, as the Runs page writes it
        captions.get(0).setText(TrainingWords.step(p));
        values.get(1).setText(String.format(Locale.ROOT, "%.3f", p.loss()));
        showAccuracy(p.runningAccuracy());
        values.get(3).setText(String.format(Locale.ROOT, "%,.0f", p.tokensPerSecond()));
        captions.get(3).setText(String.format(Locale.ROOT, "%.0f ms per step", p.msPerStep()));
        values.get(4).setText(Durations.clock(p.elapsedSeconds()) + " · " + TrainingWords.etaValue(p));
        captions.get(4).setText(TrainingWords.etaCaption(p));
    }

    private void showAccuracy(double fraction) {
        gauge.setValue(Double.isNaN(fraction) ? 0 : 100 * fraction);
        values.get(2).setText(Double.isNaN(fraction) ? "–" : String.format(Locale.ROOT, "%.1f %%", 100 * fraction));
    }

    /** After a session ends: the elapsed time stays, and the ETA says how it ended ("done", "stopped"). */
    void showFinished(TrainingProgress p, String how) {
        if (p != null) {
            values.get(4).setText(Durations.clock(p.elapsedSeconds()));
            captions.get(4).setText("elapsed; " + how);
        }
    }

    /** Shows a finished run's last numbers (from its config.json) when its curve is opened. */
    void showRun(long steps, double epoch, double loss, double runningAccuracy, double wallSeconds, String how) {
        values.get(0).setText(String.format(Locale.ROOT, "%,d", steps));
        captions.get(0).setText(String.format(Locale.ROOT, "epoch %.2f", epoch));
        values.get(1).setText(Double.isNaN(loss) ? "–" : String.format(Locale.ROOT, "%.3f", loss));
        showAccuracy(runningAccuracy);
        values.get(3).setText("–");
        captions.get(3).setText("");
        values.get(4).setText(Durations.clock(wallSeconds));
        captions.get(4).setText("elapsed; " + how);
    }

    void showDevice(String text) {
        values.get(5).setText(text == null || text.isEmpty() ? "–" : text);
    }
}
