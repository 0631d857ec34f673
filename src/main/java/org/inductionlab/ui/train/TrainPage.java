package org.inductionlab.ui.train;

import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.binding.Bindings;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.Duration;
import org.controlsfx.control.Notifications;
import org.controlsfx.control.PropertySheet;
import org.inductionlab.engine.config.Preset;
import org.inductionlab.ui.Fx;
import org.inductionlab.ui.LabContext;
import org.inductionlab.ui.Notice;
import org.inductionlab.engine.lab.RunEntry;
import org.inductionlab.ui.event.RunEvents;
import org.inductionlab.ui.control.AnnotatedLineChart;
import org.inductionlab.ui.control.StepAxis;
import org.inductionlab.ui.control.ThinnedSeries;

import java.util.List;

/** Page 1: choose hyperparameters, train, and watch loss and accuracy live. */
public final class TrainPage extends BorderPane {

    private final TrainViewModel vm;
    private final TrainingDashboard dashboard = new TrainingDashboard();
    private final AnnotatedLineChart lossChart;
    private final AnnotatedLineChart accuracyChart;
    private final XYChart.Series<Number, Number> lossData = new XYChart.Series<>();
    private final XYChart.Series<Number, Number> accuracyData = new XYChart.Series<>();
    private long drawnVersion = -1;
    private javafx.scene.chart.LineChart<Number, Number> headsChart;
    private AnnotatedLineChart generalisationChart;
    private org.inductionlab.ui.control.GridHeatmap distanceMap;

