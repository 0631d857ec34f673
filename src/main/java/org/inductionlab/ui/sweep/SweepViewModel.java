package org.inductionlab.ui.sweep;

import ai.djl.ndarray.NDManager;
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
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.model.SequenceModel;
import org.inductionlab.engine.platform.EngineRuntime;
import org.inductionlab.engine.run.AtomicFiles;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunModels;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.engine.task.TriggerLayout;
import org.inductionlab.ui.Fx;
import org.inductionlab.ui.LabContext;
import org.inductionlab.ui.runs.RunEntry;

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
    private final IntegerProperty minExp = new SimpleIntegerProperty(6);
    private final IntegerProperty maxExp = new SimpleIntegerProperty(12);
    private final StringProperty layout = new SimpleStringProperty(OWN_LAYOUT);
    private final IntegerProperty sequences = new SimpleIntegerProperty(0);
    private final BooleanProperty showReference = new SimpleBooleanProperty(true);
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(false);
    private final StringProperty progressText = new SimpleStringProperty("");
    private final javafx.beans.property.DoubleProperty progress = new javafx.beans.property.SimpleDoubleProperty(0);
    private final StringProperty estimateText = new SimpleStringProperty("");
    private final ObservableMap<String, List<SweepPoint>> points = FXCollections.observableHashMap();
    private final LongProperty plotVersion = new SimpleLongProperty();
    private final AtomicBoolean cancel = new AtomicBoolean();
    private boolean maxExpChosen;
    private boolean suggesting;

    /** The default longest length is the last whose estimate stays under this. */
    static final double SECONDS_PER_LENGTH = 240;

    /** The layout choice meaning "each run's own training layout". */
    public static final String OWN_LAYOUT = "training layout";

    public SweepViewModel(LabContext ctx) {
        this.ctx = ctx;
        minExp.set((int) ctx.settings().getDouble("sweep_min_exp", 6));
        maxExp.set((int) ctx.settings().getDouble("sweep_max_exp", 12));
        maxExpChosen = ctx.settings().getDouble("sweep_max_exp", -1) > 0;
        layout.set(ctx.settings().get("sweep_layout", OWN_LAYOUT));
        sequences.set((int) ctx.settings().getDouble("sweep_sequences", 0));
        selected.addListener((javafx.collections.ListChangeListener<RunEntry>) c -> {
            reload();
            if (!maxExpChosen && !selected.isEmpty()) {
                // the CPU default stops where the engine's estimate says a length gets too slow or too big
                suggesting = true;
                maxExp.set(Math.max(minExp.get(), LengthSweep.forDevice(ai.djl.Device.cpu()).suggestedMaxExponent(
                        selected.get(0).hyperparameters(), ai.djl.Device.cpu(), SECONDS_PER_LENGTH, 16)));
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

    /** Reads every selected run's sweep.csv into the plot. */
    public void reload() {
        Map<String, List<SweepPoint>> fresh = new LinkedHashMap<>();
        for (RunEntry r : selected) {
            try {
                for (SweepPoint p : RunFolder.open(r.path()).readSweep()) {
                    fresh.computeIfAbsent(r.name() + " · " + p.layout(), k -> new ArrayList<>()).add(p);
                }
            } catch (Exception e) {
                // a run without a readable sweep simply has no points
            }
        }
        points.clear();
        points.putAll(fresh);
        plotVersion.set(plotVersion.get() + 1);
    }

    void updateEstimate() {
        if (selected.isEmpty()) {
            estimateText.set("Pick one or more runs to sweep.");
            return;
        }
        Hyperparameters hp = selected.get(0).hyperparameters();
        LengthSweep sweep = LengthSweep.forDevice(ai.djl.Device.cpu());
        StringBuilder sb = new StringBuilder();
        double total = 0;
        for (int e = minExp.get(); e <= maxExp.get(); e++) {
            int n = sequences.get() > 0 ? sequences.get() : LengthSweep.defaultSequences(1 << e);
            LengthSweep.Estimate est = sweep.estimate(hp, 1 << e, n, ai.djl.Device.cpu());
            total += est.seconds();
            if (!est.fits()) {
                sb.append(est.describe()).append(" — too big, will be refused\n");
            }
        }
        int suggested = sweep.suggestedMaxExponent(hp, ai.djl.Device.cpu(), SECONDS_PER_LENGTH, 20);
        estimateText.set(String.format(Locale.ROOT, "Estimate for %s: about %s on this machine (CPU guess; refined"
                        + " as lengths finish). Longest length whose estimate stays under %s here: 2^%d.%n%s", selected.get(0).name(),
                duration(total * selected.size()), duration(SECONDS_PER_LENGTH), suggested, sb).trim());
    }

    static String duration(double s) {
        if (s < 60) {
            return Math.max(1, Math.round(s)) + " s";
        }
        if (s < 3600) {
            return Math.round(s / 60) + " min";
        }
        return String.format(Locale.ROOT, "%.1f h", s / 3600);
    }

    /** The validated plan for one run, or an exception naming the bad field. */
    LengthSweep.Plan plan(RunEntry run) {
        TriggerLayout l = OWN_LAYOUT.equals(layout.get()) ? run.hyperparameters().layout() : TriggerLayout.parse(layout.get());
        return new LengthSweep.Plan(minExp.get(), maxExp.get(), l, Math.max(0, sequences.get()), 1);
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
            progressText.set(Fx.message(e));
            return;
        }
        remember();
        cancel.set(false);
        running.set(true);
        progress.set(0);
        progressText.set("Starting…");
        ctx.worker().submit(() -> {
            String done = "Sweep finished.";
            try {
                for (int i = 0; i < runs.size(); i++) {
                    sweepOne(runs.get(i), plans.get(i), i, runs.size());
                }
            } catch (CancellationException e) {
                done = "Sweep cancelled; the lengths already measured are kept.";
            } catch (Throwable e) {
                done = "Sweep failed: " + Fx.message(e);
                Fx.showError(ctx.window(), "The sweep failed", e);
            }
            String text = done;
            Fx.run(() -> {
                running.set(false);
                progressText.set(text);
                reload();
            });
        });
    }

    private void sweepOne(RunEntry run, LengthSweep.Plan plan, int index, int count) throws IOException {
        RunFolder folder = RunFolder.open(run.path());
        Hyperparameters hp = folder.hyperparameters();
        EngineRuntime.start(0);
        try (NDManager m = NDManager.newBaseManager(EngineRuntime.device(hp.device()));
             SequenceModel model = RunModels.load(folder, m)) {
            int lengths = plan.maxExponent() - plan.minExponent() + 1;
            LengthSweep.forDevice(model.device()).run(model, plan, new LengthSweep.Listener() {
                int lengthIndex;

                @Override
                public void onLengthStart(int length, int i, int total, LengthSweep.Estimate est) {
                    lengthIndex = i;
                    String text = String.format(Locale.ROOT, "%s: length 2^%d (%d of %d), %d sequences, ~%s",
                            run.name(), Integer.numberOfTrailingZeros(length), i + 1, total, est.sequences(),
                            duration(est.seconds()));
                    Fx.run(() -> progressText.set(text));
                }

                @Override
                public void onSequences(int length, int doneSeqs, int total) {
                    double p = (index + (lengthIndex + (double) doneSeqs / total) / lengths) / count;
                    Fx.run(() -> progress.set(p));
                }

                @Override
                public void onPoint(SweepPoint p) {
                    try {
                        folder.mergeSweep(List.of(p));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    Fx.run(SweepViewModel.this::reload);
                }

                @Override
                public void onRefused(int length, String reason) {
                    Fx.run(() -> progressText.set("2^" + Integer.numberOfTrailingZeros(length) + " refused: " + reason));
                }
            }, cancel::get);
        }
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
                            .append(acc[i] / 100).append(",,,\n");
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
