package org.inductionlab.ui;

import javafx.application.Platform;
import javafx.stage.Stage;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.ui.attention.AttentionViewModel;
import org.inductionlab.ui.LabContext.Page;
import org.inductionlab.ui.control.HeatmapView;
import org.inductionlab.ui.runs.DemoRun;
import org.inductionlab.engine.lab.RunEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Renders each page of the real window to PNG at 1366x768, headless (Monocle, software rendering): the
 * Train page during a short real training of the tiny preset, the Sweep page with the demo runs, the
 * Attention page on the induction demo, and the Runs page. Works in a scratch home, so the user's runs
 * and settings are untouched unless --home says otherwise.
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "Render every page of the window to PNG (headless, 1366x768 unless --size).")
public final class SnapshotCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder for train.png, sweep.png, …")
    Path out;

    @Option(names = "--home", paramLabel = "DIR", description = "lab home to use (default: a new scratch folder)")
    Path home;

    @Option(names = "--train-seconds", paramLabel = "S", description = "seconds of tiny training shown (default 20)")
    double trainSeconds = 20;

    @Option(names = "--zoom", paramLabel = "Z", description = "text zoom, e.g. 1.5 for a projector (default 1)")
    double zoom = 1.0;

    @Option(names = "--study", paramLabel = "DIR", description = "also render the Sweep page with this study"
            + " opened (sweep-study.png), and its training curves on the Train page (train-study.png)")
    Path study;

    @Option(names = "--train-run", paramLabel = "NAME", description = "the run train-run.png shows, from the lab"
            + " home's runs (default demo-induction-256; with --home, a run of your own)")
    String trainRun = "demo-induction-256";

    @Option(names = "--size", paramLabel = "WxH", description = "window size in pixels (default 1366x768)")
    String size = "1366x768";

    @Option(names = "--pages", paramLabel = "LIST", split = ",", description = "only these pages, e.g."
            + " attention,about (train, sweep, attention, runs, about; default all)")
    java.util.Set<String> pages;

    private boolean wanted(String page) {
        return pages == null || pages.contains(page);
    }

    @Override
    public Integer call() throws Exception {
        if (pages != null && !java.util.Set.of("train", "sweep", "attention", "runs", "about").containsAll(pages)) {
            throw new org.inductionlab.engine.config.InvalidConfigException("pages", pages
                    + " names a page there is not (allowed: train, sweep, attention, runs, about)");
        }
        if (!size.matches("\\d{3,4}x\\d{3,4}")) {
            throw new org.inductionlab.engine.config.InvalidConfigException("size", "'" + size
                    + "' is not a window size (allowed: WIDTHxHEIGHT, e.g. 1280x720)");
        }
        int width = Integer.parseInt(size.split("x")[0]);
        int height = Integer.parseInt(size.split("x")[1]);
        Path labHome = home != null ? home : Files.createTempDirectory("inductionlab-snapshot");
        boolean scratch = home == null;
        System.setProperty("inductionlab.home", labHome.toString());
        if (System.getProperty("glass.platform") == null) {
            System.setProperty("glass.platform", "Monocle");
            System.setProperty("monocle.platform", "Headless");
            System.setProperty("prism.order", "sw");
        }
        System.setProperty("headless.geometry", width + "x" + height + "-32");
        Files.createDirectories(out);
        java.util.logging.Logger.getLogger("javafx").setLevel(java.util.logging.Level.SEVERE);

        CompletableFuture<LabApp.Lab> built = new CompletableFuture<>();
        Platform.startup(() -> {
            try {
                LabSettings settings = LabSettings.load();
                settings.put("zoom", zoom);
                LabContext ctx = new LabContext(settings);
                DemoRun.installIfMissing(ctx.runs().directory());
                LabApp.Lab lab = LabApp.build(ctx);
                Stage stage = new Stage();
                ctx.setWindow(stage);
                stage.setScene(lab.scene());
                stage.setWidth(width);
                stage.setHeight(height);
                stage.show();
                ctx.startEngine();
                built.complete(lab);
            } catch (Throwable e) {
                built.completeExceptionally(e);
            }
        });
        LabApp.Lab lab = built.get(60, TimeUnit.SECONDS);
        try {
            // engine up, then the runs listed (the start-up task queues the scan behind itself)
            for (int i = 0; i < 2; i++) {
                java.util.concurrent.CompletableFuture<Void> idle = new java.util.concurrent.CompletableFuture<>();
                lab.context().executor().background(() -> idle.complete(null));
                idle.get(120, TimeUnit.SECONDS);
            }
            on(() -> null); // and the list published on the FX thread
            if (wanted("train")) {
                shootTrain(lab);
            }
            if (wanted("sweep")) {
                shootSweep(lab);
            }
            if (wanted("attention")) {
                shootAttention(lab);
                shootHistory(lab);
                shootMamba(lab, "demo-mamba", "attention-mamba.png");
                capture(lab, "attention-mamba-hidden.png", "#view-hidden"); // the group that matters, its map
                shootMamba(lab, "demo-mamba-long", "attention-mamba-long.png");
            }
            if (study != null) {
                on(() -> {
                    lab.runs().openStudy(study);
                    return null;
                });
                for (int i = 0; i < 3; i++) { // open, list, plot: each a background task and a UI update
                    CompletableFuture<Void> idle = new CompletableFuture<>();
                    lab.context().executor().background(() -> idle.complete(null));
                    idle.get(120, TimeUnit.SECONDS);
                    on(() -> null);
                }
                capture(lab, "sweep-study.png");
                on(() -> { // the same study's training, its seeds as bands, on the Train page
                    lab.window().show(Page.TRAIN);
                    var toggle = (javafx.scene.control.ToggleButton) lab.window().lookup("#study-curves-toggle");
                    if (toggle != null) {
                        toggle.setSelected(true);
                    }
                    return null;
                });
                CompletableFuture<Void> idle = new CompletableFuture<>();
                lab.context().executor().background(() -> idle.complete(null));
                idle.get(120, TimeUnit.SECONDS);
                on(() -> null);
                capture(lab, "train-study.png");
                on(() -> {
                    var toggle = (javafx.scene.control.ToggleButton) lab.window().lookup("#study-curves-toggle");
                    if (toggle != null) {
                        toggle.setSelected(false);
                    }
                    return null;
                });
            }
            if (wanted("train")) {
                shootTrainedRun(lab);
            }
            if (wanted("runs")) {
                shootRuns(lab);
            }
            if (wanted("about")) {
                on(() -> {
                    lab.window().show(Page.ABOUT);
                    return null;
                });
                capture(lab, "about.png");
            }
            try (var written = Files.list(out)) {
                System.out.println("wrote " + String.join(", ", written.map(f -> f.getFileName().toString())
                        .filter(f -> f.endsWith(".png")).sorted().toList()) + " to " + out.toAbsolutePath());
            }
            return 0;
        } finally {
            lab.train().stopAndWait(60_000);
            Platform.exit();
            if (scratch) { // leave nothing behind in /tmp
                try (var files = Files.walk(labHome)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private void shootTrain(LabApp.Lab lab) throws Exception {
        on(() -> {
            lab.window().show(Page.TRAIN);
            lab.train().applyPreset("tiny");
            lab.train().field("max_steps").set("100000");
            lab.train().field("target").set("1");
            lab.train().runName().set("snapshot-tiny");
            lab.train().start();
            return null;
        });
        Thread.sleep((long) (trainSeconds * 1000));
        capture(lab, "train.png");
        on(() -> {
            lab.train().stop();
            return null;
        });
        lab.train().stopAndWait(60_000);
    }

    /**
     * The Train page showing a finished run's whole training (demo-induction-256's unless --train-run):
     * curriculum stages, phase change, heads, and the longer lengths where it recorded them.
     */
    private void shootTrainedRun(LabApp.Lab lab) throws Exception {
        RunEntry demo = on(() -> lab.context().runs().find(trainRun).orElse(null));
        if (demo == null) {
            System.err.println("train-run.png: no run '" + trainRun + "' in the lab home's runs");
            return;
        }
        long deadline = System.currentTimeMillis() + 60_000;
        while (on(() -> lab.train().state().get() != org.inductionlab.ui.train.TrainViewModel.State.IDLE)
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(200); // the stopped session hands over to the FX thread first; a run opens only when idle
        }
        on(() -> {
            lab.window().show(Page.TRAIN);
            lab.context().events().publish(new org.inductionlab.ui.event.RunEvents.ShowInTrain(demo));
            return null;
        });
        while (on(() -> lab.train().curves().heads().isEmpty()) && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        Thread.sleep(500); // generalisation.csv arrives with heads.csv; let the charts lay out
        capture(lab, "train-run.png");
        // zoomed, the page scrolls: the charts under loss and accuracy as well
        boolean scrolls = on(() -> {
            var side = (javafx.scene.control.ScrollPane) lab.window().lookup("#train-right");
            if (side == null || side.getContent().getLayoutBounds().getHeight() <= side.getViewportBounds().getHeight() + 1) {
                return false;
            }
            side.setVvalue(side.getVmax());
            return true;
        });
        if (scrolls) {
            Thread.sleep(300);
            capture(lab, "train-run-lower.png");
            on(() -> {
                ((javafx.scene.control.ScrollPane) lab.window().lookup("#train-right")).setVvalue(0);
                return null;
            });
        }
    }

    /** The Runs page with demo-position selected and probed: induction or position? */
    private void shootRuns(LabApp.Lab lab) throws Exception {
        RunEntry demo = on(() -> lab.context().runs().find("demo-position").orElse(null));
        on(() -> {
            lab.window().show(Page.RUNS);
            if (demo != null) {
                var page = (org.inductionlab.ui.runs.RunsPage) lab.window().lookup("#runs-page");
                page.table().getSelectionModel().select(demo);
                lab.runs().probe(demo);
            }
            return null;
        });
        long deadline = System.currentTimeMillis() + 120_000;
        while (demo != null && on(() -> lab.runs().probeResult().get() == null) && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        capture(lab, "runs.png");
    }

    private void shootSweep(LabApp.Lab lab) throws Exception {
        on(() -> {
            lab.window().show(Page.SWEEP);
            for (String name : DemoRun.NAMES) { // the runs of the trigger task, which the length plot measures
                lab.context().runs().find(name).filter(r -> r.hyperparameters().task()
                        == org.inductionlab.engine.config.TaskKind.TRIGGER).ifPresent(lab.sweep()::add);
            }
            return null;
        });
        // each run's saved sweep is read in the background and plotted on the FX thread: wait for both, or a busy
        // machine photographs a plot that has only the paper's lines
        CompletableFuture<Void> idle = new CompletableFuture<>();
        lab.context().executor().background(() -> idle.complete(null));
        idle.get(120, TimeUnit.SECONDS);
        on(() -> null);
        capture(lab, "sweep.png");
    }

    private void shootAttention(LabApp.Lab lab) throws Exception {
        RunEntry demo = on(() -> lab.context().runs().find(DemoRun.NAMES.get(1))
                .or(() -> lab.context().runs().runs().stream().findFirst()).orElse(null));
        if (demo == null) {
            capture(lab, "attention.png");
            return;
        }
        showGenerated(lab, demo);
        on(() -> {
            AttentionMap m = lab.attention().map().get();
            if (m != null) {
                // show the head that does the task: the highest weight on the target cell in the last layer
                int last = m.layers() - 1;
                int best = 0;
                for (int h = 1; h < m.heads(); h++) {
                    if (m.targetWeight(last, h) > m.targetWeight(last, best)) {
                        best = h;
                    }
                }
                lab.attention().layer().set(last);
                lab.attention().head().set(best);
                int[] t = m.taskTarget();
                var page = (org.inductionlab.ui.attention.AttentionPage) lab.window().lookup("#attention-page");
                if (t != null && page != null) {
                    page.largeHeatmap().lockedProperty().set(new HeatmapView.Cell(t[0], t[1]));
                }
            }
            return null;
        });
        capture(lab, "attention.png");
    }

    /** The Attention page's "Training steps" source on demo-induction-256, partway through training. */
    private void shootHistory(LabApp.Lab lab) throws Exception {
        RunEntry demo = on(() -> lab.context().runs().find("demo-induction-256").orElse(null));
        if (demo == null) {
            return;
        }
        on(() -> {
            lab.window().show(Page.ATTENTION);
            var sources = (javafx.scene.control.TabPane) lab.window().lookup("#attention-source");
            sources.getSelectionModel().select(AttentionViewModel.Source.HISTORY.ordinal());
            lab.attention().run().set(demo);
            return null;
        });
        long deadline = System.currentTimeMillis() + 60_000;
        while (on(() -> lab.attention().history().count().get()) == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        on(() -> {
            int count = lab.attention().history().count().get();
            lab.attention().history().index().set(Math.max(0, count / 4)); // while the head forms
            return null;
        });
        capture(lab, "attention-steps.png");
        on(() -> {
            var sources = (javafx.scene.control.TabPane) lab.window().lookup("#attention-source");
            sources.getSelectionModel().select(AttentionViewModel.Source.GENERATED.ordinal());
            return null;
        });
    }

    /** The Attention page on {@code demo} with a generated sequence (48 tokens, S anywhere, seed 3), computed. */
    private void showGenerated(LabApp.Lab lab, RunEntry demo) throws Exception {
        on(() -> {
            lab.window().show(Page.ATTENTION);
            lab.attention().run().set(demo);
            lab.attention().input().length().set(48);
            lab.attention().input().layout().set("anywhere");
            lab.attention().input().seed().set(3);
            lab.attention().compute();
            return null;
        });
        long deadline = System.currentTimeMillis() + 600_000; // a shared CPU may take a while
        while (on(() -> lab.attention().map().get()) == null && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
    }

    /** A Mamba demo on the Attention page: what carries M, the group that matters selected. */
    private void shootMamba(LabApp.Lab lab, String name, String file) throws Exception {
        RunEntry demo = on(() -> lab.context().runs().find(name).orElse(null));
        if (demo == null) {
            return;
        }
        showGenerated(lab, demo);
        capture(lab, file);
    }

    /** Presses the toggle {@code selector} names (a view of the page shown), then captures. */
    private void capture(LabApp.Lab lab, String name, String selector) throws Exception {
        on(() -> {
            if (lab.window().lookup(selector) instanceof javafx.scene.control.ToggleButton b) {
                b.setSelected(true);
            }
            return null;
        });
        capture(lab, name);
        on(() -> {
            if (lab.window().lookup("#view-carries") instanceof javafx.scene.control.ToggleButton b) {
                b.setSelected(true); // the next Mamba opens on what carries M again
            }
            return null;
        });
    }

    private void capture(LabApp.Lab lab, String name) throws Exception {
        Thread.sleep(1500); // layout, the 250 ms chart redraw, tiles
        on(() -> {
            Fx.writePng(lab.scene().snapshot(null), out.resolve(name));
            return null;
        });
    }

    private static <T> T on(Work<T> work) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                f.complete(work.get());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(60, TimeUnit.SECONDS);
    }

    /** Lets {@link #on} take lambdas that throw. */
    @FunctionalInterface
    interface Work<T> {
        T get() throws Exception;
    }
}