    public TrainPage(LabContext ctx, TrainViewModel vm) {
        this.vm = vm;
        getStyleClass().add("page");
        setId("train-page");

        // left: preset, run name, the grouped editor, and what Start needs
        ComboBox<String> presets = new ComboBox<>(FXCollections.observableArrayList(Preset.BUILT_IN));
        presets.setId("preset");
        presets.setValue(vm.preset().get());
        presets.setOnAction(e -> {
            if (presets.getValue() != null && !presets.getValue().equals(vm.preset().get())) {
                vm.applyPreset(presets.getValue());
            }
        });
        vm.preset().addListener((o, a, b) -> presets.setValue(b));
        Fx.tip(presets, "course: the course recipe; fast: pre-norm, no dropout, batch 32; tiny: a seconds-long demo");

        TextField name = new TextField();
        name.setId("run-name");
        name.textProperty().bindBidirectional(vm.runName());
        vm.runNameProblem().addListener((o, a, b) -> {
            name.getStyleClass().remove("invalid");
            if (b != null && !vm.resumable().get()) {
                name.getStyleClass().add("invalid");
            }
        });

        PropertySheet sheet = HyperparameterSheet.create(vm);
        VBox.setVgrow(sheet, Priority.ALWAYS);
        TextField search = HyperparameterSheet.search(sheet, List.copyOf(sheet.getItems()));

        Label blocker = Fx.shownWhenSet("start-blocker", "problem", vm.startBlocker());
        Label estimate = Fx.hint("");
        estimate.setId("estimate");
        estimate.textProperty().bind(vm.estimate());

        Label presetLabel = new Label("Preset");
        Label runLabel = new Label("Run");
        presetLabel.setMinWidth(Region.USE_PREF_SIZE);
        runLabel.setMinWidth(Region.USE_PREF_SIZE);
        // preset over run name, each with the whole width: "induction" and the run's name stay whole when zoomed
        javafx.scene.layout.GridPane top = new javafx.scene.layout.GridPane();
        top.setHgap(8);
        top.setVgap(6);
        top.addRow(0, presetLabel, presets);
        top.addRow(1, runLabel, name);
        javafx.scene.layout.ColumnConstraints fieldColumn = new javafx.scene.layout.ColumnConstraints();
        fieldColumn.setHgrow(Priority.ALWAYS);
        top.getColumnConstraints().addAll(new javafx.scene.layout.ColumnConstraints(), fieldColumn);
        presets.setMaxWidth(Double.MAX_VALUE);
        name.setMaxWidth(Double.MAX_VALUE);
        VBox left = new VBox(8, top, search, sheet, blocker, estimate);
        left.setPadding(new Insets(0, 8, 0, 0));
        left.getStyleClass().add("train-form"); // min and preferred width in em: labels stay whole when zoomed
        sheet.disableProperty().bind(vm.state().isNotEqualTo(TrainViewModel.State.IDLE));
        presets.disableProperty().bind(sheet.disableProperty());
        search.disableProperty().bind(sheet.disableProperty());
        name.disableProperty().bind(sheet.disableProperty());

        // right: buttons, dashboard, charts
        Button start = new Button("Start");
        start.setId("start");
        start.getStyleClass().add("accent");
        start.disableProperty().bind(vm.canStart().not());
        start.setOnAction(e -> vm.start());
        start.textProperty().bind(Bindings.when(vm.resumable()).then("Resume run").otherwise("Start"));
        Button pause = new Button("Pause");
        pause.setId("pause");
        pause.disableProperty().bind(vm.state().isNotEqualTo(TrainViewModel.State.RUNNING));
        pause.setOnAction(e -> vm.pause());
        Button resume = new Button("Resume");
        resume.setId("resume");
        resume.disableProperty().bind(vm.state().isNotEqualTo(TrainViewModel.State.PAUSED));
        resume.setOnAction(e -> vm.resume());
        Button stop = new Button("Stop");
        stop.setId("stop");
        stop.disableProperty().bind(Bindings.createBooleanBinding(() -> vm.state().get() != TrainViewModel.State.RUNNING
                && vm.state().get() != TrainViewModel.State.PAUSED, vm.state()));
        stop.setOnAction(e -> vm.stop());
        Fx.tip(start, "Start training (Ctrl+Enter)");
        Fx.tip(stop, "Stop after this step; the checkpoint is kept (Ctrl+.)");
        Label status = new Label();
        status.setId("train-status");
        status.textProperty().bind(vm.status());
        status.setWrapText(true);
        status.setMinHeight(Region.USE_PREF_SIZE); // whole, on as many lines as it needs, never "…"
        // a study's runs as bands over their seeds, in place of the single run's charts
        StudyCurvesViewModel studyVm = new StudyCurvesViewModel(ctx);
        StudyCurvesView studyView = new StudyCurvesView(studyVm);
        javafx.scene.control.ToggleButton studyCurves = new javafx.scene.control.ToggleButton("Study curves…");
        studyCurves.setId("study-curves-toggle");
        studyCurves.setMinWidth(Region.USE_PREF_SIZE);
        Fx.tip(studyCurves, "A study's training curves, each group's seeds as a band (min to max) around their mean, each"
                + " seed's phase change marked: the study last opened on the Runs page, or one you choose");
        studyCurves.setOnAction(e -> {
            if (studyCurves.isSelected() && studyVm.study().get() == null) {
                javafx.stage.DirectoryChooser dc = new javafx.stage.DirectoryChooser();
                dc.setTitle("Open a study folder (one with study.json)");
                java.io.File dir = dc.showDialog(getScene() == null ? null : getScene().getWindow());
                if (dir == null) {
                    studyCurves.setSelected(false);
                    return;
                }
                studyVm.open(dir.toPath());
            }
        });
        for (Button b : List.of(start, pause, resume, stop)) {
            b.setMinWidth(Region.USE_PREF_SIZE); // whole words at any zoom: the row wraps instead
        }
        javafx.scene.layout.FlowPane buttons = new javafx.scene.layout.FlowPane(8, 6, start, pause, resume, stop,
                studyCurves);
        buttons.setAlignment(Pos.CENTER_LEFT);

        lossChart = chart("Loss", false);
        accuracyChart = chart("Running accuracy (%)", true);
        lossChart.setId("loss-chart");
        accuracyChart.setId("accuracy-chart");
        lossData.setName("loss (bucket mean)");
        accuracyData.setName("running accuracy");
        lossChart.getData().add(lossData);
        accuracyChart.getData().add(accuracyData);
        headsChart = headsChart();
        // loss beside accuracy, the heads under both: two rows of charts, each tall enough to read when zoomed
        SplitPane curves = new SplitPane(lossChart, accuracyChart);
        curves.setDividerPositions(0.5);
        generalisationChart = generalisationChart();
        distanceMap = new org.inductionlab.ui.control.GridHeatmap("Held-out accuracy by trigger distance");
        distanceMap.setId("distance-map");
        distanceMap.getStyleClass().add("train-chart");
        javafx.scene.control.Tooltip.install(distanceMap, new javafx.scene.control.Tooltip("Every length's held-out"
                + " sequences together, by the distance between the first S and the last (rows, shortest at the"
                + " bottom), at each recording (columns): white 0 %, navy 100 %; the dashed line is the phase change."));
        // the heads, the longer lengths and the distances side by side under loss and accuracy
        SplitPane below = new SplitPane(headsChart, generalisationChart, distanceMap);
        below.setId("train-lower-charts");
        below.setDividerPositions(0.36, 0.68);
        // three side by side need about 50 em; narrower (a projector's zoom) they stand one under the other,
        // each at its minimum height, the legends at the side, and the page scrolls
        Label em = new Label();
        em.setManaged(false);
        em.setVisible(false);
        Runnable orient = () -> {
            boolean narrow = below.getWidth() > 0 && below.getWidth() < 50 * em.getFont().getSize();
            javafx.geometry.Orientation want = narrow ? javafx.geometry.Orientation.VERTICAL
                    : javafx.geometry.Orientation.HORIZONTAL;
            if (below.getOrientation() != want) {
                below.setOrientation(want);
                generalisationChart.setLegendSide(narrow ? javafx.geometry.Side.RIGHT : javafx.geometry.Side.BOTTOM);
                below.setDividerPositions(narrow ? new double[] {0.34, 0.67} : new double[] {0.36, 0.68});
            }
        };
        below.widthProperty().addListener((o, a, b) -> orient.run());
        em.fontProperty().addListener((o, a, b) -> orient.run());
        SplitPane charts = new SplitPane(curves, below);
        charts.setDividerPositions(0.5);
        charts.setOrientation(javafx.geometry.Orientation.VERTICAL);
        VBox.setVgrow(charts, Priority.ALWAYS);
        VBox.setVgrow(studyView, Priority.ALWAYS);
        studyView.visibleProperty().bind(studyCurves.selectedProperty());
        studyView.managedProperty().bind(studyView.visibleProperty());
        for (javafx.scene.Node n : List.of(status, dashboard, charts)) {
            n.visibleProperty().bind(studyCurves.selectedProperty().not());
            n.managedProperty().bind(n.visibleProperty());
        }
        VBox right = new org.inductionlab.ui.control.WrappingColumn(8, buttons, status, dashboard, charts, studyView);
        right.getChildren().add(em); // unmanaged and unseen: its font is the window's, as the zoom sets it
        right.setPadding(new Insets(0, 0, 0, 4));
        // at a projector's zoom on a small screen the dashboard and the charts can need more height than
        // there is: then the side scrolls, and no chart is squeezed below its minimum (lab.css, in em)
        javafx.scene.control.ScrollPane rightScroll = new javafx.scene.control.ScrollPane(right);
        rightScroll.setId("train-right");
        rightScroll.setFitToWidth(true);
        rightScroll.setFitToHeight(true);
        rightScroll.setHbarPolicy(javafx.scene.control.ScrollPane.ScrollBarPolicy.NEVER);
        rightScroll.getStyleClass().add("page-scroll");

        SplitPane split = new SplitPane(left, rightScroll);
        split.setDividerPositions(0.36); // "Training length L" stays whole at 1280 px
        setCenter(split);

        vm.progress().addListener((o, a, p) -> dashboard.show(p));
        vm.state().addListener((o, a, st) -> {
            if (st == TrainViewModel.State.IDLE) {
                dashboard.showFinished(vm.progress().get(), vm.resumable().get() ? "stopped" : "done");
            } else {
                status.getStyleClass().remove("problem");
            }
        });
        // a run opened from the Runs page shows its last numbers, not the previous session's (or zeros)
        ctx.events().subscribe(RunEvents.ShowInTrain.class, e -> {
            if (vm.state().get() == TrainViewModel.State.IDLE) {
                RunEntry r = e.run();
                dashboard.showRun(r.steps(), r.epoch(), r.lastLoss(), r.runningAccuracy(), r.wallSeconds(),
                        r.status().word());
            }
        });
        vm.device().addListener((o, a, d) -> dashboard.showDevice(d));
        ctx.device().addListener((o, a, d) -> {
            if (vm.device().get().isEmpty()) {
                dashboard.showDevice(d);
            }
        });
        vm.field("target").addListener((o, a, b) -> showTarget(b));
        showTarget(vm.field("target").get()); // the gauge marks this run's target from the start, not 99
        vm.curves().phaseChangeStep().addListener((o, a, b) -> markPhase(b.longValue()));
        vm.curves().heads().addListener((javafx.collections.ListChangeListener<org.inductionlab.engine.run.HeadScoreRow>)
                c -> showHeads());
        vm.curves().generalisation().addListener(
                (javafx.collections.ListChangeListener<org.inductionlab.engine.run.GeneralisationRow>) c -> showGeneralisation());
        vm.curves().stages().addListener((javafx.collections.ListChangeListener<long[]>) c ->
                markPhase(vm.curves().phaseChangeStep().get()));
        vm.setNotifier(n -> Fx.run(() -> {
            status.getStyleClass().remove("problem");
            if (n.error()) {
                status.getStyleClass().add("problem"); // red until the next run starts
            }
            notify(ctx, n);
        }));

        // Redraw the curves at most 4 times a second, whatever the step rate.
        Timeline redraw = new Timeline(new KeyFrame(Duration.millis(250), e -> redraw()));
        redraw.setCycleCount(Timeline.INDEFINITE);
        redraw.play();
    }

