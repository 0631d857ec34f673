package org.inductionlab.ui;

import org.inductionlab.engine.lab.RunEntry;
import javafx.scene.Node;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;
import javafx.stage.Stage;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.Preset;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.Runs;
import org.inductionlab.engine.train.Trainer;
import org.inductionlab.ui.attention.AttentionPage;
import org.inductionlab.ui.control.HeatmapView;
import org.inductionlab.ui.sweep.SweepPage;
import org.inductionlab.ui.train.TrainViewModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The window, headless (Monocle), driven as a user would, on the real engine. */
@ExtendWith(ApplicationExtension.class)
class LabWindowTest {

    private LabApp.Lab lab;
    private Path home;
    @org.junit.jupiter.api.io.TempDir
    Path scratch;

    /** A tiny, deterministic configuration that learns in seconds. */
    static Map<String, String> tiny() {
        return Map.of("train_length", "24", "d_model", "16", "heads", "2", "batch_size", "32", "lr", "3e-3",
                "window", "30", "target", "0.9", "max_steps", "2500", "device", "cpu", "checkpoint_every", "500");
    }

    @Start
    void start(Stage stage) throws Exception {
        home = scratch; // JUnit removes it after the test
        System.setProperty("inductionlab.home", home.toString());
        // one trained run for the sweep and attention tests, made with the engine directly
        Hyperparameters hp = Preset.load("tiny").apply().with(tiny()).with(Map.of("max_steps", "60", "target", "1"));
        RunFolder folder = Runs.create(home.resolve("runs").resolve("pretrained"), hp, "tiny", false);
        new Trainer(hp, folder, null, null).run(false);

        LabContext ctx = new LabContext(LabSettings.load());
        lab = LabApp.build(ctx);
        ctx.setWindow(stage);
        ctx.runs().refresh();
        stage.setScene(lab.scene());
        stage.show();
    }

    @Test
    void theWindowOpensOnTheTrainPageWithEveryPageReachable(FxRobot robot) throws Exception {
        assertNotNull(robot.lookup("#train-page").query());
        robot.clickOn("#nav-sweep");
        assertTrue(robot.lookup("#sweep-page").query().isVisible());
        robot.clickOn("#nav-attention");
        assertTrue(robot.lookup("#attention-page").query().isVisible());
        robot.clickOn("#nav-runs");
        assertTrue(robot.lookup("#runs-page").query().isVisible());
        pretrained();
        assertTrue(robot.lookup("#runs-table").queryTableView().getItems().stream()
                .anyMatch(r -> ((RunEntry) r).name().equals("pretrained")));
    }

