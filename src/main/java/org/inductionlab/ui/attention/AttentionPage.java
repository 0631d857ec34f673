package org.inductionlab.ui.attention;

import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.scene.chart.XYChart;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.eval.MambaCarriers;
import org.inductionlab.engine.lab.UnitNames;
import org.inductionlab.ui.control.AnnotatedLineChart;
import org.inductionlab.ui.Fx;
import org.inductionlab.ui.LabContext;
import org.inductionlab.ui.control.HeatmapView;
import org.inductionlab.engine.lab.RunEntry;

import java.io.File;
import java.util.List;
import java.util.Locale;

/** Page 3: every head's attention for one sequence, with the induction pattern marked. */
public final class AttentionPage extends BorderPane {

    private final AttentionViewModel vm;
    private final GridPane thumbnails = new GridPane();
    private final HeatmapView large = new HeatmapView(true);
    private final Label headTitle = new Label();
    private final Label cellInfo = new Label(" ");
    private ScrollPane gridScroll;
    // a Mamba's "what carries M": Δ along the sequence, and which view of the right side is shown
    private final AnnotatedLineChart deltaChart = deltaChart();
    private final javafx.scene.control.ToggleButton carriesView = new javafx.scene.control.ToggleButton("What carries M");
    private final javafx.scene.control.ToggleButton hiddenView = new javafx.scene.control.ToggleButton("Hidden attention");

