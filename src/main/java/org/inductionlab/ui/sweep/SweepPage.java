package org.inductionlab.ui.sweep;

import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Spinner;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.util.StringConverter;
import org.controlsfx.control.CheckListView;
import org.inductionlab.engine.lab.SweepJob;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.ui.Fx;
import org.inductionlab.ui.LabContext;
import org.inductionlab.ui.control.AnnotatedLineChart;
import org.inductionlab.engine.lab.RunEntry;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Page 2: accuracy against length for one or more runs, beside the Mamba paper's Table 11. */
public final class SweepPage extends BorderPane {

    private final SweepViewModel vm;
    private final AccuracyPlot plot = new AccuracyPlot();
    private final CheckListView<RunEntry> runList;
    private boolean syncing;
    private final javafx.beans.binding.BooleanBinding nothingPlotted;
    private final SeriesColours colours = new SeriesColours();
    private Map<String, String> runColours = Map.of();

    public SweepPage(LabContext ctx, SweepViewModel vm) {
        this.vm = vm;
        nothingPlotted = javafx.beans.binding.Bindings.createBooleanBinding(() -> vm.points().isEmpty()
                && !vm.showReference().get(), vm.plotVersion(), vm.showReference());
        getStyleClass().add("page");
        setId("sweep-page");

        runList = new CheckListView<>(ctx.runs().runs());
        runList.setId("sweep-runs");
        runList.getStyleClass().add("sweep-runs"); // height in em (lab.css): fixed, so nothing above the spinners moves
        runList.getCheckModel().getCheckedItems().addListener((javafx.collections.ListChangeListener<RunEntry>) c -> {
            if (!syncing) {
                syncing = true;
                vm.selected().setAll(runList.getCheckModel().getCheckedItems());
                syncing = false;
            }
        });
        vm.selected().addListener((javafx.collections.ListChangeListener<RunEntry>) c -> syncChecks());
        ctx.runs().runs().addListener((javafx.collections.ListChangeListener<RunEntry>) c -> syncChecks());

        Spinner<Integer> min = exponentSpinner(vm.minExp().get());
        Spinner<Integer> max = exponentSpinner(vm.maxExp().get());
        Fx.tip(min, "The shortest length: type 2^6, 6 or 64, or use the arrows");
        Fx.tip(max, "The longest length: type 2^12, 12 or 4096, or use the arrows");
        min.setId("min-exp");
        max.setId("max-exp");
        min.valueProperty().addListener((o, a, b) -> vm.minExp().set(b));
        max.valueProperty().addListener((o, a, b) -> vm.maxExp().set(b));
        // and back: the view model proposes the default longest length when runs are picked
        vm.minExp().addListener((o, a, b) -> min.getValueFactory().setValue(b.intValue()));
        vm.maxExp().addListener((o, a, b) -> max.getValueFactory().setValue(b.intValue()));
        ComboBox<String> layout = new ComboBox<>(FXCollections.observableArrayList(SweepViewModel.OWN_LAYOUT,
                "fixed:5", "prefix:16", "anywhere"));
        layout.setId("sweep-layout");
        layout.setEditable(true);
        layout.valueProperty().bindBidirectional(vm.layout());
        Fx.tip(layout, "Where the first S goes in the test sequences. A model trained with S fixed at 5 that"
                + " fails on 'anywhere' solved the task by position, not by induction.");
        Spinner<Integer> seqs = new Spinner<>(0, 100000, vm.sequences().get(), 8);
        seqs.setId("sweep-seqs");
        seqs.setEditable(true);
        seqs.getValueFactory().setConverter(new javafx.util.StringConverter<>() {
            // 0 is "the default rule", which a student would otherwise read as "no sequences"
            @Override
            public String toString(Integer n) {
                return n == null || n == 0 ? AUTO_SEQUENCES : Integer.toString(n);
            }

            @Override
            public Integer fromString(String text) {
                String t = text == null ? "" : text.strip().replace(",", "");
                if (t.isEmpty() || t.startsWith("auto")) {
                    return 0;
                }
                try {
                    return Math.max(0, Math.min(100000, Integer.parseInt(t)));
                } catch (NumberFormatException e) {
                    return seqs.getValue();
                }
            }
        });
        seqs.getEditor().setText(seqs.getValueFactory().getConverter().toString(seqs.getValue()));
        seqs.valueProperty().addListener((o, a, b) -> vm.sequences().set(b));
        Fx.tip(seqs, "Sequences per length; auto (or 0) = the default rule clamp(2^30 / L^2, 8, 512)");

        GridPane form = new GridPane();
        form.setHgap(8);
        form.setVgap(6);
        javafx.scene.layout.ColumnConstraints labels = new javafx.scene.layout.ColumnConstraints();
        javafx.scene.layout.ColumnConstraints fields = new javafx.scene.layout.ColumnConstraints();
        fields.setHgrow(javafx.scene.layout.Priority.ALWAYS);
        fields.setFillWidth(true);
        form.getColumnConstraints().addAll(labels, fields);
        for (javafx.scene.control.Control c : List.of(min, max, layout, seqs)) {
            c.setMaxWidth(Double.MAX_VALUE);
        }
        form.addRow(0, wholeLabel("Shortest"), min);
        form.addRow(1, wholeLabel("Longest"), max);
        form.addRow(2, wholeLabel("Layout"), layout);
        form.addRow(3, wholeLabel("Sequences"), seqs);
        seqs.getStyleClass().add("exponent-spinner");
        layout.getStyleClass().add("exponent-spinner");

        Button run = new Button("Run sweep");
        run.setId("run-sweep");
        run.getStyleClass().add("accent");
        run.disableProperty().bind(vm.running().or(javafx.beans.binding.Bindings.isEmpty(vm.selected()))
                .or(vm.problem().isNotEmpty()));
        Label problem = Fx.shownWhenSet("sweep-problem", "problem", vm.problem());
        run.setOnAction(e -> vm.start());
        Button cancel = new Button("Cancel");
        cancel.setId("cancel-sweep");
        cancel.disableProperty().bind(vm.running().not());
        cancel.setOnAction(e -> vm.cancel());
        ProgressBar bar = new ProgressBar();
        bar.setId("sweep-bar");
        bar.setMaxWidth(Double.MAX_VALUE);
        bar.progressProperty().bind(vm.progress());
        bar.visibleProperty().bind(vm.running());
        bar.managedProperty().bind(bar.visibleProperty());
        Label progress = new Label();
        progress.setId("sweep-progress");
        progress.setWrapText(true);
        progress.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE); // whole, on as many lines as it needs
        progress.textProperty().bind(vm.progressText());
        progress.visibleProperty().bind(vm.progressText().isNotEmpty());
        progress.managedProperty().bind(progress.visibleProperty());
        Label estimate = Fx.hint("");
        estimate.setId("sweep-estimate");
        estimate.textProperty().bind(vm.estimateText());

