package org.inductionlab.ui.train;

import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.ObservableMap;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.Preset;
import org.inductionlab.engine.lab.TrainingJob;
import org.inductionlab.engine.lab.RunCatalogue;
import org.inductionlab.engine.train.TrainingOutcome;
import org.inductionlab.engine.train.TrainingProgress;
import org.inductionlab.ui.Fx;
import org.inductionlab.ui.LabContext;
import org.inductionlab.ui.Notice;
import org.inductionlab.engine.lab.RunEntry;
import org.inductionlab.ui.RunLibrary;
import org.inductionlab.ui.TaskExecutor;
import org.inductionlab.ui.event.RunEvents;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The Train page's state and commands: the hyperparameter form, the run's name, and a training job
 * (the engine's {@link TrainingJob}, so the window creates and resumes runs exactly as the command line
 * does) on the executor's training thread, with Start, Pause, Resume and Stop. Progress reaches the UI
 * thread coalesced, so a fast model never floods it.
 */
public final class TrainViewModel {

    /** Where the session is; {@code TrainViewModel.State} for the pages. */
    public enum State { IDLE, RUNNING, PAUSED, STOPPING }

    private final RunLibrary runs;
    private final LabContext ctx;
    private final TaskExecutor executor;
    private final HyperparameterForm form = new HyperparameterForm(this::recheck);
    private final TrainingCurves curves = new TrainingCurves();
    private final StringProperty preset = new SimpleStringProperty("induction");
    private final StringProperty runName = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper runNameProblem = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper startBlocker = new ReadOnlyStringWrapper("");
    private final BooleanProperty resumable = new SimpleBooleanProperty(false);
    private final ReadOnlyStringWrapper stageText = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper etaText = new ReadOnlyStringWrapper("");
    private final StringProperty status = new SimpleStringProperty("Ready.");
    private final TrainingSession session;
    private final BooleanBinding canStart;

    private Consumer<Notice> notifier = n -> { };
    private Path activeRun;

    public TrainViewModel(LabContext ctx) {
        this.ctx = ctx;
        this.runs = ctx.runs();
        this.executor = ctx.executor();
        this.session = new TrainingSession(executor, curves, status);
        session.progress().addListener((o, a, p) -> {
            stageText.set(p == null ? "" : TrainingWords.step(p));
            etaText.set(p == null ? "" : TrainingWords.eta(p));
        });
        runName.addListener((o, a, b) -> recheck());
        canStart = Bindings.createBooleanBinding(() -> state().get() == State.IDLE && startBlocker.get().isEmpty(),
                state(), startBlocker);
        Map<String, String> remembered = ctx.settings().getMap("train_fields");
        applyPreset(ctx.settings().get("train_preset", "induction"));
        if (!remembered.isEmpty()) {
            form.setAll(remembered);
        }
        ctx.events().subscribe(RunEvents.ShowInTrain.class, e -> loadRun(e.run()));
    }

    public StringProperty field(String key) {
        return form.field(key);
    }

    public ObservableMap<String, String> problems() {
        return form.problems();
    }

