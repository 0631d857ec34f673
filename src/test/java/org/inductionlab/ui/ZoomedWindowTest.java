package org.inductionlab.ui;

import org.inductionlab.engine.lab.RunEntry;
import javafx.scene.Node;
import javafx.scene.chart.Axis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.control.TitledPane;
import javafx.scene.input.KeyCode;
import javafx.scene.shape.Line;
import javafx.stage.Stage;
import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.lab.TrainingJob;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.ui.LabContext.Page;
import org.inductionlab.ui.attention.AttentionPage;
import org.inductionlab.ui.runs.RunsPage;
import org.inductionlab.ui.sweep.SweepPage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 21, the window at a teacher's projector zoom and the controls a new user tripped on: headless
 * (Monocle) at 1366x768, on a 3-step tiny run with a two-length sweep.
 */
@ExtendWith(ApplicationExtension.class)
class ZoomedWindowTest {

    private LabApp.Lab lab;
    @org.junit.jupiter.api.io.TempDir
    static Path shared;
    @org.junit.jupiter.api.io.TempDir
    Path home;

    /** One tiny run, trained once off the FX thread; each test gets its own copy (one renames it). */
    @org.junit.jupiter.api.BeforeAll
    static void trainOnce() throws Exception {
        Path run = shared.resolve("r");
        TrainingJob.create(run, TestConfigs.tiny("max_steps=3"), "tiny", false).run(null);
        RunFolder.open(run).mergeSweep(List.of(SweepPoint.of(32, "fixed:5", 64, 40, 0.1),
                SweepPoint.of(64, "fixed:5", 64, 20, 0.1)));
    }

    @Start
    void start(Stage stage) throws Exception {
        System.setProperty("inductionlab.home", home.toString());
        Path run = home.resolve("runs").resolve("r");
        java.nio.file.Files.createDirectories(run.getParent());
        try (var files = java.nio.file.Files.walk(shared.resolve("r"))) {
            for (Path f : files.toList()) {
                java.nio.file.Files.copy(f, run.resolve(shared.resolve("r").relativize(f).toString()));
            }
        }
        LabContext ctx = new LabContext(LabSettings.load());
        lab = LabApp.build(ctx);
        ctx.setWindow(stage);
        ctx.runs().refresh();
        stage.setScene(lab.scene());
        stage.show();
    }

    /** Item 15: the highlighted button is the page shown, whichever way the page was chosen. */
    @Test
    void theSideBarHighlightsThePageShown(FxRobot robot) {
        robot.clickOn("#nav-attention");
        assertEquals(Page.ATTENTION, lab.window().current());
        robot.type(KeyCode.UP); // moves the selection within the side bar's group
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(lab.window().highlighted(), lab.window().current(), "highlight and page agree after ↑");
        assertEquals(Page.SWEEP, lab.window().current());
        robot.clickOn("#nav-sweep"); // the shown page clicked again: still shown and still highlighted
        assertEquals(Page.SWEEP, lab.window().highlighted());
        robot.press(KeyCode.CONTROL).type(KeyCode.DIGIT4).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(Page.RUNS, lab.window().current());
        assertEquals(Page.RUNS, lab.window().highlighted());
    }

    /** Item 13: a group holding a bad value stays marked after the search is cleared. */
    @Test
    void aGroupWithABadValueStaysMarkedWhenTheSearchIsCleared(FxRobot robot) throws Exception {
        // as a user does it: search for lr, type a bad value into the match, clear the search
        robot.clickOn("#hyperparameter-search").write("lr");
        WaitForAsyncUtils.waitForFxEvents();
        robot.doubleClickOn("#field-lr");
        robot.press(KeyCode.CONTROL).type(KeyCode.A).release(KeyCode.CONTROL).write("0");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(lab.train().problems().containsKey("lr"));
        robot.clickOn("#hyperparameter-search");
        robot.press(KeyCode.CONTROL).type(KeyCode.A).release(KeyCode.CONTROL).type(KeyCode.BACK_SPACE);
        WaitForAsyncUtils.waitForFxEvents();
        waitFor(() -> robot.lookup("#hyperparameter-search").queryTextInputControl().getText().isEmpty()
                && !robot.lookup(".titled-pane").queryAll().isEmpty(), 10);
        robot.sleep(500);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(marked("Optimisation"), "the collapsed group says it holds lr = 0");
        assertFalse(marked("Model"));
    }

