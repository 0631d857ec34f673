package org.inductionlab.ui.sweep;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.collections.ObservableMap;
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.lab.RunCatalogue;
import org.inductionlab.engine.lab.RunEntry;
import org.inductionlab.engine.lab.SweepJob;
import org.inductionlab.engine.lab.study.Study;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.ui.BackgroundTask;
import org.inductionlab.ui.Fx;
import org.inductionlab.ui.LabContext;
import org.inductionlab.ui.event.RunEvents;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Sweep page: which runs, which lengths, layout and sequences (the engine's sweep policy, {@link SweepJob});
 * the sweep on the long-job thread with progress per length and cancel, so the page's quick work never
 * waits behind it; and the points to plot, read back from each run's sweep.csv so a sweep made on the
 * command line shows here too.
 */
public final class SweepViewModel {

    /** The group-by choice meaning "a line per run". */
    public static final String EACH_RUN = "each run";
    /** The layout choice meaning "each run's own training layout". */
    public static final String OWN_LAYOUT = "training layout";

    private final LabContext ctx;
    private final ObservableList<RunEntry> selected = FXCollections.observableArrayList();
    private final IntegerProperty minExp = new SimpleIntegerProperty(SweepJob.DEFAULT_MIN_EXPONENT);
    private final IntegerProperty maxExp = new SimpleIntegerProperty(SweepJob.FIXED_DEFAULT_MAX_EXPONENT);
    private final StringProperty layout = new SimpleStringProperty(OWN_LAYOUT);
    private final IntegerProperty sequences = new SimpleIntegerProperty(0);
    private final BooleanProperty showReference = new SimpleBooleanProperty(true);
    private final StringProperty progressText = new SimpleStringProperty("");
    private final StringProperty estimateText = new SimpleStringProperty("");
    private final StringProperty problem = new SimpleStringProperty("");
    private final ObservableMap<String, List<SweepPoint>> points = FXCollections.observableHashMap();
    private final LongProperty plotVersion = new SimpleLongProperty();
    private final ObjectProperty<Study> study = new SimpleObjectProperty<>();
    private final ObservableList<String> groupChoices = FXCollections.observableArrayList(EACH_RUN);
    private final StringProperty groupBy = new SimpleStringProperty(EACH_RUN);
    private final javafx.beans.binding.BooleanBinding studyPlotted = PlotSeries.studyPlotted(selected, study);
    private final BackgroundTask sweeps;
    private final BackgroundTask plots;
    private final BackgroundTask studies;
    private final AtomicBoolean cancel = new AtomicBoolean();
    private volatile PlotSeries.Selection shown = new PlotSeries.Selection(List.of(), null, null);
    private boolean maxExpChosen;
    private boolean suggesting;

    public SweepViewModel(LabContext ctx) {
        this.ctx = ctx;
        this.sweeps = BackgroundTask.longJobs(ctx.executor());
        this.plots = BackgroundTask.quick(ctx.executor());
        this.studies = BackgroundTask.quick(ctx.executor());
        maxExpChosen = SweepSettings.load(ctx.settings(), minExp, maxExp, layout, sequences);
        selected.addListener((ListChangeListener<RunEntry>) c -> {
            reload();
            if (!maxExpChosen && !selected.isEmpty()) {
                // the engine's one rule for the default longest length, on the device the run would use
                suggesting = true;
                RunEntry first = selected.get(0);
                maxExp.set(Math.max(minExp.get(), SweepJob.defaultMaxExponent(first.hyperparameters(), onGpu(first))));
                suggesting = false;
            }
            updateEstimate();
        });
        minExp.addListener((o, a, b) -> updateEstimate());
        maxExp.addListener((o, a, b) -> {
            maxExpChosen |= !suggesting;
            updateEstimate();
        });
        sequences.addListener((o, a, b) -> updateEstimate());
        layout.addListener((o, a, b) -> updateEstimate());
        ctx.runs().runs().addListener((ListChangeListener<RunEntry>) c -> {
            // keep the selection pointing at the current entries (after a rename or a finished run)
            List<RunEntry> fresh = selected.stream().flatMap(r -> ctx.runs().find(r.path()).stream()).toList();
            if (!fresh.equals(selected)) {
                selected.setAll(fresh);
            } else {
                reload();
            }
        });
        ctx.events().subscribe(RunEvents.AddToPlot.class, e -> add(e.run()));
        ctx.events().subscribe(RunEvents.ShowStudy.class, e -> showStudy(e.study()));
        groupBy.addListener((o, a, b) -> reload());
        ctx.events().subscribe(RunEvents.Moved.class, e -> selected.removeIf(r -> r.path().equals(e.path())));
    }

    private boolean onGpu(RunEntry run) {
        return SweepJob.onGpu(run.hyperparameters().device(), ctx.gpus());
    }

    public ObservableList<RunEntry> selected() {
        return selected;
    }

    public IntegerProperty minExp() {
        return minExp;
    }

    public IntegerProperty maxExp() {
        return maxExp;
    }

    public StringProperty layout() {
        return layout;
    }

    public IntegerProperty sequences() {
        return sequences;
    }

    public BooleanProperty showReference() {
        return showReference;
    }

    public ReadOnlyBooleanProperty running() {
        return sweeps.busy();
    }

    public StringProperty progressText() {
        return progressText;
    }

    public ReadOnlyDoubleProperty progress() {
        return sweeps.progress();
    }

    /** What the engine expects the sweep to cost, length by length, for the first selected run. */
    public StringProperty estimateText() {
        return estimateText;
    }

    /** Why the sweep cannot run as set (in this page's words), or empty: checked on every change. */
    public StringProperty problem() {
        return problem;
    }

    /** Plotted points by series name ("run · layout"). */
    public ObservableMap<String, List<SweepPoint>> points() {
        return points;
    }

    public LongProperty plotVersion() {
        return plotVersion;
    }

    /** The study shown, or null: its runs can be grouped by {@link #groupBy()}. */
    public ReadOnlyObjectProperty<Study> study() {
        return study;
    }

    /** Whether a study is open and at least one of its runs is ticked (its note and "Group by" apply). */
    public javafx.beans.binding.BooleanBinding studyPlotted() {
        return studyPlotted;
    }

    /** "each run", then what the study varies ("variant", "lr", "seed"…). */
    public ObservableList<String> groupChoices() {
        return groupChoices;
    }

    /** How the study's runs are drawn: a line per run, or a line per value of one setting (mean, min–max bars). */
    public StringProperty groupBy() {
        return groupBy;
    }

    /** Adds a run to the plot (from the Runs page's Compare). */
    public void add(RunEntry run) {
        if (selected.stream().noneMatch(r -> r.path().equals(run.path()))) {
            selected.add(run);
        }
    }

    /** Shows a study: its runs become the selection, grouped by the first setting it varies but the seed. */
    public void showStudy(Path dir) {
        record Opened(Study study, List<RunEntry> runs) {}
        studies.start(request -> {
            Study s = Study.open(dir);
            return new Opened(s, RunCatalogue.runsOf(s));
        }, opened -> {
            Study s = opened.study();
            study.set(s);
            groupChoices.setAll(EACH_RUN);
            groupChoices.addAll(s.groupKeys());
            groupBy.set(s.groupKeys().stream().filter(k -> !k.equals("seed")).findFirst().orElse(EACH_RUN));
            problem.set("");
            selected.setAll(opened.runs());
        }, e -> problem.set("Cannot open the study: " + Fx.message(e)));
    }

    private PlotSeries.Selection plotted() {
        return new PlotSeries.Selection(List.copyOf(selected), study.get(), EACH_RUN.equals(groupBy.get()) ? null
                : groupBy.get());
    }

    /** Reads every selected run's sweep.csv (in the background) into the plot; a newer reload replaces it. */
    public void reload() {
        PlotSeries.Selection now = plotted();
        shown = now;
        plots.start(request -> now.read(), fresh -> show(now, fresh), e -> { });
    }

    /** Puts {@code fresh} on the plot, if it is still what the plot should show. */
    private void show(PlotSeries.Selection what, Map<String, List<SweepPoint>> fresh) {
        if (what.equals(plotted())) {
            points.clear();
            points.putAll(fresh);
            plotVersion.set(plotVersion.get() + 1);
        }
    }

    void updateEstimate() {
        try {
            estimateText.set(SweepEstimate.describe(selected, this::plan, this::onGpu));
            problem.set("");
        } catch (IllegalArgumentException e) {
            problem.set(SweepEstimate.inPageWords(e));
            estimateText.set("");
        }
    }

    /** The validated plan for one run, or an exception naming the bad field. */
    LengthSweep.Plan plan(RunEntry run) {
        return SweepJob.plan(run.hyperparameters(), onGpu(run), minExp.get(), maxExp.get(),
                OWN_LAYOUT.equals(layout.get()) ? null : layout.get(), Math.max(0, sequences.get()), 1);
    }

    /** Sweeps every selected run in turn on the long-job thread. */
    public void start() {
        if (running().get() || selected.isEmpty()) {
            return;
        }
        List<RunEntry> runs = List.copyOf(selected);
        List<LengthSweep.Plan> plans;
        try {
            plans = runs.stream().map(this::plan).toList();
        } catch (IllegalArgumentException e) {
            problem.set(SweepEstimate.inPageWords(e));
            return;
        }
        remember();
        cancel.set(false);
        progressText.set("Starting…");
        sweeps.start(request -> SweepRuns.sweep(runs, plans, request, text -> request.show(() -> progressText.set(text)),
                () -> { // each point on the plot as it is saved, before the sweep says it is done
                    PlotSeries.Selection now = shown;
                    Map<String, List<SweepPoint>> fresh = now.read();
                    request.show(() -> show(now, fresh));
                }, cancel::get),
                ended -> {
                    progressText.set(ended);
                    reload();
                }, e -> progressText.set("Sweep failed: " + Fx.message(e)));
    }

    public void cancel() {
        cancel.set(true);
        if (running().get()) {
            progressText.set("Cancelling after the current batch…");
        }
    }

    /** Writes every plotted point (and the reference rows if shown) as CSV. */
    public void exportCsv(Path file) throws IOException {
        SweepCsv.write(file, points, showReference.get());
    }

    public void remember() {
        SweepSettings.save(ctx.settings(), minExp, maxExp, layout, sequences);
    }
}
