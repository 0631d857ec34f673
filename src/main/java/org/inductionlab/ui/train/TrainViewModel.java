package org.inductionlab.ui.train;

import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableMap;
import org.inductionlab.engine.config.HyperparameterSchema;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.Preset;
import org.inductionlab.engine.config.Problem;
import org.inductionlab.engine.model.ModelCost;
import org.inductionlab.engine.platform.MachineMemory;
import org.inductionlab.engine.run.MetricsRow;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.Runs;
import org.inductionlab.engine.train.Trainer;
import org.inductionlab.engine.train.TrainingControl;
import org.inductionlab.engine.train.TrainingListener;
import org.inductionlab.engine.train.TrainingOutcome;
import org.inductionlab.engine.train.TrainingProgress;
import org.inductionlab.ui.Fx;
import org.inductionlab.ui.LabSettings;
import org.inductionlab.ui.control.ThinnedSeries;
import org.inductionlab.ui.runs.RunEntry;
import org.inductionlab.ui.runs.RunLibrary;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The Train page's state and commands: the hyperparameters as text (validated by the engine's schema, the
 * one source of truth), the run's name, and a training session on its own thread with Start, Pause,
 * Resume and Stop. Progress reaches the FX thread coalesced, so a fast model never floods it.
 */
public final class TrainViewModel {

    public enum State { IDLE, RUNNING, PAUSED, STOPPING }

    /** Something worth a notification. */
    public record Notice(String title, String text, boolean error) {}

    /** Points kept per chart; 200k steps thin down to this many bucket means. */
    static final int CHART_POINTS = 1500;

    private final RunLibrary runs;
    private final LabSettings settings;
    private final Map<String, StringProperty> fields = new LinkedHashMap<>();
    private final ObservableMap<String, String> problems = FXCollections.observableHashMap();
    private final StringProperty preset = new SimpleStringProperty("fast");
    private final StringProperty runName = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper runNameProblem = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper startBlocker = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper estimate = new ReadOnlyStringWrapper("");
    private final ObjectProperty<State> state = new SimpleObjectProperty<>(State.IDLE);
    private final ObjectProperty<TrainingProgress> progress = new SimpleObjectProperty<>();
    private final StringProperty device = new SimpleStringProperty("");
    private final LongProperty phaseChangeStep = new SimpleLongProperty(-1);
    private final BooleanProperty resumable = new SimpleBooleanProperty(false);
    private final StringProperty status = new SimpleStringProperty("Ready.");
    private final ThinnedSeries loss = new ThinnedSeries(CHART_POINTS);
    private final ThinnedSeries accuracy = new ThinnedSeries(CHART_POINTS);
    private final LongProperty chartVersion = new SimpleLongProperty();
    private final BooleanBinding canStart;

    private Consumer<Notice> notifier = n -> { };
    private volatile TrainingControl control;
    private volatile Thread thread;
    private volatile Path activeRun;
    private final AtomicReference<TrainingProgress> latest = new AtomicReference<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private boolean applyingPreset;

    public TrainViewModel(RunLibrary runs, LabSettings settings) {
        this.runs = runs;
        this.settings = settings;
        for (HyperparameterSchema.Field f : HyperparameterSchema.FIELDS) {
            StringProperty p = new SimpleStringProperty("");
            p.addListener((o, a, b) -> {
                if (!applyingPreset) {
                    validate();
                }
            });
            fields.put(f.key(), p);
        }
        runName.addListener((o, a, b) -> validate());
        canStart = Bindings.createBooleanBinding(() -> state.get() == State.IDLE && startBlocker.get().isEmpty(),
                state, startBlocker);
        Map<String, String> remembered = settings.getMap("train_fields");
        applyPreset(settings.get("train_preset", "fast"));
        if (!remembered.isEmpty()) {
            setAll(remembered);
        }
    }

    // ---- editing -------------------------------------------------------------------------------------

    public StringProperty field(String key) {
        return fields.get(key);
    }

    public ObservableMap<String, String> problems() {
        return problems;
    }

    public StringProperty preset() {
        return preset;
    }

    public StringProperty runName() {
        return runName;
    }

    public ReadOnlyStringProperty runNameProblem() {
        return runNameProblem.getReadOnlyProperty();
    }