    private boolean marked(String group) {
        for (Node n : lab.window().lookupAll(".titled-pane")) {
            if (n instanceof TitledPane tp && tp.getText().equals(group)) {
                return tp.getStyleClass().contains("has-problem") && tp.getGraphic() != null;
            }
        }
        return false;
    }

    /** Items 1-3: at 150 % the words grow, stay whole, and the axes keep their labels apart. */
    @Test
    void at150PercentTheWordsGrowAndStayWhole(FxRobot robot) throws Exception {
        @SuppressWarnings("unchecked")
        ComboBox<Double> zoom = robot.lookup("#zoom").queryAs(ComboBox.class);
        Label stepValue = robot.lookup("#tile-0-value").queryAs(Label.class);
        double valueAt100 = stepValue.getFont().getSize();
        robot.clickOn("#nav-attention");
        AttentionPage attention = robot.lookup("#attention-page").queryAs(AttentionPage.class);
        double axisAt100 = attention.largeHeatmap().labelSize();
        robot.interact(() -> zoom.setValue(1.5));
        WaitForAsyncUtils.waitForFxEvents();

        robot.clickOn("#nav-train");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(stepValue.getFont().getSize() > 1.3 * valueAt100, "the dashboard's numbers grow with the zoom: "
                + valueAt100 + " px, then " + stepValue.getFont().getSize() + " px");
        for (int i = 0; i < 6; i++) {
            Label title = (Label) ((javafx.scene.layout.VBox) robot.lookup("#tile-" + i).query().getParent())
                    .getChildren().get(0);
            assertWhole(title);
        }

        robot.clickOn("#nav-attention");
        assertTrue(attention.largeHeatmap().labelSize() > 1.3 * axisAt100, "the heatmap's axis labels grow too");
        assertWhole(robot.lookup("#compute-attention").queryAs(Button.class));

        robot.clickOn("#nav-sweep");
        RunEntry r = lab.context().runs().find("r").orElseThrow();
        robot.interact(() -> lab.sweep().add(r));
        SweepPage sweep = robot.lookup("#sweep-page").queryAs(SweepPage.class);
        waitFor(() -> !sweep.plot().getData().isEmpty(), 20);
        for (String text : List.of("Shortest", "Longest", "Layout", "Sequences")) {
            Label l = robot.lookup(n -> n instanceof Label lb && text.equals(lb.getText())).queryAs(Label.class);
            assertWhole(l);
        }
        assertApart(sweep.plot().getXAxis(), false);
        assertApart(sweep.plot().getYAxis(), true);
        List<String> y = shownLabels(sweep.plot().getYAxis());
        assertTrue(y.contains("0") && y.contains("100"), "the accuracy axis keeps 0 and 100: " + y);
        robot.interact(() -> zoom.setValue(1.0));
    }

    /** Item 7: every error bar is drawn in its series' colour, which the series keeps. */
    @Test
    void errorBarsShareTheirSeriesColour(FxRobot robot) throws Exception {
        robot.clickOn("#nav-sweep");
        RunEntry r = lab.context().runs().find("r").orElseThrow();
        robot.interact(() -> lab.sweep().add(r));
        SweepPage sweep = robot.lookup("#sweep-page").queryAs(SweepPage.class);
        waitFor(() -> sweep.plot().getData().stream().anyMatch(s -> s.getName().startsWith("r ")), 20);
        WaitForAsyncUtils.waitForFxEvents();
        XYChart.Series<Number, Number> ours = sweep.plot().getData().stream().filter(s -> s.getName().startsWith("r "))
                .findFirst().orElseThrow();
        String colour = sweep.seriesColours().get(ours.getName());
        assertNotNull(colour);
        javafx.scene.paint.Color c = javafx.scene.paint.Color.web(colour);
        List<Line> bars = new ArrayList<>();
        for (Node n : sweep.plot().lookupAll(".error-bar")) {
            bars.add((Line) n);
        }
        assertEquals(6, bars.size(), "two points, three strokes each");
        for (Line bar : bars) {
            javafx.scene.paint.Color stroke = (javafx.scene.paint.Color) bar.getStroke();
            assertEquals(c.getRed(), stroke.getRed(), 0.01, "the bar is in " + colour + ", not black: " + stroke);
            assertEquals(c.getGreen(), stroke.getGreen(), 0.01);
            assertEquals(c.getBlue(), stroke.getBlue(), 0.01);
        }
        assertFalse(robot.lookup("#sweep-export-png").queryButton().isDisabled());
    }