    private void showTarget(String text) {
        try {
            dashboard.setTarget(Double.parseDouble(text));
        } catch (NumberFormatException | NullPointerException ignored) {
            // the field shows its own problem
        }
    }

    /** Watching a head form: the last layer's heads' target scores (heads.csv) against step. */
    private static javafx.scene.chart.LineChart<Number, Number> headsChart() {
        NumberAxis x = new NumberAxis();
        x.setLabel("step");
        x.setForceZeroInRange(true); // from step 0, like the charts above
        StepAxis y = new StepAxis("score", 0, 1, 0.25, 0.5, 1);
        javafx.scene.chart.LineChart<Number, Number> c = new javafx.scene.chart.LineChart<>(x, y);
        c.setTitle("Heads forming (target score)");
        c.setCreateSymbols(false);
        c.setAnimated(false);
        c.setLegendVisible(true); // which line is which head
        c.setLegendSide(javafx.geometry.Side.RIGHT);
        c.getStyleClass().add("train-chart"); // minimum height in em (lab.css)
        c.setId("heads-chart");
        javafx.scene.control.Tooltip.install(c, new javafx.scene.control.Tooltip("Each line is one head of the last"
                + " layer: how much the final S attends to the token after the first S (1 = all of it), measured"
                + " every scores_every steps. An induction head's line climbs to 1 at the phase change."));
        return c;
    }

