package org.inductionlab.ui;

import javafx.application.Application;
import javafx.application.Platform;
import javafx.geometry.Rectangle2D;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.stage.Screen;
import javafx.stage.Stage;
import org.inductionlab.ui.LabContext.Page;
import org.inductionlab.ui.attention.AttentionPage;
import org.inductionlab.ui.attention.AttentionViewModel;
import org.inductionlab.ui.layout.MainWindow;
import org.inductionlab.ui.runs.DemoRun;
import org.inductionlab.ui.runs.RunsPage;
import org.inductionlab.ui.runs.RunsViewModel;
import org.inductionlab.ui.sweep.SweepPage;
import org.inductionlab.ui.sweep.SweepViewModel;
import org.inductionlab.ui.train.TrainPage;
import org.inductionlab.ui.train.TrainViewModel;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/** The lab window: builds the context, the view models and their pages, and guards closing. */
public final class LabApp extends Application {

    private LabContext ctx;
    private Lab lab;

    /** Everything one window holds; also what the snapshot command and the UI tests build. */
    public record Lab(LabContext context, MainWindow window, TrainViewModel train, SweepViewModel sweep,
                      AttentionViewModel attention, RunsViewModel runs, Scene scene) {}

    /** Builds the pages on the FX thread (no stage is shown). */
    public static Lab build(LabContext ctx) {
        TrainViewModel train = new TrainViewModel(ctx);
        SweepViewModel sweep = new SweepViewModel(ctx);
        AttentionViewModel attention = new AttentionViewModel(ctx);
        RunsViewModel runs = new RunsViewModel(ctx);
        Map<Page, Node> pages = new EnumMap<>(Page.class);
        pages.put(Page.TRAIN, new TrainPage(ctx, train));
        pages.put(Page.SWEEP, new SweepPage(ctx, sweep));
        pages.put(Page.ATTENTION, new AttentionPage(ctx, attention));
        pages.put(Page.RUNS, new RunsPage(ctx, runs));
        pages.put(Page.ABOUT, new org.inductionlab.ui.about.AboutPage());
        MainWindow window = new MainWindow(ctx, pages);
        Scene scene = new Scene(window, 1366, 768);
        // ControlsFX adds this to the owner's scene when the first notification shows; a stylesheet added
        // at run time restyles the whole scene and washed out the TilesFX dashboard, so add it up front.
        scene.getStylesheets().add(org.controlsfx.control.Notifications.class.getResource("notificationpopup.css")
                .toExternalForm());
        scene.getStylesheets().add(LabApp.class.getResource("lab.css").toExternalForm());
        window.installShortcuts(scene);
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.ENTER, KeyCombination.SHORTCUT_DOWN), () -> {
            if (train.canStart().get()) {
                train.start();
            }
        });
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.PERIOD, KeyCombination.SHORTCUT_DOWN), train::stop);
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.P, KeyCombination.SHORTCUT_DOWN), () -> {
            if (train.state().get() == TrainViewModel.State.RUNNING) {
                train.pause();
            } else {
                train.resume();
            }
        });
        return new Lab(ctx, window, train, sweep, attention, runs, scene);
    }

    @Override
    public void start(Stage stage) {
        ctx = new LabContext(LabSettings.load());
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> Fx.showError(stage, "Something went wrong", e));
        DemoRun.installIfMissing(ctx.runs().directory());
        lab = build(ctx);
        ctx.setWindow(stage);
        stage.setTitle("Induction Lab");
        stage.setScene(lab.scene());
        Rectangle2D screen = Screen.getPrimary().getVisualBounds();
        stage.setWidth(Math.min(screen.getWidth(), ctx.settings().getDouble("window_width", 1366)));
        stage.setHeight(Math.min(screen.getHeight(), ctx.settings().getDouble("window_height", 768)));
        stage.setOnCloseRequest(e -> {
            if (!confirmClose(stage)) {
                e.consume();
            }
        });
        if (!Boolean.parseBoolean(ctx.settings().get("about_seen", "false"))) {
            lab.window().show(Page.ABOUT); // the first launch says what the experiment is
            ctx.settings().put("about_seen", "true");
        }
        stage.show();
        ctx.startEngine();
    }

    /** Closing during training asks; either way the last checkpoint stays intact. */
    private boolean confirmClose(Stage stage) {
        ctx.settings().put("window_width", stage.getWidth());
        ctx.settings().put("window_height", stage.getHeight());
        lab.train().remember();
        lab.sweep().remember();
        if (!lab.train().isTraining()) {
            return true;
        }
        ButtonType stopAndClose = new ButtonType("Stop and close", ButtonBar.ButtonData.OK_DONE);
        ButtonType keep = new ButtonType("Keep training", ButtonBar.ButtonData.CANCEL_CLOSE);
        Alert ask = new Alert(Alert.AlertType.CONFIRMATION,
                "Training is running. Stop it and close? The checkpoint is written first, and the run can be"
                        + " resumed later from the Runs page.", stopAndClose, keep);
        ask.setHeaderText("Close Induction Lab?");
        ask.initOwner(stage);
        Optional<ButtonType> answer = ask.showAndWait();
        if (answer.isEmpty() || answer.get() != stopAndClose) {
            return false;
        }
        lab.train().stopAndWait(120_000);
        return true;
    }

    @Override
    public void stop() {
        if (ctx != null) {
            ctx.settings().save();
            ctx.shutdown();
        }
        Platform.exit();
    }
}