    /** Why Start is disabled (empty when it is not): the first problem, worded by the engine. */
    public ReadOnlyStringProperty startBlocker() {
        return startBlocker.getReadOnlyProperty();
    }

    /** "69,137 parameters · about 420 MiB per step". */
    public ReadOnlyStringProperty estimate() {
        return estimate.getReadOnlyProperty();
    }

    /** Loads a preset's values into the fields and proposes a fresh run name. */
    public void applyPreset(String name) {
        Hyperparameters hp = Preset.load(name).apply();
        preset.set(name);
        setAll(hp.toText());
        runName.set(freshName(name));
        resumable.set(false);
    }

    private void setAll(Map<String, String> text) {
        applyingPreset = true;
        try {
            text.forEach((k, v) -> {
                StringProperty p = fields.get(k);
                if (p != null) {
                    p.set(v);
                }
            });
        } finally {
            applyingPreset = false;
        }
        validate();
    }

    private String freshName(String presetName) {
        String base = presetName.replaceAll("[^A-Za-z0-9_-]", "") + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        String name = base;
        for (int i = 2; Files.exists(runs.directory().resolve(name)); i++) {
            name = base + "-" + i;
        }
        return name;
    }

    private Map<String, String> texts() {
        Map<String, String> text = new LinkedHashMap<>();
        fields.forEach((k, p) -> text.put(k, p.get()));
        return text;
    }

    /** Re-checks every field with the engine's own validation; fills problems, the blocker and estimate. */
    public void validate() {
        HyperparameterSchema.Parsed parsed = HyperparameterSchema.parse(texts());
        Map<String, String> byKey = new LinkedHashMap<>();
        for (Problem p : parsed.problems()) {
            byKey.merge(p.key(), p.message(), (a, b) -> a + "; " + b);
        }
        problems.keySet().retainAll(byKey.keySet());
        problems.putAll(byKey);

        String nameProblem = nameProblem(runName.get());
        runNameProblem.set(nameProblem);
        if (!parsed.problems().isEmpty()) {
            startBlocker.set(parsed.problems().get(0).toString());
        } else if (nameProblem != null && !resumable.get()) {
            startBlocker.set("run name: " + nameProblem);
        } else {
            startBlocker.set("");
        }
        if (parsed.value() != null) {
            Hyperparameters hp = parsed.value();
            estimate.set(String.format(Locale.ROOT, "%,d parameters · about %s of memory per step · %.2f GFLOP per step",
                    ModelCost.parameterCount(hp), MachineMemory.mib(ModelCost.trainingBytes(hp)),
                    ModelCost.trainingStepFlops(hp) / 1e9));
        } else {
            estimate.set("");
        }
    }

    private String nameProblem(String name) {
        if (name == null || name.isBlank()) {
            return "give the run a name";
        }
        if (!name.matches("[A-Za-z0-9._-]+") || name.startsWith(".")) {
            return "use letters, digits, '.', '_' and '-' only";
        }
        if (Files.exists(runs.directory().resolve(name)) && !resumable.get()) {
            return "a run named " + name + " exists; choose another name";
        }
        return null;
    }

    // ---- training ------------------------------------------------------------------------------------

    public BooleanBinding canStart() {
        return canStart;
    }

    public ObjectProperty<State> state() {
        return state;
    }

    public ObjectProperty<TrainingProgress> progress() {
        return progress;
    }

    public StringProperty device() {
        return device;
    }

    /** Step at which the running accuracy first passed halfway from chance to 100 % (the phase change). */
    public LongProperty phaseChangeStep() {
        return phaseChangeStep;
    }

    public BooleanProperty resumable() {
        return resumable;
    }

    public StringProperty status() {
        return status;
    }

    public ThinnedSeries lossSeries() {
        return loss;
    }

    public ThinnedSeries accuracySeries() {
        return accuracy;
    }

    /** Bumped on the FX thread whenever the series gained points. */
    public LongProperty chartVersion() {
        return chartVersion;
    }

    public void setNotifier(Consumer<Notice> notifier) {
        this.notifier = notifier;
    }

    /** The run folder being trained (or last trained), for the status line. */
    public Path activeRun() {
        return activeRun;
    }

