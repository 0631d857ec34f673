package org.inductionlab.ui.sweep;

import org.inductionlab.engine.text.Durations;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.ObservableMap;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.config.Problem;
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.lab.RunCatalogue;
import org.inductionlab.engine.lab.RunRecords;
import org.inductionlab.engine.lab.SweepJob;
import org.inductionlab.engine.run.AtomicFiles;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.engine.lab.study.Study;
import org.inductionlab.engine.lab.study.StudyGroups;
import org.inductionlab.engine.task.TriggerLayout;
import org.inductionlab.ui.Fx;
import org.inductionlab.ui.LabContext;
import org.inductionlab.engine.lab.RunEntry;
import org.inductionlab.ui.event.RunEvents;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Sweep page: which runs, which lengths, layout and sequences; running the engine's LengthSweep on
 * the worker thread with progress per length and cancel; and the points to plot, read back from each
 * run's sweep.csv so a sweep made on the command line shows here too.
 */
public final class SweepViewModel {

    private final LabContext ctx;
    private final ObservableList<RunEntry> selected = FXCollections.observableArrayList();
    private final IntegerProperty minExp = new SimpleIntegerProperty(SweepJob.DEFAULT_MIN_EXPONENT);
    private final IntegerProperty maxExp = new SimpleIntegerProperty(SweepJob.FIXED_DEFAULT_MAX_EXPONENT);
    private final StringProperty layout = new SimpleStringProperty(OWN_LAYOUT);
    private final IntegerProperty sequences = new SimpleIntegerProperty(0);
    private final BooleanProperty showReference = new SimpleBooleanProperty(true);
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(false);
    private final StringProperty progressText = new SimpleStringProperty("");
    private final javafx.beans.property.DoubleProperty progress = new javafx.beans.property.SimpleDoubleProperty(0);
    private final StringProperty estimateText = new SimpleStringProperty("");
    private final StringProperty problem = new SimpleStringProperty("");
    private final ObservableMap<String, List<SweepPoint>> points = FXCollections.observableHashMap();
    private final LongProperty plotVersion = new SimpleLongProperty();
    private final AtomicBoolean cancel = new AtomicBoolean();
    /** What the plot shows: the runs, the study they may belong to, and what its runs are grouped by. */
    private record Plotted(List<RunEntry> runs, Study study, String groupBy) {}

    private volatile Plotted plotted = new Plotted(List.of(), null, EACH_RUN);
    private boolean maxExpChosen;
    private boolean suggesting;

    /** The group-by choice meaning "a line per run". */
    public static final String EACH_RUN = "each run";

    private final javafx.beans.property.ObjectProperty<Study> study = new javafx.beans.property.SimpleObjectProperty<>();
    private final ObservableList<String> groupChoices = FXCollections.observableArrayList(EACH_RUN);
    private final StringProperty groupBy = new SimpleStringProperty(EACH_RUN);
    private final javafx.beans.binding.BooleanBinding studyPlotted = javafx.beans.binding.Bindings.createBooleanBinding(
            () -> selected.stream().anyMatch(r -> inStudy(r, study.get())), selected, study);

    /** The layout choice meaning "each run's own training layout". */
    public static final String OWN_LAYOUT = "training layout";