    private void showHeads() {
        java.util.Map<String, XYChart.Series<Number, Number>> byHead = new java.util.TreeMap<>();
        int last = vm.curves().heads().stream().mapToInt(org.inductionlab.engine.run.HeadScoreRow::layer).max().orElse(-1);
        for (org.inductionlab.engine.run.HeadScoreRow r : vm.curves().heads()) {
            if (r.layer() == last) {
                byHead.computeIfAbsent("L" + r.layer() + " H" + r.head(), k -> {
                    XYChart.Series<Number, Number> s = new XYChart.Series<>();
                    s.setName(k);
                    return s;
                }).getData().add(new XYChart.Data<>(r.step(), r.target()));
            }
        }
        headsChart.getData().setAll(byHead.values());
    }

    /** Generalisation while training: the held-out set's accuracy at each longer length against step. */
    private static AnnotatedLineChart generalisationChart() {
        NumberAxis x = new NumberAxis();
        x.setLabel("step");
        x.setForceZeroInRange(true);
        AnnotatedLineChart c = new AnnotatedLineChart(x, new StepAxis("%", 0, 100, 20, 25, 50, 100));
        c.setTitle("Longer lengths, S anywhere");
        c.setCreateSymbols(false);
        c.setAnimated(false);
        c.setLegendVisible(true);
        c.setLegendSide(javafx.geometry.Side.BOTTOM);
        c.getStyleClass().add("train-chart");
        c.setId("generalisation-chart");
        javafx.scene.control.Tooltip.install(c, new javafx.scene.control.Tooltip("A fixed held-out set (64 sequences"
                + " per length, S anywhere) scored every generalisation_every steps, as generalisation_budget allows,"
                + " at multiples of the training length (generalisation.csv). The command line says when a length"
                + " first passes 90 %."));
        return c;
    }