    /** Starts a new run with the fields' values. */
    public void start() {
        if (!canStart.get()) {
            throw new IllegalStateException(startBlocker.get().isEmpty() ? "already training" : startBlocker.get());
        }
        if (resumable.get()) {
            resumeStoppedRun();
            return;
        }
        Hyperparameters hp = HyperparameterSchema.parse(texts()).value().validated();
        remember();
        Path dir = runs.directory().resolve(runName.get());
        RunFolder folder;
        try {
            folder = Runs.create(dir, hp, preset.get(), false);
        } catch (Exception e) {
            notifier.accept(new Notice("Could not start", Fx.message(e), true));
            return;
        }
        launch(hp, folder, false);
    }

    /** Continues a stopped run from its checkpoint (after {@link #loadRun}). */
    void resumeStoppedRun() {
        Path dir = runs.directory().resolve(runName.get());
        RunEntry entry = runs.find(runName.get()).orElse(null);
        if (entry != null) {
            dir = entry.path();
        }
        try {
            RunFolder folder = RunFolder.open(dir);
            Hyperparameters hp = folder.hyperparameters();
            Map<String, String> changed = new LinkedHashMap<>();
            HyperparameterSchema.Parsed edited = HyperparameterSchema.parse(texts());
            if (edited.ok()) { // optimisation, stopping and run settings may change on resume
                for (HyperparameterSchema.Field f : HyperparameterSchema.FIELDS) {
                    boolean fixed = f.group() == HyperparameterSchema.Group.TASK || f.group() == HyperparameterSchema.Group.MODEL;
                    if (!fixed && !f.get(edited.value()).equals(f.get(hp))) {
                        changed.put(f.key(), f.format(f.get(edited.value())));
                    }
                }
            }
            if (!changed.isEmpty()) {
                hp = hp.with(changed).validated();
                folder.writeInfo(folder.info().withHyperparameters(hp.toText()));
            }
            launch(hp, folder, true);
        } catch (Exception e) {
            notifier.accept(new Notice("Could not resume", Fx.message(e), true));
        }
    }

    private void launch(Hyperparameters hp, RunFolder folder, boolean resume) {
        TrainingControl c = new TrainingControl();
        control = c;
        activeRun = folder.path();
        loss.clear();
        accuracy.clear();
        phaseChangeStep.set(-1);
        if (resume) {
            loadCurve(folder);
        }
        chartVersion.set(chartVersion.get() + 1);
        state.set(State.RUNNING);
        status.set((resume ? "Resuming " : "Training ") + folder.name() + "…");
        double chanceMidpoint = (1.0 / hp.vocab() + 1) / 2;
        Thread t = new Thread(() -> {
            try {
                TrainingOutcome o = new Trainer(hp, folder, new Listener(chanceMidpoint), c).run(resume);
                Fx.run(() -> finished(o, folder));
            } catch (Throwable e) {
                Fx.run(() -> failed(e, folder));
            }
        }, "training");
        t.setDaemon(false);
        thread = t;
        t.start();
    }

    public void pause() {
        if (state.get() == State.RUNNING && control != null) {
            control.pause();
            status.set("Pausing after this step…");
        }
    }

    /** Resumes a paused session, or continues a stopped run. */
    public void resume() {
        if (state.get() == State.PAUSED && control != null) {
            control.resume();
        } else if (state.get() == State.IDLE && resumable.get()) {
            resumeStoppedRun();
        }
    }

    /** Asks the session to stop after its current step; the checkpoint is written on the way out. */
    public void stop() {
        TrainingControl c = control;
        if (c != null && (state.get() == State.RUNNING || state.get() == State.PAUSED)) {
            c.requestStop();
            state.set(State.STOPPING);
            status.set("Stopping after this step and writing the checkpoint…");
        }
    }