        ShardStatus shardStatus = new ShardStatus(ctx, vm);
        VBox shards = shardsSection(shardStatus);

        CheckBox reference = new CheckBox("Mamba paper, Table 11");
        Fx.tip(reference, "Gu & Dao (2023), Table 11: 2-layer models trained at length 256 on a task whose trigger is"
                + " not fixed, tested 2^6..2^20. Compare them with runs trained with the trigger anywhere.");
        Label footnote = Fx.hint("Paper rows: trained at 256 with the trigger not fixed. † a run trained with S at a"
                + " fixed place: position alone can solve its task, so it is not comparable with the paper.");
        footnote.setId("sweep-footnote");
        reference.setId("show-reference");
        reference.selectedProperty().bindBidirectional(vm.showReference());
        Button png = new Button("Export PNG…");
        png.setId("sweep-export-png");
        png.setOnAction(e -> export("png"));
        Button csv = new Button("Export CSV…");
        csv.setId("sweep-export-csv");
        csv.setOnAction(e -> export("csv"));
        png.disableProperty().bind(nothingPlotted);
        csv.disableProperty().bind(nothingPlotted);

        ComboBox<String> groupBy = new ComboBox<>(vm.groupChoices());
        groupBy.setId("group-by");
        groupBy.valueProperty().bindBidirectional(vm.groupBy());
        Fx.tip(groupBy, "A line per value of one setting the study varies: the mean over its runs (the seeds), with"
                + " bars from the lowest run to the highest");
        Label studyName = Fx.hint("");
        studyName.setId("study-name");
        studyName.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> vm.study().get() == null
                ? "" : "Study " + vm.study().get().name() + ", " + vm.study().get().runs().size() + " runs. A group's line"
                + " is the mean of its runs; its bars run from the lowest run to the highest.", vm.study()));
        VBox studyRow = new VBox(4, studyName, new HBox(8, new Label("Group by"), groupBy));
        ((HBox) studyRow.getChildren().get(1)).setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        studyRow.setId("study-row");
        studyRow.visibleProperty().bind(vm.studyPlotted()); // only while one of the study's runs is ticked
        studyName.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        studyRow.managedProperty().bind(studyRow.visibleProperty());

        Label runsTitle = new Label("Runs");
        runsTitle.getStyleClass().add("section-title");
        Label lengthsTitle = new Label("Lengths and sequences");
        lengthsTitle.getStyleClass().add("section-title");
        VBox left = new VBox(8, runsTitle, runList, studyRow, lengthsTitle, form, problem, new HBox(8, run, cancel), bar, progress,
                estimate, shards,
                reference, footnote, new HBox(8, png, csv));
        left.setPadding(new Insets(0, 8, 0, 0));
        // at a projector's zoom the controls are taller than the window: they scroll rather than overprint
        ScrollPane leftScroll = new ScrollPane(left);
        leftScroll.setId("sweep-controls");
        leftScroll.setFitToWidth(true);
        leftScroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        leftScroll.getStyleClass().add("page-scroll");
        leftScroll.getStyleClass().add("sweep-controls"); // min and preferred width in em (lab.css)

        SplitPane split = new SplitPane(leftScroll, plot);
        split.setDividerPositions(0.3);
        setCenter(split);

        vm.plotVersion().addListener((o, a, b) -> redraw());
        vm.showReference().addListener((o, a, b) -> redraw());
        vm.minExp().addListener((o, a, b) -> redraw());
        vm.maxExp().addListener((o, a, b) -> redraw());
        syncChecks();
        redraw();
    }

    /** "Split into shards…" with its sequences per shard, its progress, and the ticked runs' shards (hidden if none). */
    private static VBox shardsSection(ShardStatus s) {
        javafx.scene.control.Spinner<Integer> perShard = new javafx.scene.control.Spinner<>(1, 1 << 20,
                ShardStatus.DEFAULT_SHARD_SEQUENCES);
        perShard.setId("shard-sequences");
        perShard.setEditable(true);
        perShard.getValueFactory().valueProperty().addListener((o, a, b) -> s.shardSequences().set(b));
        Fx.tip(perShard, "Sequences per shard");
        Button split = new Button("Split into shards…");
        split.setId("split-shards");
        Fx.tip(split, "Measures this sweep for the first ticked run in shards of this many sequences, one at a time,"
                + " as 'eval --shards --local 1' does, then merges them into its sweep.csv");
        split.disableProperty().bind(s.running());
        split.setOnAction(e -> s.split());
        Button stop = new Button("Stop shards");
        stop.setId("stop-shards");
        stop.visibleProperty().bind(s.running());
        stop.managedProperty().bind(stop.visibleProperty());
        stop.setOnAction(e -> s.cancel());
        ProgressBar bar = new ProgressBar();
        bar.setMaxWidth(Double.MAX_VALUE);
        bar.progressProperty().bind(s.progress());
        bar.visibleProperty().bind(s.running());
        bar.managedProperty().bind(bar.visibleProperty());
        Label progress = Fx.shownWhenSet("shard-progress", "hint", s.progressText());
        Label status = Fx.shownWhenSet("shard-status", "hint", s.text());
        Label title = new Label("Shards");
        title.getStyleClass().add("section-title");
        title.visibleProperty().bind(status.visibleProperty());
        title.managedProperty().bind(title.visibleProperty());
        split.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE); // whole words at any zoom
        perShard.setPrefWidth(javafx.scene.layout.Region.USE_COMPUTED_SIZE);
        perShard.getStyleClass().add("shard-spinner");
        javafx.scene.layout.FlowPane row = new javafx.scene.layout.FlowPane(8, 4, split, perShard, stop);
        row.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return new VBox(4, row, bar, progress, title, status);
    }

    /** What the Sequences field shows for 0: the default rule, by length. */
    static final String AUTO_SEQUENCES = "auto";

    private static Label wholeLabel(String text) {
        Label l = new Label(text);
        l.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE); // "Shortest", not "Sh…", at any zoom
        return l;
    }

    /**
     * A spinner over the sweep's exponents shown as "2^10 = 1,024". It can be typed into: "2^10", "10" or
     * "1024" all mean 2^10; anything else puts the last value back rather than failing.
     */
    static Spinner<Integer> exponentSpinner(int value) {
        Spinner<Integer> s = new Spinner<>(SweepJob.MIN_EXPONENT, SweepJob.MAX_EXPONENT, value);
        s.setEditable(true);
        s.getValueFactory().setConverter(new StringConverter<>() {
            @Override
            public String toString(Integer e) {
                return e == null ? "" : String.format(Locale.ROOT, "2^%d = %,d", e, 1L << e);
            }

            @Override
            public Integer fromString(String text) {
                Integer e = parseExponent(text);
                return e != null ? e : s.getValue();
            }
        });
        s.getStyleClass().add("exponent-spinner"); // width in em (lab.css)
        s.getEditor().focusedProperty().addListener((o, was, now) -> {
            if (!now) {
                s.commitValue();
            }
        });
        return s;
    }

    /** "2^10", "2^10 = 1,024", "10" and "1024" are all 10; null for anything that is not a length. */
    public static Integer parseExponent(String text) {
        String t = text == null ? "" : text.trim().replace(",", "").replace(" ", "");
        try {
            if (t.startsWith("2^")) {
                return Integer.parseInt(t.substring(2).split("=")[0]);
            }
            long n = Long.parseLong(t.split("=")[0]);
            if (n >= 3 && n <= 24) {
                return (int) n;
            }
            if (n > 0 && Long.bitCount(n) == 1) {
                return Long.numberOfTrailingZeros(n);
            }
        } catch (NumberFormatException e) {
            // not a number: the spinner keeps its value
        }
        return null;
    }

    private void syncChecks() {
        if (syncing) {
            return;
        }
        syncing = true;
        runList.getCheckModel().clearChecks();
        for (RunEntry r : vm.selected()) {
            runList.getItems().stream().filter(x -> x.path().equals(r.path())).findFirst()
                    .ifPresent(x -> runList.getCheckModel().check(x));
        }
        syncing = false;
    }

    private void redraw() {
        List<XYChart.Series<Number, Number>> series = new ArrayList<>();
        for (Map.Entry<String, List<SweepPoint>> e : new java.util.TreeMap<>(vm.points()).entrySet()) {
            XYChart.Series<Number, Number> s = new XYChart.Series<>();
            s.setName(e.getKey());
            e.getValue().stream().sorted(java.util.Comparator.comparingInt(SweepPoint::length)).forEach(p -> {
                XYChart.Data<Number, Number> d = new XYChart.Data<>(AccuracyPlot.x(p.length()), 100 * p.accuracy());
                d.setExtraValue(new double[] {100 * p.wilsonLow(), 100 * p.wilsonHigh()});
                s.getData().add(d);
            });
            series.add(s);
        }
        List<XYChart.Series<Number, Number>> references = new ArrayList<>();
        if (vm.showReference().get()) {
            ReferenceResults.table11().forEach((name, acc) -> {
                XYChart.Series<Number, Number> s = new XYChart.Series<>();
                s.setName(name);
                for (int i = 0; i < acc.length; i++) {
                    s.getData().add(new XYChart.Data<>(ReferenceResults.FIRST_EXPONENT + i, acc[i]));
                }
                references.add(s);
            });
        }
        plot.getData().setAll(series);
        plot.getData().addAll(references);
        // each run keeps its colour however the ticked set changes; its points and error bars share it
        Map<String, String> colour = colours.assign(series.stream().map(XYChart.Series::getName).toList());
        for (XYChart.Series<Number, Number> s : series) {
            String c = colour.get(s.getName());
            if (s.getNode() != null) {
                s.getNode().setStyle("-fx-stroke: " + c + ";");
            }
            for (XYChart.Data<Number, Number> d : s.getData()) {
                if (d.getNode() != null) {
                    d.getNode().setStyle("-fx-background-color: " + c + ", white;");
                }
            }
        }
        runColours = colour;
        for (XYChart.Series<Number, Number> s : references) {
            if (s.getNode() != null) { // the series node is the line itself
                s.getNode().getStyleClass().add("reference-series");
                s.getNode().setStyle("-fx-stroke: " + ReferenceResults.style(s.getName()) + ";");
            }
            for (XYChart.Data<Number, Number> d : s.getData()) {
                if (d.getNode() != null) {
                    d.getNode().setVisible(false); // lines only: the paper's points are not ours
                }
            }
        }
        styleLegend();
        Set<Integer> vocabs = new LinkedHashSet<>();
        Set<Integer> lengths = new LinkedHashSet<>();
        for (RunEntry r : vm.selected()) {
            vocabs.add(r.hyperparameters().vocab());
            lengths.add(r.hyperparameters().trainLength());
        }
        if (vocabs.isEmpty()) {
            vocabs.add(16);
        }
        plot.levels().setAll(vocabs.stream().map(v -> new AnnotatedLineChart.Level(100.0 / v,
                "chance 1/" + v, "chance-line")).toList());
        plot.markers().setAll(lengths.stream().map(l -> new AnnotatedLineChart.Marker(AccuracyPlot.x(l),
                "trained at " + l, "train-length-marker")).toList());
        int from = vm.minExp().get();
        int to = vm.showReference().get() ? 20 : vm.maxExp().get();
        for (List<SweepPoint> pts : vm.points().values()) {
            for (SweepPoint p : pts) {
                int e = Integer.numberOfTrailingZeros(p.length());
                from = Math.min(from, e);
                to = Math.max(to, e);
            }
        }
        for (int l : lengths) {
            from = Math.min(from, (int) Math.floor(AccuracyPlot.x(l)));
        }
        plot.showExponents(from, to);
    }

    /** Legend: the paper's rows as a short bar in their fixed colour, runs keep their round symbol. */
    private void styleLegend() {
        for (javafx.scene.Node n : plot.lookupAll(".chart-legend-item")) {
            if (n instanceof Label item && item.getGraphic() != null) {
                boolean reference = ReferenceResults.table11().containsKey(item.getText());
                String run = runColours.get(item.getText());
                item.getGraphic().setStyle(reference ? "-fx-background-color: " + ReferenceResults.colour(item.getText())
                        + "; -fx-background-radius: 0; -fx-padding: 2px 9px; -fx-background-insets: 0;"
                        : run != null ? "-fx-background-color: " + run + ", white;" : "");
                item.getStyleClass().remove("reference-legend");
                if (reference) {
                    item.getStyleClass().add("reference-legend");
                }
            }
        }
    }

    private void export(String kind) {
        FileChooser chooser = new FileChooser();
        chooser.setInitialFileName("sweep." + kind);
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(kind.toUpperCase(Locale.ROOT), "*." + kind));
        File f = chooser.showSaveDialog(getScene().getWindow());
        if (f == null) {
            return;
        }
        try {
            if (kind.equals("png")) {
                Fx.writePng(plot, f.toPath());
            } else {
                vm.exportCsv(f.toPath());
            }
        } catch (Exception e) {
            Fx.showError(getScene().getWindow(), "Export failed", e);
        }
    }

    public AccuracyPlot plot() {
        return plot;
    }

    /** The colour each plotted run series is drawn in (line, points, error bars and legend). */
    public Map<String, String> seriesColours() {
        return runColours;
    }
}