    /** Item 16: the selection follows a renamed run; Delete asks with Cancel as the default. */
    @Test
    void theRunsPageKeepsItsSelectionAndDeletingNeedsAClick(FxRobot robot) throws Exception {
        robot.clickOn("#nav-runs");
        @SuppressWarnings("unchecked")
        TableView<RunEntry> table = robot.lookup("#runs-table").queryAs(TableView.class);
        RunEntry r = lab.context().runs().find("r").orElseThrow();
        robot.interact(() -> table.getSelectionModel().select(r));
        robot.interact(() -> lab.runs().rename(r, "renamed"));
        waitFor(() -> table.getSelectionModel().getSelectedItem() != null
                && table.getSelectionModel().getSelectedItem().name().equals("renamed"), 20);

        Alert[] ask = new Alert[1];
        robot.interact(() -> ask[0] = RunsPage.deleteQuestion(table.getSelectionModel().getSelectedItem()));
        Button delete = (Button) ask[0].getDialogPane().lookupButton(RunsPage.DELETE);
        Button cancel = (Button) ask[0].getDialogPane().lookupButton(ButtonType.CANCEL);
        assertFalse(delete.isDefaultButton(), "Enter does not delete");
        assertTrue(cancel.isDefaultButton());
    }

    /** Polish: no loss before a step; the gauge's caption and mark are the run's target; busy and empty states. */
    @Test
    void theDashboardAndTheButtonsSayOnlyWhatIsTrue(FxRobot robot) throws Exception {
        assertEquals("–", robot.lookup("#tile-1-value").queryAs(Label.class).getText(), "no 0.000 before training");
        robot.interact(() -> lab.train().field("target").set("0.9"));
        assertEquals("running; target 90\u00a0%", robot.lookup("#tile-2-caption").queryAs(Label.class).getText());

        robot.clickOn("#nav-attention");
        Button show = robot.lookup("#compute-attention").queryButton();
        Button png = robot.lookup("#attention-export-png").queryButton();
        assertTrue(png.isDisabled(), "nothing shown, nothing to export");
        RunEntry r = lab.context().runs().find("r").orElseThrow();
        boolean[] busyAndDisabled = new boolean[2];
        robot.interact(() -> {
            lab.attention().run().set(r);
            lab.attention().input().length().set(24);
            lab.attention().compute();
            busyAndDisabled[0] = lab.attention().busy().get();
            busyAndDisabled[1] = show.isDisabled();
        });
        assertTrue(busyAndDisabled[0] && busyAndDisabled[1], "Show attention is off while it computes");
        waitFor(() -> lab.attention().map().get() != null, 60);
        assertFalse(show.isDisabled());
        assertFalse(png.isDisabled());
        AttentionPage page = robot.lookup("#attention-page").queryAs(AttentionPage.class);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("key token →", page.largeHeatmap().keyAxisTitle(), "23 large cells: each labelled by its token");
        robot.interact(() -> {
            lab.attention().input().length().set(200);
            lab.attention().compute();
        });
        waitFor(() -> lab.attention().map().get() != null, 60);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("key position →", page.largeHeatmap().keyAxisTitle(), "199 small cells: by position, and said so");
    }

    private static void assertWhole(javafx.scene.control.Labeled l) {
        assertTrue(l.getWidth() >= l.prefWidth(-1) - 0.5, "'" + l.getText() + "' is cut: " + l.getWidth() + " px of "
                + l.prefWidth(-1));
    }

    /** The tick labels an axis shows. */
    private static List<String> shownLabels(Axis<?> axis) {
        List<String> out = new ArrayList<>();
        for (Node n : axis.getChildrenUnmodifiable()) {
            if (n instanceof javafx.scene.text.Text t && n.isVisible() && !t.getText().isEmpty()) {
                out.add(t.getText());
            }
        }
        return out;
    }

    /** No two shown tick labels overlap. */
    private static void assertApart(Axis<?> axis, boolean vertical) {
        List<double[]> spans = new ArrayList<>();
        for (Node n : axis.getChildrenUnmodifiable()) {
            if (n instanceof javafx.scene.text.Text t && n.isVisible() && !t.getText().isEmpty()) {
                var b = n.getBoundsInParent();
                spans.add(vertical ? new double[] {b.getMinY(), b.getMaxY()} : new double[] {b.getMinX(), b.getMaxX()});
            }
        }
        assertTrue(spans.size() >= 3, "labels shown: " + spans.size());
        spans.sort((a, b) -> Double.compare(a[0], b[0]));
        for (int i = 1; i < spans.size(); i++) {
            assertTrue(spans.get(i)[0] >= spans.get(i - 1)[1], "tick labels overlap on " + axis.getLabel());
        }
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
