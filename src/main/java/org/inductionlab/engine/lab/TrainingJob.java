package org.inductionlab.engine.lab;

import org.inductionlab.engine.config.HyperparameterSchema;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.model.ModelCost;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunFolderException;
import org.inductionlab.engine.run.RunInfo;
import org.inductionlab.engine.run.RunStatus;
import org.inductionlab.engine.run.Runs;
import org.inductionlab.engine.train.Trainer;
import org.inductionlab.engine.train.TrainingControl;
import org.inductionlab.engine.train.TrainingListener;
import org.inductionlab.engine.train.TrainingOutcome;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Train a new run, or resume one: the one place that decides what may be trained where, for the command
 * line and the window alike. {@link #create} and {@link #resume} check everything before they write
 * anything; {@link #run} then trains on the calling thread, and {@link #control()} pauses or stops it
 * from another.
 */
public final class TrainingJob {

    private final RunFolder folder;
    private final Hyperparameters hp;
    private final boolean resumed;
    private final Path replacedRun;
    private final TrainingControl control = new TrainingControl();

    private TrainingJob(RunFolder folder, Hyperparameters hp, boolean resumed, Path replacedRun) {
        this.folder = folder;
        this.hp = hp;
        this.resumed = resumed;
        this.replacedRun = replacedRun;
    }

    /**
     * A new run in {@code dir}. A folder that already holds a run is refused unless {@code replace}, and
     * then moved aside (see {@link #replacedRun()}), never deleted.
     */
    public static TrainingJob create(Path dir, Hyperparameters hp, String preset, boolean replace) throws IOException {
        Hyperparameters valid = hp.validated();
        RunFolder folder = Runs.create(dir, valid, preset, replace);
        return new TrainingJob(folder, valid, false, folder.replacedRun());
    }

    /** Whether a setting may change when a run is resumed: the task and the model are fixed. */
    public static boolean changeableOnResume(String key) {
        return !HyperparameterSchema.field(key).fixedByWeights();
    }

    /**
     * Continues the run in {@code dir} from its checkpoint, with {@code changes} (key to value as text)
     * applied. A change to a task or model setting is bad input naming the setting; a value equal to the
     * run's own is no change. Refused, with nothing written, when there is no checkpoint or when the
     * run would stop at once (it finished and neither max_steps nor target nor window was raised).
     */
    public static TrainingJob resume(Path dir, Map<String, String> changes) throws IOException {
        RunFolder folder = RunFolder.open(dir);
        if (!folder.hasCheckpoint()) {
            throw new RunFolderException(dir + " has no checkpoint to resume from", "run_folder");
        }
        Hyperparameters stored = folder.hyperparameters();
        Map<String, String> changed = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : changes.entrySet()) {
            HyperparameterSchema.Field f = HyperparameterSchema.field(e.getKey());
            if (f.parse(e.getValue()).equals(f.get(stored))) {
                continue;
            }
            if (!changeableOnResume(f.key())) {
                throw new InvalidConfigException(f.key(), "cannot change when resuming (the model and its data are"
                        + " fixed; allowed: optimisation, stopping and run settings)");
            }
            changed.put(f.key(), e.getValue());
        }
        Hyperparameters hp = changed.isEmpty() ? stored : stored.with(changed).validated();
        InvalidConfigException finished = finished(folder, hp, stored);
        if (finished != null) {
            throw finished;
        }
        if (!changed.isEmpty()) {
            folder.writeInfo(folder.info().withHyperparameters(hp.toText()));
        }
        return new TrainingJob(folder, hp, true, null);
    }

    /**
     * Whether {@link #resume} takes the run in {@code folder} as it stands, no setting changed: it has a
     * checkpoint, and it has not reached max_steps or stopped at its target. The window offers Resume for
     * exactly these runs.
     */
    public static boolean resumable(RunFolder folder) {
        return folder.hasCheckpoint() && finished(folder, folder.hyperparameters(), folder.hyperparameters()) == null;
    }

    /** Why a run with settings {@code hp} would stop at once (at max_steps, or at its target), or null. */
    private static InvalidConfigException finished(RunFolder folder, Hyperparameters hp, Hyperparameters stored) {
        RunInfo.Training t = folder.info().training();
        if (t != null && t.steps() >= hp.maxSteps()) {
            return new InvalidConfigException("max_steps", String.format(Locale.ROOT, "the run already finished at"
                    + " step %d of %d; raise max_steps to train further", t.steps(), hp.maxSteps()));
        }
        // a run that stopped at max_steps needs only more steps; one that stopped at its target, a higher
        // target or a larger window (which starts the early stop's count afresh)
        boolean stoppedAtTarget = t != null && t.runStatus() == RunStatus.FINISHED
                && org.inductionlab.engine.train.TrainingOutcome.Reason.TARGET_REACHED.words.equals(t.stopReason());
        if (stoppedAtTarget && t.runningAccuracy() >= hp.target() && hp.window() <= stored.window()) {
            return new InvalidConfigException("target", String.format(Locale.ROOT, "the run already reached its"
                    + " early-stop target (running accuracy %.4f >= %s); raise target, or window, to train further",
                    t.runningAccuracy(), HyperparameterSchema.field("target").format(hp.target())));
        }
        return null;
    }

    /**
     * Starts the planned run in {@code dir} (a study's: config.json written, no step taken) from step 0,
     * with run settings in {@code changes} (threads, device) applied. A run that was started but killed
     * before its first checkpoint starts again the same way: its partial logs are dropped. A run with a
     * checkpoint is refused (resume it); nothing is written until everything is checked.
     */
    public static TrainingJob startPlanned(Path dir, Map<String, String> changes) throws IOException {
        RunFolder folder = RunFolder.open(dir);
        if (folder.hasCheckpoint()) {
            throw new RunFolderException(dir + " has a checkpoint; resume it instead", "run_folder");
        }
        RunStatus status = folder.info().training() == null ? RunStatus.CREATED : folder.info().training().runStatus();
        if (status == RunStatus.FINISHED || status == RunStatus.UNKNOWN) {
            throw new RunFolderException(dir + " is " + status + ", not a planned run", "run_folder");
        }
        Hyperparameters stored = folder.hyperparameters();
        for (String key : changes.keySet()) {
            if (!changeableOnResume(HyperparameterSchema.field(key).key())) {
                throw new InvalidConfigException(key, "is fixed by the plan (allowed: optimisation, stopping and run settings)");
            }
        }
        Hyperparameters hp = changes.isEmpty() ? stored : stored.with(changes).validated();
        for (String file : new String[] {RunFolder.METRICS, RunFolder.HEADS,
                org.inductionlab.engine.run.AttentionFrame.FILE, RunFolder.SWEEP}) {
            java.nio.file.Files.deleteIfExists(dir.resolve(file));
        }
        org.inductionlab.engine.platform.EngineRuntime.start(hp.threads());
        folder.writeInfo(folder.info().withHyperparameters(hp.toText())
                .withEnvironment(Runs.environment(org.inductionlab.engine.platform.EngineRuntime.device(hp.device()))));
        return new TrainingJob(folder, hp, false, null);
    }

    /** The settings of {@code edited} that differ from {@code stored}, as text: what a form changed. */
    public static Map<String, String> differences(Hyperparameters stored, Hyperparameters edited) {
        Map<String, String> out = new LinkedHashMap<>();
        for (HyperparameterSchema.Field f : HyperparameterSchema.FIELDS) {
            if (!f.get(edited).equals(f.get(stored))) {
                out.put(f.key(), f.format(f.get(edited)));
            }
        }
        return out;
    }

    /** Trains (or resumes) on the calling thread until the run stops, however it stops. */
    public TrainingOutcome run(TrainingListener listener) throws IOException {
        return new Trainer(hp, folder, listener, control).run(resumed);
    }

    /** Pause, resume and stop, from any thread. */
    public TrainingControl control() {
        return control;
    }

    public RunFolder folder() {
        return folder;
    }

    public Path path() {
        return folder.path();
    }

    /** The run folder's name. */
    public String name() {
        return folder.name();
    }

    /** Whether the run has a checkpoint now (after a failure: whether it can be resumed from one). */
    public boolean hasCheckpoint() {
        return folder.hasCheckpoint();
    }

    /** The run's curves so far, as its folder holds them (a resumed run's, cut back to its checkpoint). */
    public RunRecords.Curves curves() throws IOException {
        return RunRecords.curves(folder, hp);
    }

    /** What one training step of a model with settings {@code hp} takes: parameters, memory, arithmetic. */
    public record Cost(long parameters, long bytesPerStep, double flopsPerStep) {}

    public static Cost cost(Hyperparameters hp) {
        return new Cost(ModelCost.parameterCount(hp), ModelCost.trainingBytes(hp), ModelCost.trainingStepFlops(hp));
    }

    public Hyperparameters hyperparameters() {
        return hp;
    }

    public boolean resumed() {
        return resumed;
    }

    /** Where {@link #create} moved the run it replaced, or null. */
    public Path replacedRun() {
        return replacedRun;
    }
}