    private void showGeneralisation() {
        List<org.inductionlab.engine.run.GeneralisationRow> rows = List.copyOf(vm.curves().generalisation());
        int trainLength;
        try {
            trainLength = Integer.parseInt(vm.field("train_length").get().trim());
        } catch (RuntimeException e) {
            trainLength = 0;
        }
        List<XYChart.Series<Number, Number>> lines = new java.util.ArrayList<>();
        for (var e : GeneralisationCurves.lines(rows).entrySet()) {
            XYChart.Series<Number, Number> series = new XYChart.Series<>();
            series.setName(trainLength > 0 ? GeneralisationCurves.lineName(e.getKey(), trainLength) : "L=" + e.getKey());
            for (double[] p : e.getValue()) {
                series.getData().add(new XYChart.Data<>(p[0], p[1]));
            }
            lines.add(series);
        }
        generalisationChart.getData().setAll(lines);
        distanceMap.gridProperty().set(GeneralisationCurves.grid(rows));
    }

    private static AnnotatedLineChart chart(String title, boolean percent) {
        NumberAxis x = new NumberAxis();
        x.setLabel("step");
        x.setForceZeroInRange(false);
        javafx.scene.chart.ValueAxis<Number> y;
        if (percent) { // 0 and 100 always labelled, the steps between as the height allows
            y = new StepAxis(null, 0, 100, 20, 25, 50, 100);
        } else {
            NumberAxis auto = new NumberAxis();
            auto.setForceZeroInRange(true);
            y = auto;
        }
        AnnotatedLineChart c = new AnnotatedLineChart(x, y);
        c.setTitle(title);
        c.setLegendVisible(false);
        c.getStyleClass().add("train-chart"); // minimum height in em (lab.css)
        return c;
    }

    private void redraw() {
        long v = vm.curves().version().get();
        if (v == drawnVersion) {
            return;
        }
        drawnVersion = v;
        fill(lossData, vm.curves().loss());
        fill(accuracyData, vm.curves().accuracy());
        markPhase(vm.curves().phaseChangeStep().get());
    }

    private static void fill(XYChart.Series<Number, Number> series, ThinnedSeries source) {
        List<double[]> pts = source.points();
        List<XYChart.Data<Number, Number>> data = new java.util.ArrayList<>(pts.size());
        for (double[] p : pts) {
            data.add(new XYChart.Data<>(p[0], p[1]));
        }
        series.getData().setAll(data);
    }

    private void markPhase(long step) {
        List<AnnotatedLineChart.Marker> marks = new java.util.ArrayList<>();
        for (long[] s : vm.curves().stages()) { // the curriculum: where the training length doubled
            marks.add(new AnnotatedLineChart.Marker(s[0], "L=" + s[1], "stage-marker"));
        }
        if (step >= 0) {
            marks.add(new AnnotatedLineChart.Marker(step, "phase change @ " + step, "phase-marker", "phase @ " + step));
        }
        for (AnnotatedLineChart c : List.of(lossChart, accuracyChart)) {
            c.markers().setAll(marks);
        }
        generalisationChart.markers().setAll(step >= 0
                ? List.of(new AnnotatedLineChart.Marker(step, "phase change", "phase-marker")) : List.of());
        distanceMap.markerProperty().set(step);
    }

    private void notify(LabContext ctx, Notice n) {
        // an error stays until it is closed: a failure must not vanish before it is read
        // bottom left, over the empty foot of the side bar and the form's cost line, and narrow (its text on
        // short lines): at the bottom right it covered the zoom control, at the top right Start and Stop
        Notifications note = Notifications.create().title(n.title()).text(wrap(n.text(), 48)).position(Pos.BOTTOM_LEFT)
                .hideAfter(n.error() ? Duration.INDEFINITE : Duration.seconds(8));
        if (ctx.window() != null && ctx.window().isShowing()) {
            note.owner(ctx.window());
        }
        if (n.error()) {
            note.showError();
        } else {
            note.showInformation();
        }
    }

    /** {@code text} on lines of about {@code width} characters, broken between words. */
    static String wrap(String text, int width) {
        StringBuilder out = new StringBuilder();
        int line = 0;
        for (String word : text.split(" ")) {
            if (line > 0 && line + 1 + word.length() > width) {
                out.append('\n');
                line = 0;
            } else if (line > 0) {
                out.append(' ');
                line++;
            }
            out.append(word);
            line += word.length();
        }
        return out.toString();
    }

    public TrainViewModel viewModel() {
        return vm;
    }

    /** The dashboard (for tests and the snapshot). */
    TrainingDashboard dashboard() {
        return dashboard;
    }
}