    public SweepViewModel(LabContext ctx) {
        this.ctx = ctx;
        minExp.set((int) ctx.settings().getDouble("sweep_min_exp", SweepJob.DEFAULT_MIN_EXPONENT));
        maxExp.set((int) ctx.settings().getDouble("sweep_max_exp", SweepJob.FIXED_DEFAULT_MAX_EXPONENT));
        maxExpChosen = ctx.settings().getDouble("sweep_max_exp", -1) > 0;
        layout.set(ctx.settings().get("sweep_layout", OWN_LAYOUT));
        sequences.set((int) ctx.settings().getDouble("sweep_sequences", 0));
        selected.addListener((javafx.collections.ListChangeListener<RunEntry>) c -> {
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
        ctx.runs().runs().addListener((javafx.collections.ListChangeListener<RunEntry>) c -> {
            // keep the selection pointing at the current entries (after a rename or a finished run)
            List<RunEntry> fresh = new ArrayList<>();
            for (RunEntry r : selected) {
                ctx.runs().runs().stream().filter(x -> x.path().equals(r.path())).findFirst().ifPresent(fresh::add);
            }
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
        return running.getReadOnlyProperty();
    }

    public StringProperty progressText() {
        return progressText;
    }

    public javafx.beans.property.DoubleProperty progress() {
        return progress;
    }

    /** What the engine expects the sweep to cost, length by length, for the first selected run. */
    public StringProperty estimateText() {
        return estimateText;
    }

    /** Plotted points by series name ("run · layout"). */
    public ObservableMap<String, List<SweepPoint>> points() {
        return points;
    }

    public LongProperty plotVersion() {
        return plotVersion;
    }

    /** Adds a run to the plot (from the Runs page's Compare). */
    public void add(RunEntry run) {
        if (selected.stream().noneMatch(r -> r.path().equals(run.path()))) {
            selected.add(run);
        }
    }

    /** The study shown, or null: its runs can be grouped by {@link #groupBy()}. */
    public javafx.beans.property.ReadOnlyObjectProperty<Study> study() {
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

    /**
     * Shows a study: its runs become the plotted selection, grouped by the first setting it varies that is
     * not the seed (seeds are what a group averages over).
     */
    public void showStudy(Path dir) {
        ctx.executor().background(() -> {
            try {
                Study s = Study.open(dir);
                List<RunEntry> entries = new ArrayList<>();
                for (int i = 0; i < s.runs().size(); i++) {
                    try {
                        entries.add(RunCatalogue.open(s.runPath(i)));
                    } catch (RuntimeException missing) {
                        // a run folder removed by hand: the others still plot
                    }
                }
                ctx.executor().ui(() -> {
                    study.set(s);
                    groupChoices.setAll(EACH_RUN);
                    groupChoices.addAll(s.groupKeys());
                    String first = s.groupKeys().stream().filter(k -> !k.equals("seed")).findFirst().orElse(EACH_RUN);
                    groupBy.set(first);
                    problem.set("");
                    selected.setAll(entries);
                });
            } catch (RuntimeException e) {
                ctx.executor().ui(() -> problem.set("Cannot open the study: " + Fx.message(e)));
            }
        });
    }

    /** Reads every selected run's sweep.csv (in the background) into the plot. */
    public void reload() {
        Plotted now = new Plotted(List.copyOf(selected), study.get(), groupBy.get());
        plotted = now;
        ctx.executor().background(() -> publish(now));
    }

    /** Whether {@code run} is one of {@code study}'s runs. */
    private static boolean inStudy(RunEntry run, Study study) {
        return study != null && run.path().toAbsolutePath().normalize().getParent()
                .equals(study.path().resolve(Study.RUNS).toAbsolutePath().normalize());
    }

    /** Reads the runs' sweep.csv files on the calling (background) thread and shows them on the UI thread. */
    private void publish(Plotted what) {
        List<RunEntry> runs = what.runs();
        Study s = what.study();
        String key = what.groupBy();
        Map<String, List<SweepPoint>> fresh = new LinkedHashMap<>();
        boolean grouped = s != null && key != null && !key.equals(EACH_RUN);
        if (grouped) {
            java.util.Set<String> names = new java.util.HashSet<>();
            runs.stream().filter(r -> inStudy(r, s)).forEach(r -> names.add(r.path().getFileName().toString()));
            try {
                for (StudyGroups.Point g : StudyGroups.of(s, key, names::contains)) {
                    // a group's line is the mean over its runs; its bars run from the lowest run to the highest
                    fresh.computeIfAbsent(String.format(Locale.ROOT, "%s=%s · %s (%d runs)", key, g.group(), g.layout(),
                            g.runs()), k -> new ArrayList<>()).add(new SweepPoint(g.length(), g.layout(), g.runs(), 0,
                            g.mean(), g.min(), g.max(), 0));
                }
            } catch (IOException | RuntimeException e) {
                // an unreadable study shows no groups
            }
        }
        for (RunEntry r : runs) {
            if (grouped && inStudy(r, s)) {
                continue;
            }
            try {
                for (SweepPoint p : RunRecords.sweep(r.path())) {
                    // † marks a run trained with S at a fixed place: position alone can solve its task
                    String mark = r.hyperparameters().layout() instanceof TriggerLayout.Fixed ? " †" : "";
                    fresh.computeIfAbsent(r.name() + mark + " · " + p.layout(), k -> new ArrayList<>()).add(p);
                }
            } catch (Exception e) {
                // a run without a readable sweep simply has no points
            }
        }
        ctx.executor().ui(() -> {
            if (!what.equals(new Plotted(List.copyOf(selected), study.get(), groupBy.get()))) {
                return; // the selection or grouping changed meanwhile; its own reload follows
            }
            points.clear();
            points.putAll(fresh);
            plotVersion.set(plotVersion.get() + 1);
        });
    }

    /** Why the sweep cannot run as set (in this page's words), or empty: checked on every change. */
    public StringProperty problem() {
        return problem;
    }

    /** The page's names for the engine's sweep settings, and its notation for exponents (2^7, as the spinners show). */
    static final Problem.Words PAGE_WORDS = new Problem.Words() {
        private final Map<String, String> names = Map.of("min_exponent", "Shortest", "max_exponent", "Longest",
                "sequences_per_length", "Sequences", "layout", "Layout");

        @Override
        public String name(String key) {
            return names.getOrDefault(key, key);
        }

        @Override
        public String number(String key, long value) {
            return key.endsWith("_exponent") ? "2^" + value : Long.toString(value);
        }
    };

    /** Why a plan is refused, in the page's words: "Longest: 2^7 is out of range (…)". */
    static String inPageWords(RuntimeException e) {
        return e instanceof InvalidConfigException bad ? bad.describe(PAGE_WORDS) : Fx.message(e);
    }

    void updateEstimate() {
        if (selected.isEmpty()) {
            problem.set("");
            estimateText.set("Pick one or more runs to sweep.");
            return;
        }
        double total = 0;
        List<LengthSweep.Estimate> perLength = List.of();
        StringBuilder refused = new StringBuilder();
        boolean gpu = false;
        try {
            for (RunEntry r : selected) { // each run at its own size
                gpu |= onGpu(r);
                List<LengthSweep.Estimate> est = SweepJob.estimate(r.hyperparameters(), plan(r), onGpu(r));
                for (LengthSweep.Estimate e : est) {
                    total += e.seconds();
                    if (!e.fits() && refused.indexOf("2^" + Integer.numberOfTrailingZeros(e.length()) + ":") < 0) {
                        refused.append(e.describe()).append(" — too big, will be refused\n");
                    }
                }
                if (perLength.isEmpty()) {
                    perLength = est;
                }
            }
        } catch (IllegalArgumentException e) {
            problem.set(inPageWords(e));
            estimateText.set("");
            return;
        }
        problem.set("");
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "About %s for %d run%s on this machine's %s"
                + " (a first guess, refined as lengths finish).", Durations.words(total), selected.size(),
                selected.size() == 1 ? "" : "s", gpu ? "GPU" : "CPU"));
        if (!perLength.isEmpty()) { // the lines below are the first ticked run's; the total above is every run's
            text.append(String.format(Locale.ROOT, "%nFor %s%s:", selected.get(0).name(),
                    selected.size() == 1 ? "" : " (the first ticked run)"));
        }
        int shown = 0;
        for (int i = perLength.size() - 1; i >= 0 && shown < 3; i--, shown++) { // the costly end of the range
            LengthSweep.Estimate e = perLength.get(i);
            text.append(String.format(Locale.ROOT, "%n2^%d: ~%s, %d sequences (error bars up to ±%.0f points)",
                    Integer.numberOfTrailingZeros(e.length()), Durations.words(e.seconds()), e.sequences(),
                    SweepJob.errorBarPoints(e.sequences())));
        }
        String advice = SweepJob.ceilingAdvice(gpu, maxExp.get());
        if (advice != null) {
            text.append("\n").append(advice);
        }
        text.append(String.format(Locale.ROOT, "%nDefault longest length for %s here: 2^%d (each length up to it is"
                + " expected to take under %s).", selected.get(0).name(), SweepJob.defaultMaxExponent(
                        selected.get(0).hyperparameters(),
                onGpu(selected.get(0))), Durations.words(SweepJob.SECONDS_PER_LENGTH)));
        estimateText.set((text + "\n" + refused).trim());
    }

    /** The validated plan for one run, or an exception naming the bad field. */
    LengthSweep.Plan plan(RunEntry run) {
        return SweepJob.plan(run.hyperparameters(), onGpu(run), minExp.get(), maxExp.get(),
                OWN_LAYOUT.equals(layout.get()) ? null : layout.get(), Math.max(0, sequences.get()), 1);
    }

    /** Sweeps every selected run in turn on the worker thread. */
    public void start() {
        if (running.get() || selected.isEmpty()) {
            return;
        }
        List<RunEntry> runs = List.copyOf(selected);
        List<LengthSweep.Plan> plans = new ArrayList<>();
        try {
            for (RunEntry r : runs) {
                plans.add(plan(r));
            }
        } catch (IllegalArgumentException e) {
            problem.set(inPageWords(e));
            return;
        }
        remember();
        cancel.set(false);
        running.set(true);
        progress.set(0);
        progressText.set("Starting…");
        ctx.executor().background(() -> {
            String done = "Sweep finished.";
            try {
                List<String> checks = new ArrayList<>();
                for (int i = 0; i < runs.size(); i++) {
                    String check = sweepOne(runs.get(i), plans.get(i), i, runs.size());
                    if (check != null) {
                        checks.add(runs.get(i).name() + ": " + check);
                    }
                }
                if (!checks.isEmpty()) {
                    done += " " + String.join(" ", checks);
                }
            } catch (CancellationException e) {
                done = "Sweep cancelled; the lengths already measured are kept.";
            } catch (Throwable e) {
                done = "Sweep failed: " + Fx.message(e);
            }
            String text = done;
            ctx.executor().ui(() -> {
                running.set(false);
                progressText.set(text);
                reload();
            });
        });
    }

    /**
     * Sweeps one run; returns what the half precision check found (on a GPU, where the sweep asks for
     * fp16), or null where none ran.
     */
    private String sweepOne(RunEntry run, LengthSweep.Plan plan, int index, int count) {
        String[] check = {null};
        try (LoadedRun loaded = LoadedRun.open(run.path(), null)) {
            int lengths = plan.maxExponent() - plan.minExponent() + 1;
            SweepJob.run(loaded, plan, new LengthSweep.Listener() {
                int lengthIndex;

                @Override
                public void onPrecision(LengthSweep.PrecisionCheck c) {
                    check[0] = c.describe();
                    ctx.executor().ui(() -> progressText.set(run.name() + ": " + c.describe()));
                }

                @Override
                public void onLengthStart(int length, int i, int total, LengthSweep.Estimate est) {
                    lengthIndex = i;
                    String text = String.format(Locale.ROOT, "%s: length 2^%d (%d of %d), %d sequences, ~%s",
                            run.name(), Integer.numberOfTrailingZeros(length), i + 1, total, est.sequences(),
                            Durations.words(est.seconds()));
                    ctx.executor().ui(() -> progressText.set(text));
                }

                @Override
                public void onSequences(int length, int doneSeqs, int total) {
                    double p = (index + (lengthIndex + (double) doneSeqs / total) / lengths) / count;
                    ctx.executor().ui(() -> progress.set(p));
                }

                @Override
                public void onPoint(SweepPoint p) {
                    publish(plotted); // already on the background thread, which the sweep keeps busy
                }

                @Override
                public void onRefused(int length, String reason) {
                    ctx.executor().ui(() -> progressText.set("2^" + Integer.numberOfTrailingZeros(length)
                            + " refused: " + reason));
                }
            }, cancel::get);
        }
        return check[0];
    }

    public void cancel() {
        cancel.set(true);
        if (running.get()) {
            progressText.set("Cancelling after the current batch…");
        }
    }

    /** Writes every plotted point (and the reference rows if shown) as CSV. */
    public void exportCsv(Path file) throws IOException {
        StringBuilder sb = new StringBuilder("series," + SweepPoint.CSV_HEADER + "\n");
        points.forEach((name, pts) -> pts.forEach(p -> sb.append(name.replace(',', ' ')).append(',')
                .append(p.toCsv()).append('\n')));
        if (showReference.get()) {
            ReferenceResults.table11().forEach((name, acc) -> {
                for (int i = 0; i < acc.length; i++) {
                    sb.append(name).append(',').append(1 << (ReferenceResults.FIRST_EXPONENT + i)).append(",paper,,,")
                            .append(String.format(java.util.Locale.ROOT, "%.6f", acc[i] / 100))
                            .append(",,,,\n"); // no interval, time or precision, but all 10 columns
                }
            });
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    public void remember() {
        ctx.settings().put("sweep_min_exp", minExp.get());
        ctx.settings().put("sweep_max_exp", maxExp.get());
        ctx.settings().put("sweep_layout", layout.get());
        ctx.settings().put("sweep_sequences", sequences.get());
        ctx.settings().save();
    }
}