    /**
     * Whether a field can be edited now: it is one the chosen architecture reads (a Mamba has no dropout, norm
     * or positional encoding; a Transformer no state size), and, while a stopped run is shown for Resume, one
     * that resuming may change (the engine's rule: not the task or the model, which its weights are tied to).
     */
    public BooleanBinding editable(String key) {
        return Bindings.createBooleanBinding(() -> {
            org.inductionlab.engine.config.Architecture arch;
            try {
                arch = org.inductionlab.engine.config.Architecture.valueOf(
                        form.field("architecture").get().trim().toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                arch = null; // not a choice the list offers: every field stays open
            }
            boolean read = arch == null || org.inductionlab.engine.config.HyperparameterSchema.applies(key, arch);
            return read && (!resumable.get() || TrainingJob.changeableOnResume(key));
        }, form.field("architecture"), resumable);
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
        return form.estimate();
    }

    /** Loads a preset's values into the fields and proposes a fresh run name. */
    public void applyPreset(String name) {
        Hyperparameters hp = Preset.load(name).apply();
        preset.set(name);
        resumable.set(false);
        form.setAll(hp.toText());
        runName.set(freshName(name));
    }

    /** A name no listed run has; checked against the run list in memory, not the disk. */
    private String freshName(String presetName) {
        return RunCatalogue.freshName(presetName, n -> runs.find(n).isPresent());
    }

    /** Re-checks the run name and what blocks Start, after any change to the form or the name. */
    private void recheck() {
        String nameProblem = RunCatalogue.nameProblem(runName.get());
        if (nameProblem == null && !resumable.get() && runs.find(runName.get()).isPresent()) {
            nameProblem = "a run named " + runName.get() + " exists; choose another name";
        }
        runNameProblem.set(nameProblem);
        String formProblem = form.firstProblem();
        startBlocker.set(formProblem != null ? formProblem
                : nameProblem != null && !resumable.get() ? "run name: " + nameProblem : "");
    }

    public BooleanBinding canStart() {
        return canStart;
    }

    public ObjectProperty<State> state() {
        return session.state();
    }

    public ObjectProperty<TrainingProgress> progress() {
        return session.progress();
    }

    public StringProperty device() {
        return session.device();
    }

    /** Where training is: "epoch 0.03 of 25 · stage 2 of 4 (L=64)" (with a curriculum) or "… · L=256". */
    public ReadOnlyStringProperty stageText() {
        return stageText.getReadOnlyProperty();
    }

    /**
     * The ETA and what it counts to: "4:10 to max_steps", "0:52 to the early stop at current pace", "0:20 to
     * stage 3 of 4 at current pace", or during a shorter curriculum stage whose accuracy is not rising, "– (ETA:
     * none before the last stage)": never max_steps at a length the run will outgrow.
     */
    public ReadOnlyStringProperty etaText() {
        return etaText.getReadOnlyProperty();
    }

    /** The charts' data: loss, accuracy, the phase change and the curriculum's stages. */
    public TrainingCurves curves() {
        return curves;
    }

    public BooleanProperty resumable() {
        return resumable;
    }

    public StringProperty status() {
        return status;
    }

    public void setNotifier(Consumer<Notice> notifier) {
        this.notifier = notifier;
    }

    /** Starts a new run with the fields' values, or continues the shown run when it can be resumed. */
    public void start() {
        if (!canStart.get()) {
            throw new IllegalStateException(startBlocker.get().isEmpty() ? "already training" : startBlocker.get());
        }
        remember();
        if (resumable.get()) { // the engine's one resume rule, as the CLI's train --resume
            Path dir = activeRun != null && activeRun.getFileName().toString().equals(runName.get()) ? activeRun
                    : runs.find(runName.get()).map(RunEntry::path).orElse(runs.directory().resolve(runName.get()));
            Map<String, String> edited = form.texts();
            launch(() -> TrainingJob.resume(dir, edited), "Could not resume");
            return;
        }
        Hyperparameters hp = form.value();
        Path dir = runs.directory().resolve(runName.get());
        String presetName = preset.get();
        curves.clear();
        launch(() -> TrainingJob.create(dir, hp, presetName, false), "Could not start");
    }

    private void launch(TrainingSession.JobSource source, String failTitle) {
        session.launch(source, new TrainingSession.Ends() {
            @Override
            public void started(TrainingJob j) {
                activeRun = j.path();
                runs.training().set(activeRun);
                if (state().get() == State.RUNNING) {
                    status.set((j.resumed() ? "Resuming " : "Training ") + j.name() + "…");
                }
            }

            @Override
            public void notStarted(Exception e) {
                status.set(failTitle + ": " + Fx.message(e));
                notifier.accept(new Notice(failTitle, Fx.message(e), true));
                recheck();
            }

            @Override
            public void finished(TrainingOutcome o, String run) {
                boolean stopped = o.reason() == TrainingOutcome.Reason.STOPPED;
                String text = String.format(Locale.ROOT, "%s: %s at step %,d, running accuracy %.1f %%", run,
                        o.reason().words, o.step(), 100 * o.runningAccuracy());
                ended(stopped, text, new Notice(switch (o.reason()) {
                    case TARGET_REACHED -> "Training finished: target reached"; // a success, not a stop
                    case MAX_STEPS -> "Training finished";
                    case STOPPED -> "Training stopped";
                    case FAILED -> "Training failed";
                }, text, false));
                if (!stopped) {
                    runName.set(freshName(preset.get()));
                }
            }

            @Override
            public void failed(Throwable e, String run, boolean hasCheckpoint) {
                String text = run + ": " + Fx.message(e);
                ended(hasCheckpoint, "Training failed — " + text, new Notice("Training failed", text, true));
            }
        });
    }

    private void ended(boolean canResume, String text, Notice notice) {
        runs.training().set(null);
        resumable.set(canResume);
        status.set(text);
        notifier.accept(notice);
        runs.refresh();
        recheck();
    }

    public void pause() {
        session.pause();
    }

    /** Resumes a paused session, or continues a stopped run. */
    public void resume() {
        if (!session.resumePaused() && state().get() == State.IDLE && resumable.get() && canStart.get()) {
            start();
        }
    }

    /** Asks the session to stop after its current step; the checkpoint is written on the way out. */
    public void stop() {
        session.stop();
    }

    /** Stops and waits (off the FX thread is best) until the checkpoint is written; for closing the window. */
    public boolean stopAndWait(long millis) {
        return session.stopAndWait(millis);
    }

    public boolean isTraining() {
        return session.isTraining();
    }

    /** Shows a run: settings, curve, and Resume if it can go on (else Start trains a new run like it). */
    public void loadRun(RunEntry entry) {
        if (state().get() != State.IDLE) {
            return;
        }
        preset.set(entry.preset().isEmpty() ? "course" : entry.preset());
        resumable.set(entry.resumable());
        activeRun = entry.path();
        runName.set(entry.resumable() ? entry.name() : freshName(preset.get()));
        form.setAll(entry.hyperparameters().toText());
        status.set("Showing " + entry.name() + " (" + entry.status() + ", step " + String.format(Locale.ROOT, "%,d",
                entry.steps()) + ")" + (resumable
                .get() ? " — Resume continues it from its checkpoint; its task and model settings are fixed (choose a"
                + " preset to train a new run)" : " — Start trains a new run with its settings"));
        curves.load(executor, entry.path(), entry.hyperparameters(),
                () -> entry.path().equals(activeRun) && state().get() == State.IDLE);
    }

    /** Remembers the fields for the next launch. */
    public void remember() {
        ctx.settings().put("train_preset", preset.get());
        ctx.settings().put("train_fields", form.texts());
        ctx.settings().save();
    }
}