    public AttentionPage(LabContext ctx, AttentionViewModel vm) {
        this.vm = vm;
        getStyleClass().add("page");
        setId("attention-page");

        ComboBox<RunEntry> runs = new ComboBox<>(ctx.runs().runs());
        runs.setId("attention-run");
        runs.valueProperty().bindBidirectional(vm.run());
        runs.setPromptText("choose a run");
        runs.getStyleClass().add("attention-run"); // width in em (lab.css)

        // sources
        Spinner<Integer> length = new Spinner<>(8, AttentionMap.MAX_LENGTH + 1, vm.input().length().get());
        length.setId("attention-length");
        length.setEditable(true);
        length.getStyleClass().add("attention-number");
        vm.input().length().addListener((o, a, b) -> length.getValueFactory().setValue(b.intValue()));
        length.valueProperty().addListener((o, a, b) -> vm.input().length().set(b));
        ComboBox<String> layout = new ComboBox<>(FXCollections.observableArrayList("fixed:5", "prefix:16", "anywhere"));
        layout.setId("attention-layout");
        layout.setEditable(true);
        layout.valueProperty().bindBidirectional(vm.input().layout());
        layout.getStyleClass().add("attention-layout");
        layout.disableProperty().bind(vm.layoutApplies().not()); // a repeat-task run: no S to place
        layout.promptTextProperty().bind(javafx.beans.binding.Bindings.when(vm.layoutApplies()).then("")
                .otherwise("no S"));
        Spinner<Integer> seed = new Spinner<>(0, Integer.MAX_VALUE, (int) vm.input().seed().get());
        seed.setEditable(true);
        seed.getStyleClass().add("attention-number");
        seed.valueProperty().addListener((o, a, b) -> vm.input().seed().set(b));
        vm.input().seed().addListener((o, a, b) -> seed.getValueFactory().setValue((int) b.longValue()));
        HBox generated = new HBox(6, new Label("Length"), length, new Label("Layout"), layout, new Label("Seed"), seed);
        generated.setAlignment(Pos.CENTER_LEFT);

        TextField typed = new TextField();
        typed.setId("attention-tokens");
        typed.setPromptText("token ids separated by spaces, e.g. 3 16 7 1 2 16");
        typed.textProperty().bindBidirectional(vm.input().typed());
        HBox.setHgrow(typed, Priority.ALWAYS);
        HBox typedBox = new HBox(6, typed);

        Button choose = new Button("Token file…");
        Label fileName = new Label("no file");
        Spinner<Integer> line = new Spinner<>(1, 1_000_000, 1);
        line.setEditable(true);
        line.getStyleClass().add("attention-number");
        line.valueProperty().addListener((o, a, b) -> vm.input().line().set(b));
        choose.setOnAction(e -> {
            FileChooser fc = new FileChooser();
            File f = fc.showOpenDialog(getScene().getWindow());
            if (f != null) {
                vm.input().file().set(f.toPath());
                fileName.setText(f.getName());
            }
        });
        HBox fileBox = new HBox(6, choose, fileName, new Label("Line"), line);
        fileBox.setAlignment(Pos.CENTER_LEFT);

        HBox historyBox = historyControls();

        TabPane sources = new TabPane(new Tab("Generated", generated), new Tab("Typed", typedBox),
                new Tab("Token file", fileBox), new Tab("Training steps", historyBox));
        sources.setId("attention-source");
        sources.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        sources.getSelectionModel().selectedIndexProperty().addListener((o, a, b) ->
                vm.input().source().set(AttentionViewModel.Source.values()[b.intValue()]));
        sources.getTabs().forEach(t -> ((javafx.scene.layout.Region) t.getContent()).setPadding(new Insets(6)));
        sources.getStyleClass().add("attention-sources"); // height in em (lab.css): whole at any zoom

        Button compute = new Button("Show attention");
        compute.setId("compute-attention");
        compute.getStyleClass().add("accent");
        compute.setOnAction(e -> vm.compute());
        compute.disableProperty().bind(vm.run().isNull().or(vm.busy())); // one request at a time
        compute.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE); // "Show attention" whole at any zoom
        Button cancel = new Button("Cancel");
        cancel.disableProperty().bind(vm.busy().not());
        cancel.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        cancel.setOnAction(e -> vm.cancel());
        ProgressIndicator spinner = new ProgressIndicator();
        spinner.getStyleClass().add("attention-busy");
        spinner.managedProperty().bind(spinner.visibleProperty());
        spinner.visibleProperty().bind(vm.busy());
        Label message = new Label();
        message.setId("attention-message");
        message.textProperty().bind(vm.message());
        message.setWrapText(true);
        message.setMaxWidth(Double.MAX_VALUE);
        message.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        HBox.setHgrow(message, Priority.ALWAYS);
        vm.error().addListener((o, was, isError) -> {
            message.getStyleClass().remove("problem");
            if (isError) {
                message.getStyleClass().add("problem"); // red, and wrapped rather than cut
            }
        });
        Label answer = new Label();
        answer.setId("attention-answer");
        answer.textProperty().bind(vm.answer());
        answer.getStyleClass().add("section-title");
        answer.setWrapText(true);
        answer.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);

        Label runLabel = new Label("Run");
        runLabel.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE); // whole, however wide the sources get
        // the run and the button on one row, the input's sources under them at full width: nothing is cut
        // when the text is zoomed for a projector
        HBox actions = new HBox(10, runLabel, runs, compute, cancel, spinner, message);
        actions.setAlignment(Pos.CENTER_LEFT);
        VBox top = new VBox(6, actions, sources);

        // left: thumbnails; right: the selected head
        thumbnails.setHgap(6);
        thumbnails.setVgap(6);
        thumbnails.setId("head-grid");
        ScrollPane grid = new ScrollPane(thumbnails);
        grid.setFitToWidth(true);
        gridScroll = grid;
        // as many thumbnails side by side as fit whole (four at most): their scores are never cut
        grid.viewportBoundsProperty().addListener((o, a, b) -> placeThumbnails());
        Label gridTitle = new Label("Heads (click one)");
        gridTitle.getStyleClass().add("section-title");
        // one line of key; the definitions in its tooltip, so the heads, not the prose, get the height
        Label key = Fx.hint("prev, ind, dup, tgt: the lab's head scores; 1 = a perfect head (hover for more).");
        Fx.tip(key, "");
        key.getTooltip().setText("Each head's scores as the lab defines them (after Olsson et al. 2022):"
                + " prev = mean A[i, i-1]; ind = mean A[i, i-n+1] and dup = mean A[i, i-n] on n random tokens"
                + " repeated twice; tgt = the final S on the token after the first S. 1 = a perfect head."
                + " Hover a head's scores for what uniform attention scores and for TransformerLens's detect_head"
                + " scores (its defaults) on the same tokens, and whether the head is a generic induction head."
                + " A Mamba run shows its hidden attention (Ali et al. 2024): for each group of channels, the"
                + " share of position i's output that comes from position j, |α[i, j]| averaged and each row"
                + " scaled to 1.");
        key.getTooltip().setWrapText(true);
        key.getTooltip().setMaxWidth(600);
        key.setId("heads-key");
        VBox left = new VBox(6, gridTitle, key, grid);
        VBox.setVgrow(grid, Priority.ALWAYS);

        CheckBox induction = new CheckBox("induction cells");
        induction.getStyleClass().add("legend-induction");
        induction.selectedProperty().bindBidirectional(large.showInductionProperty());
        CheckBox previous = new CheckBox("previous token");
        previous.getStyleClass().add("legend-previous");
        previous.selectedProperty().bindBidirectional(large.showPreviousProperty());
        CheckBox target = new CheckBox("task target");
        target.getStyleClass().add("legend-target");
        target.selectedProperty().bindBidirectional(large.showTargetProperty());
        CheckBox shortcut = new CheckBox("position shortcut");
        shortcut.setId("show-shortcut");
        shortcut.getStyleClass().add("legend-shortcut");
        shortcut.selectedProperty().bindBidirectional(large.showShortcutProperty());
        Fx.tip(shortcut, "The final S looking at the position after where S sat in training: what a model that"
                + " learned a position, not induction, reads. Only for runs trained with S at a fixed place.");
        shortcut.visibleProperty().bind(large.shortcutKeyProperty().greaterThanOrEqualTo(0));
        shortcut.managedProperty().bind(shortcut.visibleProperty());
        Button png = new Button("Export PNG…");
        png.setId("attention-export-png");
        png.setOnAction(e -> exportPng());
        png.disableProperty().bind(vm.map().isNull()); // nothing shown, nothing to export
        headTitle.getStyleClass().add("section-title");
        headTitle.setWrapText(true); // the run, the head and its three scores stay whole at 1280 px
        headTitle.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        cellInfo.getStyleClass().add("cell-info");
        cellInfo.setId("cell-info");
        cellInfo.setWrapText(true);
        cellInfo.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        large.setId("large-heatmap");
        VBox.setVgrow(large, Priority.ALWAYS);
        javafx.scene.layout.FlowPane overlays = new javafx.scene.layout.FlowPane(12, 4, induction, previous, target,
                shortcut, png); // wraps rather than cutting the names when zoomed or narrow
        overlays.setAlignment(Pos.CENTER_LEFT);
        Button ablateHead = new Button("Ablate this head");
        ablateHead.setId("ablate-head");
        Fx.tip(ablateHead, "Zero the selected head's output before W_O and re-score the run: does the answer need it?");
        ablateHead.setOnAction(e -> vm.ablate(false));
        Button ablateLayer = new Button("Ablate its layer");
        ablateLayer.setOnAction(e -> vm.ablate(true));
        // a recorded step's model is not kept: only the final model can be ablated
        var noAblation = vm.map().isNull().or(vm.input().source().isEqualTo(AttentionViewModel.Source.HISTORY));
        ablateHead.disableProperty().bind(noAblation);
        ablateLayer.disableProperty().bind(noAblation);
        Label ablation = new Label();
        ablation.setId("ablation-result");
        ablation.setWrapText(true);
        ablation.textProperty().bind(vm.ablation());
        overlays.getChildren().addAll(ablateHead, ablateLayer);
        VBox heatView = new VBox(6, headTitle, overlays, large, cellInfo);
        VBox.setVgrow(heatView, Priority.ALWAYS);

        // a Mamba: Δ along the sequence with S and M marked, the channels that carry M, and how to read it
        Label carriesTitle = new Label();
        carriesTitle.getStyleClass().add("section-title");
        carriesTitle.setWrapText(true);
        carriesTitle.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        Label readIt = new Label(AttentionWords.READ_DELTA);
        readIt.setId("delta-how-to-read");
        readIt.setWrapText(true);
        readIt.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        Label carriers = new Label();
        carriers.setId("mamba-carriers");
        carriers.getStyleClass().add("carriers-list");
        carriers.setWrapText(true);
        carriers.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        VBox.setVgrow(deltaChart, Priority.ALWAYS);
        VBox carriesBox = new VBox(6, carriesTitle, deltaChart, readIt, carriers);
        carriesBox.setId("mamba-carries");
        VBox.setVgrow(carriesBox, Priority.ALWAYS);

        javafx.scene.control.ToggleGroup views = new javafx.scene.control.ToggleGroup();
        carriesView.setToggleGroup(views);
        hiddenView.setToggleGroup(views);
        carriesView.setId("view-carries");
        hiddenView.setId("view-hidden");
        carriesView.setSelected(true);
        views.selectedToggleProperty().addListener((o, a, b) -> {
            if (b == null) {
                a.setSelected(true); // one of the two is always shown
            }
        });
        HBox viewSwitch = new HBox(0, carriesView, hiddenView);
        viewSwitch.setId("mamba-views");
        var mamba = vm.carriers().isNotNull();
        viewSwitch.visibleProperty().bind(mamba);
        viewSwitch.managedProperty().bind(mamba);
        carriesBox.visibleProperty().bind(mamba.and(carriesView.selectedProperty()));
        carriesBox.managedProperty().bind(carriesBox.visibleProperty());
        heatView.visibleProperty().bind(carriesBox.visibleProperty().not());
        heatView.managedProperty().bind(heatView.visibleProperty());
        vm.carriers().addListener((o, a, c) -> {
            showCarriers(c);
            carriers.setText(vm.carriersText());
            carriesTitle.setText(c == null ? "" : (vm.run().get() == null ? "" : vm.run().get().name() + " · ")
                    + "What carries M to the answer: the selectivity Δ along the sequence");
        });

        VBox right = new org.inductionlab.ui.control.WrappingColumn(6, viewSwitch, heatView, carriesBox, answer, ablation);
        large.getStyleClass().add("large-heatmap"); // a minimum size in em (lab.css): below it the side scrolls
        ScrollPane rightScroll = new ScrollPane(right);
        rightScroll.setFitToWidth(true);
        rightScroll.setFitToHeight(true);
        rightScroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        rightScroll.getStyleClass().add("page-scroll");

        SplitPane split = new SplitPane(left, rightScroll);
        split.setDividerPositions(0.42);
        VBox.setVgrow(split, Priority.ALWAYS);
        VBox body = new VBox(8, top, split);
        setCenter(body);

        vm.map().addListener((o, a, m) -> {
            RunEntry r = vm.run().get();
            large.shortcutKeyProperty().set(r != null && r.hyperparameters().layout()
                    instanceof org.inductionlab.engine.task.TriggerLayout.Fixed f ? f.p() + 1 : -1);
            rebuildGrid();
        });
        vm.layer().addListener((o, a, b) -> showSelected());
        vm.head().addListener((o, a, b) -> showSelected());
        large.hoveredProperty().addListener((o, a, c) -> describe(c != null ? c : large.lockedProperty().get()));
        large.lockedProperty().addListener((o, a, c) -> describe(c));
        rebuildGrid();
    }

    /**
     * The "Training steps" source: a slider over the steps training recorded and a Play button that walks
     * through them, so the class sees a head form. The selected head stays selected while scrubbing.
     */
    private HBox historyControls() {
        TrainingHistory h = vm.history();
        javafx.scene.control.Slider slider = new javafx.scene.control.Slider(0, 0, 0);
        slider.setId("history-slider");
        slider.setBlockIncrement(1);
        slider.setMajorTickUnit(1);
        slider.setMinorTickCount(0);
        slider.setSnapToTicks(true);
        slider.maxProperty().bind(javafx.beans.binding.Bindings.max(0, h.count().subtract(1)));
        slider.disableProperty().bind(h.count().lessThan(2));
        slider.valueProperty().addListener((o, a, b) -> h.index().set((int) Math.round(b.doubleValue())));
        h.index().addListener((o, a, b) -> slider.setValue(b.intValue()));
        HBox.setHgrow(slider, Priority.ALWAYS);
        slider.setMaxWidth(Double.MAX_VALUE);
        slider.setMinWidth(160);

        Button play = new Button("▶ Play");
        play.setId("history-play");
        play.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE); // "▶ Play" and "❚❚ Pause" whole
        play.disableProperty().bind(h.count().lessThan(2));
        javafx.animation.Timeline timeline = new javafx.animation.Timeline(
                new javafx.animation.KeyFrame(javafx.util.Duration.millis(180), e -> {
                    if (h.index().get() >= h.count().get() - 1) {
                        stopPlaying(play);
                    } else {
                        h.index().set(h.index().get() + 1);
                    }
                }));
        timeline.setCycleCount(javafx.animation.Animation.INDEFINITE);
        play.setUserData(timeline);
        play.setOnAction(e -> {
            if (timeline.getStatus() == javafx.animation.Animation.Status.RUNNING) {
                stopPlaying(play);
            } else {
                if (h.index().get() >= h.count().get() - 1) {
                    h.index().set(0); // from the start again
                }
                play.setText("❚❚ Pause");
                timeline.play();
            }
        });
        h.count().addListener((o, a, b) -> stopPlaying(play));
        Label hint = Fx.hint("Recorded while training, every scores_every steps.");
        // the step shown, large: the class follows the playback by it
        Label step = new Label();
        step.setId("history-step");
        step.getStyleClass().add("history-step");
        step.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        Runnable showStep = () -> step.setText(h.count().get() == 0 ? "" : String.format(Locale.ROOT, "step %,d",
                h.step()));
        h.index().addListener(o -> showStep.run());
        h.count().addListener(o -> showStep.run());
        HBox.setHgrow(hint, Priority.SOMETIMES);
        hint.setMinWidth(0);
        HBox box = new HBox(8, play, step, slider, hint);
        box.setAlignment(Pos.CENTER_LEFT);
        return box;
    }

    private static void stopPlaying(Button play) {
        ((javafx.animation.Timeline) play.getUserData()).stop();
        play.setText("▶ Play");
    }

    /** Puts the thumbnails in as many columns (up to four) as the grid's width takes whole. */
    private void placeThumbnails() {
        AttentionMap m = vm.map().get();
        if (m == null || thumbnails.getChildren().isEmpty() || gridScroll == null) {
            return;
        }
        double room = gridScroll.getViewportBounds().getWidth();
        double each = thumbnails.getChildren().stream().mapToDouble(t -> t.prefWidth(-1)).max().orElse(0)
                + thumbnails.getHgap(); // the widest tile: a Mamba group's name grows with its channel numbers
        int cols = Math.max(1, Math.min(Math.min(4, m.heads()), (int) ((room + thumbnails.getHgap()) / each)));
        int rowsPerLayer = (m.heads() + cols - 1) / cols;
        for (javafx.scene.Node n : thumbnails.getChildren()) {
            int[] lh = (int[]) n.getUserData();
            GridPane.setConstraints(n, lh[1] % cols, lh[0] * rowsPerLayer + lh[1] / cols);
        }
    }

    private void rebuildGrid() {
        thumbnails.getChildren().clear();
        AttentionMap m = vm.map().get();
        if (m == null) {
            large.mapProperty().set(null);
            large.lockedProperty().set(null); // a locked cell of the old map must not be described
            headTitle.setText("Choose a run and press Show attention.");
            describe(null);
            return;
        }
        for (int l = 0; l < m.layers(); l++) {
            for (int h = 0; h < m.heads(); h++) {
                thumbnails.getChildren().add(thumbnail(m, l, h));
            }
        }
        placeThumbnails();
        showSelected();
    }

    private VBox thumbnail(AttentionMap m, int l, int h) {
        HeatmapView view = new HeatmapView(false);
        view.show(m, l, h);
        view.getStyleClass().add("head-thumbnail-map"); // size in em (lab.css)
        Label title = new Label(vm.run().get() == null ? "L" + l + " H" + h
                : UnitNames.head(vm.run().get().hyperparameters(), l, h));
        title.getStyleClass().add("head-title");
        org.inductionlab.engine.eval.HeadScores s = vm.scores().get();
        Label scores = new Label(s == null ? "" : String.format(Locale.ROOT, "prev %.2f · ind %.2f%ndup %.2f · tgt %.2f",
                s.previousToken()[l][h], s.induction()[l][h], s.duplicateToken()[l][h], s.target()[l][h]));
        scores.getStyleClass().add("head-scores");
        if (s != null && vm.run().get() != null) {
            Fx.tip(scores, AttentionWords.scoresTip(s, vm.headKind().get(), vm.run().get().hyperparameters(), l, h));
        }
        scores.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE); // whole: the grid takes fewer columns instead
        VBox box = new VBox(2, title, view, scores);
        box.setUserData(new int[] {l, h});
        box.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        box.getStyleClass().add("head-thumbnail");
        box.setId("thumb-" + l + "-" + h);
        box.setOnMouseClicked(e -> {
            vm.layer().set(l);
            vm.head().set(h);
            hiddenView.setSelected(true); // a Mamba: show the group picked
        });
        return box;
    }

    /** Scrolls the head grid so the chosen head is in view (it opens on the best head, often in the last layer). */
    private void scrollTo(javafx.scene.Node thumb) {
        double view = gridScroll.getViewportBounds().getHeight();
        double content = thumbnails.getHeight();
        if (content <= view || thumb.getParent() != thumbnails) {
            return;
        }
        double top = gridScroll.getVvalue() * (content - view);
        double y = thumb.getBoundsInParent().getMinY();
        double h = thumb.getBoundsInParent().getHeight();
        if (y < top || y + h > top + view) {
            gridScroll.setVvalue(Math.max(0, Math.min(1, (y - Math.max(0, view - h) / 2) / (content - view))));
        }
    }

    private void showSelected() {
        AttentionMap m = vm.map().get();
        if (m == null) {
            return;
        }
        int l = Math.min(vm.layer().get(), m.layers() - 1);
        int h = Math.min(vm.head().get(), m.heads() - 1);
        large.show(m, l, h);
        thumbnails.getChildren().forEach(n -> n.getStyleClass().remove("selected"));
        thumbnails.getChildren().stream().filter(n -> ("thumb-" + l + "-" + h).equals(n.getId())).findFirst()
                .ifPresent(n -> {
                    n.getStyleClass().add("selected");
                    javafx.application.Platform.runLater(() -> scrollTo(n)); // after the grid's layout
                });
        double target = m.targetWeight(l, h);
        String run = vm.run().get() == null ? "" : vm.run().get().name() + " · ";
        var hp = vm.run().get() == null ? null : vm.run().get().hyperparameters();
        String which = hp == null ? "L" + l + " H" + h : UnitNames.map(hp, l, h);
        headTitle.setText(String.format(Locale.ROOT, "%s%s — on this input: target %s, induction"
                        + " cells %.2f, previous token %.2f", run, which,
                Double.isNaN(target) ? "–" : String.format(Locale.ROOT, "%.2f", target), m.inductionScore(l, h),
                m.previousTokenScore(l, h)));
        describe(large.lockedProperty().get());
    }

    /** Δ on a log scale against the position: "1e-3" on the axis. */
    private static AnnotatedLineChart deltaChart() {
        javafx.scene.chart.NumberAxis x = new javafx.scene.chart.NumberAxis();
        x.setLabel("position");
        x.setAutoRanging(false); // whole positions, in steps of 1, 2 or 5 x 10^k (showCarriers)
        x.setMinorTickVisible(false);
        javafx.scene.chart.NumberAxis y = new javafx.scene.chart.NumberAxis();
        y.setLabel("Δ (log scale)");
        y.setAutoRanging(false);
        y.setTickUnit(1);
        y.setMinorTickVisible(false);
        y.setTickLabelFormatter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Number n) {
                return "1e" + Math.round(n.doubleValue());
            }

            @Override
            public Number fromString(String t) {
                return Double.parseDouble(t.substring(2));
            }
        });
        AnnotatedLineChart chart = new AnnotatedLineChart(x, y);
        chart.setHorizontalZeroLineVisible(false); // Δ = 1 is not a reference
        chart.setVerticalZeroLineVisible(false);
        chart.setId("delta-chart");
        chart.getStyleClass().add("delta-chart"); // a minimum height in em (lab.css)
        chart.setLegendSide(javafx.geometry.Side.BOTTOM);
        return chart;
    }

    /**
     * Draws Δ along the sequence for the channels that carry M (at most three, most needed first), or each
     * layer's mean Δ where none was found, with the first S, M and the final S marked.
     */
    private void showCarriers(MambaCarriers c) {
        deltaChart.getData().clear();
        deltaChart.markers().clear();
        if (c == null) {
            return;
        }
        var hp = vm.run().get() == null ? null : vm.run().get().hyperparameters();
        int n = c.length();
        double lo = 0;
        double hi = -12;
        List<XYChart.Series<Number, Number>> series = new java.util.ArrayList<>();
        List<MambaCarriers.Carrier> shown = c.carriers().subList(0, Math.min(3, c.carriers().size()));
        if (shown.isEmpty()) {
            for (int l = 0; l < c.layers(); l++) {
                XYChart.Series<Number, Number> s = new XYChart.Series<>();
                s.setName("layer " + l + ", mean over its " + c.channels() + " channels");
                for (int t = 0; t < n; t++) {
                    double sum = 0;
                    for (int e = 0; e < c.channels(); e++) {
                        sum += c.delta(l, t, e);
                    }
                    double v = Math.log10(Math.max(1e-12, sum / c.channels()));
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                    s.getData().add(new XYChart.Data<>(t, v));
                }
                series.add(s);
            }
        } else {
            for (MambaCarriers.Carrier k : shown) {
                XYChart.Series<Number, Number> s = new XYChart.Series<>();
                s.setName((hp == null ? "ch " + k.channel() : UnitNames.channel(hp, k.layer(), k.channel()))
                        + (Double.isNaN(k.logitDrop()) ? "" : String.format(Locale.ROOT, ", zeroed: logit −%.2f",
                        k.logitDrop())));
                for (int t = 0; t < n; t++) {
                    double v = Math.log10(Math.max(1e-12, c.delta(k.layer(), t, k.channel())));
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                    s.getData().add(new XYChart.Data<>(t, v));
                }
                series.add(s);
            }
        }
        javafx.scene.chart.NumberAxis x = (javafx.scene.chart.NumberAxis) deltaChart.getXAxis();
        x.setLowerBound(0);
        double step = niceStep((n - 1) / 10.0);
        x.setUpperBound(Math.ceil((n - 1) / step) * step); // ends on a tick: no label crowding the last
        x.setTickUnit(step);
        javafx.scene.chart.NumberAxis y = (javafx.scene.chart.NumberAxis) deltaChart.getYAxis();
        y.setLowerBound(Math.floor(lo));
        y.setUpperBound(Math.max(Math.floor(lo) + 1, Math.ceil(hi)));
        deltaChart.getData().addAll(series);
        if (c.hasAnswer()) {
            deltaChart.markers().add(new AnnotatedLineChart.Marker(c.trigger(), "S", "marker-s"));
            deltaChart.markers().add(new AnnotatedLineChart.Marker(c.memory(), "M = " + c.answer(), "marker-m"));
        }
        if (c.tokens()[n - 1] == (hp == null ? -1 : hp.inductionToken())) {
            deltaChart.markers().add(new AnnotatedLineChart.Marker(n - 1, "final S", "marker-s"));
        }
    }

    /** The smallest of 1, 2, 5, 10, 20, 50, … not below {@code rough} (at least 1: positions are whole). */
    static double niceStep(double rough) {
        double step = 1;
        while (step < rough) {
            double decade = step;
            step = decade * 2 >= rough ? decade * 2 : decade * 5 >= rough ? decade * 5 : decade * 10;
        }
        return step;
    }

    private void describe(HeatmapView.Cell c) {
        AttentionMap m = vm.map().get();
        if (c == null || m == null) {
            cellInfo.setText("Hover a cell to read it; click to lock.");
            return;
        }
        String qt = tokenName(m, c.query());
        String kt = tokenName(m, c.key());
        String kind = m.isInductionCell(c.query(), c.key()) ? "  induction cell" : "";
        if (AttentionMap.isPreviousTokenCell(c.query(), c.key())) {
            kind += "  previous token";
        }
        int[] t = m.taskTarget();
        if (t != null && t[0] == c.query() && t[1] == c.key()) {
            kind += "  task target";
        }
        if (new HeatmapView.Cell(c.query(), c.key()).equals(large.markedShortcut())) {
            kind += "  position shortcut";
        }
        cellInfo.setText(String.format(Locale.ROOT, "query %d (%s) → key %d (%s): weight %.4f%s", c.query(), qt, c.key(),
                kt, m.weight(large.layer(), large.head(), c.query(), c.key()), kind));
    }

    private static String tokenName(AttentionMap m, int position) {
        int t = m.token(position);
        return t == m.inductionToken() ? "S" : "token " + t;
    }

    private void exportPng() {
        FileChooser chooser = new FileChooser();
        chooser.setInitialFileName("attention-L" + large.layer() + "-H" + large.head() + ".png");
        File f = chooser.showSaveDialog(getScene().getWindow());
        if (f != null) {
            try {
                Fx.writePng(large, f.toPath());
            } catch (Exception e) {
                Fx.showError(getScene().getWindow(), "Export failed", e);
            }
        }
    }

    public HeatmapView largeHeatmap() {
        return large;
    }
}