    /** Stops and waits (off the FX thread is best) until the checkpoint is written; for closing the window. */
    public boolean stopAndWait(long millis) {
        TrainingControl c = control;
        Thread t = thread;
        if (c != null) {
            c.requestStop();
        }
        if (t != null) {
            try {
                t.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return !t.isAlive();
        }
        return true;
    }

    public boolean isTraining() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    private void finished(TrainingOutcome o, RunFolder folder) {
        drain();
        state.set(State.IDLE);
        thread = null;
        control = null;
        boolean stopped = o.reason() == TrainingOutcome.Reason.STOPPED;
        resumable.set(stopped);
        String text = String.format(Locale.ROOT, "%s: %s at step %,d, running accuracy %.1f %%", folder.name(),
                o.reason().words, o.step(), 100 * o.runningAccuracy());
        status.set(text);
        notifier.accept(new Notice(switch (o.reason()) {
            case TARGET_REACHED -> "Training stopped early";
            case MAX_STEPS -> "Training finished";
            case STOPPED -> "Training stopped";
            case FAILED -> "Training failed";
        }, text, false));
        runs.refresh();
        if (!stopped) {
            runName.set(freshName(preset.get()));
        }
        validate();
    }

    private void failed(Throwable e, RunFolder folder) {
        drain();
        state.set(State.IDLE);
        thread = null;
        control = null;
        resumable.set(folder.hasCheckpoint());
        String text = folder.name() + ": " + Fx.message(e);
        status.set("Training failed — " + text);
        notifier.accept(new Notice("Training failed", text, true));
        runs.refresh();
        validate();
    }

    /** Shows a finished or stopped run: its settings, its curve, and whether it can be resumed. */
    public void loadRun(RunEntry entry) {
        if (state.get() != State.IDLE) {
            return;
        }
        RunFolder folder = RunFolder.open(entry.path());
        preset.set(entry.preset().isEmpty() ? "course" : entry.preset());
        resumable.set(("stopped".equals(entry.status()) || "training".equals(entry.status())
                || "failed".equals(entry.status())) && entry.hasCheckpoint());
        runName.set(entry.name());
        setAll(folder.hyperparameters().toText());
        loss.clear();
        accuracy.clear();
        phaseChangeStep.set(-1);
        loadCurve(folder);
        activeRun = folder.path();
        chartVersion.set(chartVersion.get() + 1);
        status.set("Showing " + entry.name() + " (" + entry.status() + ", step " + entry.steps() + ")"
                + (resumable.get() ? " — Resume continues it from its checkpoint" : ""));
        validate();
    }

    private void loadCurve(RunFolder folder) {
        try {
            Hyperparameters hp = folder.hyperparameters();
            double mid = (1.0 / hp.vocab() + 1) / 2;
            for (MetricsRow r : folder.readMetrics()) {
                loss.add(r.step(), r.loss());
                accuracy.add(r.step(), 100 * r.runningAccuracy());
                if (phaseChangeStep.get() < 0 && r.runningAccuracy() >= mid) {
                    phaseChangeStep.set(r.step());
                }
            }
        } catch (Exception e) {
            // no curve is not an error
        }
    }

    /** Remembers the fields for the next launch. */
    public void remember() {
        settings.put("train_preset", preset.get());
        settings.put("train_fields", texts());
        settings.save();
    }

    /** Hands progress from the training thread to the FX thread, coalescing bursts. */
    private final class Listener implements TrainingListener {
        private final double midpoint;
        private long phaseStep = -1;

        Listener(double midpoint) {
            this.midpoint = midpoint;
        }

        @Override
        public void onStart(TrainingStart s) {
            Fx.run(() -> device.set(s.device()));
        }

        @Override
        public void onProgress(TrainingProgress p) {
            loss.add(p.step(), p.loss());
            accuracy.add(p.step(), 100 * p.runningAccuracy());
            if (phaseStep < 0 && p.runningAccuracy() >= midpoint) {
                phaseStep = p.step();
                long s = phaseStep;
                Fx.run(() -> {
                    if (phaseChangeStep.get() < 0) {
                        phaseChangeStep.set(s);
                    }
                });
            }
            latest.set(p);
            if (!drainScheduled.getAndSet(true)) {
                Platform.runLater(TrainViewModel.this::drain);
            }
        }

        @Override
        public void onPaused(boolean paused) {
            Fx.run(() -> {
                if (state.get() != State.STOPPING) {
                    state.set(paused ? State.PAUSED : State.RUNNING);
                    status.set(paused ? "Paused; the checkpoint is saved. Resume or Stop." : "Training…");
                }
            });
        }

        @Override
        public void onCheckpoint(long step) {
            Fx.run(() -> {
                if (state.get() == State.RUNNING) {
                    status.set("Training " + activeRun.getFileName() + " — checkpoint at step " + step);
                }
            });
        }
    }

    private void drain() {
        drainScheduled.set(false);
        TrainingProgress p = latest.get();
        if (p != null) {
            progress.set(p);
        }
        chartVersion.set(chartVersion.get() + 1);
    }
}