    @Test
    void zoomingWithCtrlShiftEqualsKeepsTheDashboardReadable(FxRobot robot) throws Exception {
        @SuppressWarnings("unchecked")
        javafx.scene.control.ComboBox<Double> zoom = robot.lookup("#zoom").queryAs(javafx.scene.control.ComboBox.class);
        double before = zoom.getValue();
        robot.press(javafx.scene.input.KeyCode.CONTROL, javafx.scene.input.KeyCode.SHIFT)
                .type(javafx.scene.input.KeyCode.EQUALS)
                .release(javafx.scene.input.KeyCode.SHIFT, javafx.scene.input.KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(zoom.getValue() > before, "Ctrl+Shift+= (Ctrl+plus on a US keyboard) zooms in");
        for (int i = 0; i < 6; i++) { // every tile still sits on its dark background
            Node frame = robot.lookup("#tile-" + i).query().getParent();
            WritableImage image = snapshot(robot, frame);
            Color c = image.getPixelReader().getColor(3, (int) image.getHeight() / 2);
            assertTrue(c.getBrightness() < 0.3, "tile " + i + " faded after zooming: " + c);
        }
        robot.interact(() -> zoom.setValue(before));
    }

    @Test
    void anInvalidValueDisablesStartAndSaysWhy(FxRobot robot) throws Exception {
        Button start = robot.lookup("#start").queryButton();
        assertFalse(start.isDisabled(), "the preset is valid");
        robot.clickOn("Model"); // expand the group, then let its animation finish before typing
        waitFor(() -> robot.lookup("#field-heads").query().isVisible()
                && robot.lookup("#field-heads").query().localToScene(0, 0).getY() > 0, 10);
        robot.sleep(600);
        replaceText(robot, "#field-heads", "7");
        waitFor(start::isDisabled, 10);
        assertTrue(start.isDisabled());
        Label blocker = robot.lookup("#start-blocker").queryAs(Label.class);
        assertTrue(blocker.isVisible());
        assertEquals("heads: 7 does not divide d_model 64 (allowed: a divisor of d_model)", blocker.getText());
        assertTrue(robot.lookup("#field-heads").query().getStyleClass().contains("invalid"));

        replaceText(robot, "#field-heads", "8");
        waitFor(() -> !start.isDisabled(), 10);
        assertFalse(start.isDisabled());
        assertFalse(blocker.isVisible());
    }

    @Test
    void aTinyConfigurationTrainsToItsEarlyStop(FxRobot robot) throws Exception {
        TrainViewModel train = lab.train();
        robot.interact(() -> {
            train.applyPreset("tiny");
            tiny().forEach((k, v) -> train.field(k).set(v));
            train.runName().set("ui-tiny");
        });
        robot.clickOn("#start");
        waitFor(() -> train.state().get() == TrainViewModel.State.IDLE && !train.isTraining(), 240);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(train.status().get().contains("reached the early-stop target"), train.status().get());
        RunFolder folder = RunFolder.open(home.resolve("runs").resolve("ui-tiny"));
        assertEquals("finished", folder.info().training().status());
        assertTrue(folder.info().training().runningAccuracy() >= 0.9);
        assertTrue(train.progress().get().runningAccuracy() >= 0.9, "the dashboard saw the last step");
        assertTrue(train.curves().phaseChangeStep().get() > 0, "the accuracy jump is marked");
        assertFalse(train.curves().accuracy().points().isEmpty());
    }

    @Test
    void aSmallSweepPutsItsPointsOnThePlot(FxRobot robot) throws Exception {
        robot.clickOn("#nav-sweep");
        RunEntry run = pretrained();
        robot.interact(() -> {
            lab.sweep().selected().setAll(run);
            lab.sweep().minExp().set(5);
            lab.sweep().maxExp().set(6);
            lab.sweep().sequences().set(16);
        });
        assertEquals(6, robot.lookup("#max-exp").queryAs(javafx.scene.control.Spinner.class).getValue(),
                "the spinner shows the range the sweep will run");
        robot.clickOn("#run-sweep");
        waitFor(() -> !lab.sweep().running().get() && lab.sweep().progressText().get().startsWith("Sweep"), 120);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("Sweep finished.", lab.sweep().progressText().get());

        SweepPage page = robot.lookup("#sweep-page").queryAs(SweepPage.class);
        XYChart.Series<Number, Number> ours = page.plot().getData().stream()
                .filter(s -> s.getName().equals("pretrained † · fixed:5")).findFirst().orElseThrow();
        assertEquals(List.of(5.0, 6.0), ours.getData().stream().map(d -> d.getXValue().doubleValue()).toList());
        for (XYChart.Data<Number, Number> d : ours.getData()) {
            double[] ci = (double[]) d.getExtraValue();
            assertTrue(ci[0] <= d.getYValue().doubleValue() && d.getYValue().doubleValue() <= ci[1], "inside its interval");
            Node symbol = d.getNode();
            assertNotNull(symbol);
            assertTrue(symbol.isVisible() && symbol.getScene() != null, "drawn on the plot");
        }
        assertEquals(2, RunFolder.open(home.resolve("runs").resolve("pretrained")).readSweep().size(),
                "the points are saved in the run's sweep.csv");
        assertTrue(page.plot().getData().stream().anyMatch(s -> s.getName().startsWith("Mamba")),
                "the paper's reference is shown");
    }

    @Test
    void theAttentionPageMarksTheInductionCellsOfTheSelectedHead(FxRobot robot) throws Exception {
        robot.clickOn("#nav-attention");
        RunEntry run = pretrained();
        robot.interact(() -> {
            lab.attention().run().set(run);
            lab.attention().input().length().set(24);
            lab.attention().input().seed().set(4);
        });
        robot.clickOn("#compute-attention");
        waitFor(() -> lab.attention().map().get() != null, 60);
        robot.clickOn("#thumb-1-1");
        WaitForAsyncUtils.waitForFxEvents();

        AttentionPage page = robot.lookup("#attention-page").queryAs(AttentionPage.class);
        HeatmapView heatmap = page.largeHeatmap();
        AttentionMap map = lab.attention().map().get();
        assertEquals(1, heatmap.layer());
        assertEquals(1, heatmap.head());
        int[] target = map.taskTarget();
        assertEquals(new HeatmapView.Cell(target[0], target[1]), heatmap.markedTarget());
        assertEquals(new HeatmapView.Cell(map.length() - 1, 6), heatmap.markedShortcut(),
                "a run trained with S at 5 gets the position-6 shortcut cell marked");
        assertEquals(map.inductionCells().size(), heatmap.markedInductionCells().size());
        assertFalse(heatmap.markedInductionCells().isEmpty());

        // and they are really drawn: the orange mark shows where the plain colour scale never goes (red > blue)
        WritableImage image = snapshot(robot, heatmap);
        PixelReader px = image.getPixelReader();
        double[] c = heatmap.cellCentre(target[0], target[1]);
        Color marked = px.getColor((int) c[0], (int) c[1]);
        assertTrue(marked.getRed() > marked.getBlue() + 0.1, "target cell carries the induction mark: " + marked);
        int plainQuery = -1;
        int plainKey = -1;
        for (int q = 3; q < map.length() && plainQuery < 0; q++) {
            for (int k = 0; k < q - 1; k++) {
                if (!map.isInductionCell(q, k) && !map.isInductionCell(q, k + 1) && !map.isInductionCell(q, Math.max(0, k - 1))) {
                    plainQuery = q;
                    plainKey = k;
                    break;
                }
            }
        }
        double[] p = heatmap.cellCentre(plainQuery, plainKey);
        Color plain = px.getColor((int) p[0], (int) p[1]);
        assertTrue(plain.getRed() <= plain.getBlue() + 0.02, "an unmarked cell shows the plain scale: " + plain);

        // hovering a cell reads it out
        robot.moveTo(heatmap, javafx.geometry.Pos.TOP_LEFT, new javafx.geometry.Point2D(c[0], c[1]), org.testfx.robot.Motion.DIRECT);
        WaitForAsyncUtils.waitForFxEvents();
        String info = robot.lookup("#cell-info").queryAs(Label.class).getText();
        assertTrue(info.startsWith("query " + target[0] + " (S) → key " + target[1]), info);
        assertTrue(info.contains("task target"), info);
    }

    /** The run trained in start(), once the library (scanned in the background) lists it. */
    private RunEntry pretrained() throws Exception {
        waitFor(() -> lab.context().runs().find("pretrained").isPresent(), 60);
        RunEntry[] out = new RunEntry[1];
        javafx.application.Platform.runLater(() -> out[0] = lab.context().runs().find("pretrained").orElseThrow());
        WaitForAsyncUtils.waitForFxEvents();
        return out[0];
    }

    /** Clicks a text field, selects all of it and types over it, as a user would. */
    private static void replaceText(FxRobot robot, String query, String text) {
        robot.clickOn(query);
        robot.press(javafx.scene.input.KeyCode.CONTROL).type(javafx.scene.input.KeyCode.A)
                .release(javafx.scene.input.KeyCode.CONTROL);
        robot.write(text);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(text, robot.lookup(query).queryTextInputControl().getText());
    }

    private static WritableImage snapshot(FxRobot robot, Node node) {
        WritableImage[] out = new WritableImage[1];
        robot.interact(() -> out[0] = node.snapshot(null, null));
        return out[0];
    }

    private static void waitFor(Callable<Boolean> condition, int seconds) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, () -> {
            Boolean[] ok = new Boolean[1];
            javafx.application.Platform.runLater(() -> {
                try {
                    ok[0] = condition.call();
                } catch (Exception e) {
                    ok[0] = false;
                }
            });
            WaitForAsyncUtils.waitForFxEvents();
            return Boolean.TRUE.equals(ok[0]);
        });
    }
}
