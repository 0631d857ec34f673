package org.inductionlab.ui.train;

import org.inductionlab.engine.text.Durations;
import eu.hansolo.tilesfx.Tile;
import eu.hansolo.tilesfx.TileBuilder;
import javafx.geometry.Pos;
import javafx.scene.layout.GridPane;
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
        accuracy = TileBuilder.create().skinType(Tile.SkinType.GAUGE).title("Running accuracy").unit("%")
                .minValue(0).maxValue(100).decimals(1).threshold(99).thresholdVisible(true).animated(false).build();
        speed = TileBuilder.create().skinType(Tile.SkinType.NUMBER).title("Tokens / s").decimals(0).animated(false)
                .description("").descriptionAlignment(Pos.BOTTOM_LEFT).build();
        time = TileBuilder.create().skinType(Tile.SkinType.TEXT).title("Elapsed · ETA").description("–")
                .descriptionAlignment(Pos.CENTER).textVisible(true).text("ETA to max_steps").build();
        device = TileBuilder.create().skinType(Tile.SkinType.TEXT).title("Device").description("–")
                .descriptionAlignment(Pos.CENTER).textVisible(true).text("").build();
        Tile[] tiles = {step, loss, accuracy, speed, time, device};
        for (int i = 0; i < tiles.length; i++) {
            tiles[i].setPrefSize(150, 150);
            tiles[i].setMinSize(110, 110);
            tiles[i].setId("tile-" + i);
            add(tiles[i], i, 0);
            ColumnConstraints c = new ColumnConstraints();
            c.setHgrow(Priority.ALWAYS);
            c.setPercentWidth(100.0 / tiles.length);
            getColumnConstraints().add(c);
        }
        setHgap(6);
        getStyleClass().add("dashboard");
    }

    void setTarget(double target) {
        accuracy.setThreshold(100 * target);
    }

    void show(TrainingProgress p) {
        if (p == null) {
            return;
        }
        step.setValue(p.step());
        step.setDescription(String.format(Locale.ROOT, "epoch %.2f of %.0f", p.epoch(),
                p.epoch() * p.maxSteps() / Math.max(1, p.step())));
        loss.setValue(p.loss());
        accuracy.setValue(100 * p.runningAccuracy());
        speed.setValue(p.tokensPerSecond());
        speed.setDescription(String.format(Locale.ROOT, "%.0f ms per step", p.msPerStep()));
        time.setDescription(Durations.clock(p.elapsedSeconds()) + "  ·  " + Durations.clock(p.etaSeconds()));
    }

    /** After a session ends: the elapsed time stays, the ETA is over. */
    void showFinished(TrainingProgress p) {
        if (p != null) {
            time.setDescription(Durations.clock(p.elapsedSeconds()) + "  ·  done");
        }
    }

    void showDevice(String text) {
        device.setDescription(text == null || text.isEmpty() ? "–" : text);
    }
}
