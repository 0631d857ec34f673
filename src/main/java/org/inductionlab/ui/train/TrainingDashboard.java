package org.inductionlab.ui.train;

import org.inductionlab.engine.text.Durations;
import eu.hansolo.tilesfx.Tile;
import eu.hansolo.tilesfx.TileBuilder;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.ColumnConstraints;
import org.inductionlab.engine.train.TrainingProgress;

import java.util.Locale;

/** The live numbers of a training session as TilesFX tiles. */
final class TrainingDashboard extends GridPane {

    private final Tile step;
    private final Tile loss;
    private final Tile accuracy;
    private final Tile speed;
    private final Tile time;
    private final Tile device;

    TrainingDashboard() {
        step = TileBuilder.create().skinType(Tile.SkinType.NUMBER).title("Step").decimals(0).animated(false)
                .description("epoch 0").descriptionAlignment(Pos.BOTTOM_LEFT).build();
        loss = TileBuilder.create().skinType(Tile.SkinType.NUMBER).title("Loss").decimals(3).animated(false)
                .description("cross-entropy of the last token").descriptionAlignment(Pos.BOTTOM_LEFT).build();
        accuracy = TileBuilder.create().skinType(Tile.SkinType.GAUGE).title("Accuracy").unit("%")
                .minValue(0).maxValue(100).decimals(1).threshold(99).thresholdVisible(true).animated(false).build();
        speed = TileBuilder.create().skinType(Tile.SkinType.NUMBER).title("Tokens / s").decimals(0).animated(false)
                .description("").descriptionAlignment(Pos.BOTTOM_LEFT).build();
        time = TileBuilder.create().skinType(Tile.SkinType.TEXT).title("Time · ETA").description("–")
                .descriptionAlignment(Pos.CENTER).textVisible(true).text("ETA").build();
        device = TileBuilder.create().skinType(Tile.SkinType.TEXT).title("Device").description("–")
                .descriptionAlignment(Pos.CENTER).textVisible(true).text("").build();
        Tile[] tiles = {step, loss, accuracy, speed, time, device};
        for (int i = 0; i < tiles.length; i++) {
            tiles[i].setPrefSize(150, 150);
            tiles[i].setMinSize(100, 100);
            tiles[i].setId("tile-" + i);
            add(frame(tiles[i]), i, 0);
            ColumnConstraints c = new ColumnConstraints();
            c.setHgrow(Priority.ALWAYS);
            c.setPercentWidth(100.0 / tiles.length);
            getColumnConstraints().add(c);
        }
        setHgap(6);
        getStyleClass().add("dashboard");
    }

    /**
     * A tile under a title of our own, on a dark frame. TilesFX draws its titles at about 7 px on a tile
     * this size (unreadable on a projector) and sets its background in code, which the window's zoom (a
     * font size on the root) made it drop; the frame's title scales with the zoom, its background stays.
     */
    private static VBox frame(Tile tile) {
        Label title = new Label(tile.getTitle());
        title.getStyleClass().add("tile-title");
        title.setMaxWidth(Double.MAX_VALUE);
        tile.setTitle("");
        VBox frame = new VBox(title, tile);
        frame.getStyleClass().add("tile-frame");
        VBox.setVgrow(tile, Priority.ALWAYS);
        return frame;
    }

    void setTarget(double target) {
        accuracy.setThreshold(100 * target);
    }

    void show(TrainingProgress p) {
        if (p == null) {
            return;
        }
        step.setValue(p.step());
        step.setDescription(p.epochText() + " · L=" + p.trainLength());
        loss.setValue(p.loss());
        accuracy.setValue(100 * p.runningAccuracy());
        speed.setValue(p.tokensPerSecond());
        speed.setDescription(String.format(Locale.ROOT, "%.0f ms per step", p.msPerStep()));
        time.setDescription(Durations.clock(p.elapsedSeconds()) + "  ·  " + Durations.clock(p.etaSeconds()));
        time.setText("ETA " + p.etaMeaning());
    }

    /** After a session ends: the elapsed time stays, and the ETA says how it ended ("done", "stopped"). */
    void showFinished(TrainingProgress p, String how) {
        if (p != null) {
            time.setDescription(Durations.clock(p.elapsedSeconds()) + "  ·  " + how);
        }
    }

    /** Shows a finished run's last numbers (from its config.json) when its curve is opened. */
    void showRun(long steps, double epoch, double loss, double runningAccuracy, double wallSeconds, String how) {
        step.setValue(steps);
        step.setDescription(String.format(Locale.ROOT, "epoch %.2f", epoch));
        this.loss.setValue(Double.isNaN(loss) ? 0 : loss);
        accuracy.setValue(Double.isNaN(runningAccuracy) ? 0 : 100 * runningAccuracy);
        speed.setValue(0);
        speed.setDescription("");
        time.setDescription(Durations.clock(wallSeconds) + "  ·  " + how);
    }

    void showDevice(String text) {
        device.setDescription(text == null || text.isEmpty() ? "–" : text);
    }
}
