package org.inductionlab.engine.lab.study;

import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.eval.SweepShards;
import org.inductionlab.engine.lab.ShardedSweep;
import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.lab.SweepJob;
import org.inductionlab.engine.lab.TrainingJob;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunFolderException;
import org.inductionlab.engine.run.RunInfo;
import org.inductionlab.engine.run.RunStatus;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.engine.task.TriggerLayout;
import org.inductionlab.engine.train.TrainingListener;
import org.inductionlab.engine.train.TrainingOutcome;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * One run of a study, done as far as it can be: trained from scratch if it was only planned, resumed from
 * its checkpoint if it was interrupted, left alone if it finished; then every sweep point the study asks
 * for that its sweep.csv lacks is measured. What a local runner's child process and a Slurm array task
 * both call, so rerunning a study never retrains a finished run.
 *
 * <p>While it works it holds an OS lock on {@code task.lock} in the run folder: a second task for the
 * same run is refused, and {@link #isRunning} tells a status query that someone is at work. The OS drops
 * the lock when the process dies, however it dies.
 */
public final class StudyTask implements AutoCloseable {

    public static final String LOCK = "task.lock";

    /** What the task did. */
    public record Result(String run, String training, TrainingOutcome outcome, List<SweepPoint> measured) {}

    private final Study study;
    private final int index;
    private final int threads;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private volatile TrainingJob job;
    private volatile boolean stopRequested;

    private StudyTask(Study study, int index, int threads, FileChannel channel, FileLock lock) {
        this.study = study;
        this.index = index;
        this.threads = threads;
        this.lockChannel = channel;
        this.lock = lock;
    }

    /**
     * Takes run {@code index} of {@code study} for this process. {@code threads} > 0 fixes libtorch's CPU
     * threads for it (a runner splits the cores between tasks). Refused when another task holds it.
     */
    public static StudyTask claim(Study study, int index, int threads) throws IOException {
        Path run = study.runPath(index);
        RunFolder.open(run); // a clear error when the folder is missing or damaged
        FileChannel ch = FileChannel.open(run.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            ch.close();
            throw new RunFolderException("run " + study.runs().get(index).name()
                    + " is being trained by another task; nothing done", "index");
        }
        ch.truncate(0);
        ch.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "@" + host() + "\n")
                .getBytes(StandardCharsets.UTF_8)));
        return new StudyTask(study, index, threads, ch, l);
    }

    /** Whether some process holds the run's task lock now. */
    public static boolean isRunning(Path runFolder) {
        return org.inductionlab.engine.lab.ShardedSweep.lockHeld(runFolder.resolve(LOCK));
    }

    /** Whether the run's training has finished (its sweep may still lack points). */
    public static boolean isTrained(Study study, int index) {
        RunInfo.Training t = RunFolder.open(study.runPath(index)).info().training();
        return t != null && t.runStatus() == RunStatus.FINISHED;
    }

    /** Whether the run needs no more work: trained, and every point the study asks for measured. */
    public static boolean isDone(Study study, int index) throws IOException {
        RunFolder f = RunFolder.open(study.runPath(index));
        RunInfo.Training t = f.info().training();
        if (t == null || t.runStatus() != RunStatus.FINISHED) {
            return false;
        }
        return missingPoints(study.evaluation(), f).isEmpty();
    }

    /**
     * Trains (as far as needed) and evaluates, on the calling thread. {@link #requestStop} stops the
     * training after its step with a checkpoint, or the sweep after its length.
     */
    public Result run(TrainingListener trainingListener, LengthSweep.Listener sweepListener) throws IOException {
        return run(trainingListener, sweepListener, true);
    }

    /**
     * {@link #run(TrainingListener, LengthSweep.Listener)}; {@code sweep} false leaves a sharded sweep to its
     * own tasks (a Slurm array that waits for this training), so only the training is done here.
     */
    public Result run(TrainingListener trainingListener, LengthSweep.Listener sweepListener, boolean sweep)
            throws IOException {
        BooleanSupplier stop = () -> stopRequested;
        Path dir = study.runPath(index);
        RunFolder folder = RunFolder.open(dir);
        RunInfo.Training t = folder.info().training();
        RunStatus status = t == null ? RunStatus.CREATED : t.runStatus();
        Map<String, String> changes = new LinkedHashMap<>();
        if (threads > 0) {
            changes.put("threads", Integer.toString(threads));
        }
        String what;
        TrainingOutcome outcome = null;
        if (status == RunStatus.FINISHED) {
            what = "already trained";
        } else {
            if (folder.hasCheckpoint() && status.resumable()) {
                job = TrainingJob.resume(dir, changes);
                what = "resumed from step " + t.steps();
            } else {
                job = TrainingJob.startPlanned(dir, changes);
                what = "trained from scratch";
            }
            if (stop.getAsBoolean()) {
                job.control().requestStop();
            }
            outcome = job.run(trainingListener);
            if (outcome.reason() == TrainingOutcome.Reason.STOPPED) {
                return new Result(folder.name(), what + ", stopped", outcome, List.of());
            }
        }
        List<SweepPoint> measured = new ArrayList<>();
        if (study.evaluation().sharded()) {
            if (!sweep) {
                return new Result(folder.name(), what + "; its sweep is measured in shards", outcome, measured);
            }
            measured.addAll(measureShards(dir, sweepListener, stop));
            return new Result(folder.name(), what, outcome, measured);
        }
        try (LoadedRun r = LoadedRun.open(dir, null)) {
            for (Map.Entry<TriggerLayout, List<Integer>> e : missingPoints(study.evaluation(), r.folder()).entrySet()) {
                for (int exp : e.getValue()) {
                    StudySpec.Evaluation ev = study.evaluation();
                    LengthSweep.Plan plan = new LengthSweep.Plan(exp, exp, e.getKey(), ev.sequences(), ev.seed());
                    measured.addAll(SweepJob.run(r, plan, sweepListener, stop));
                }
            }
        }
        return new Result(folder.name(), what, outcome, measured);
    }

    /**
     * The missing points in shards, one after the other in this process: a shard with a result is skipped,
     * one another task measures is left to it. Returns the points merged into sweep.csv.
     */
    private List<SweepPoint> measureShards(Path dir, LengthSweep.Listener listener, BooleanSupplier stop)
            throws IOException {
        RunFolder folder = RunFolder.open(dir);
        ShardedSweep sweep = ShardedSweep.plan(dir, study.evaluation().shardSettings(folder.hyperparameters()));
        java.util.function.Predicate<SweepShards.Shard> wanted = missingShards(study.evaluation(), folder);
        List<SweepPoint> merged = new ArrayList<>();
        for (SweepShards.Shard s : sweep.shards()) {
            if (wanted.test(s) && sweep.result(s) == null) {
                merged.addAll(sweep.measure(s.index(), threads, listener, stop).merged());
            }
        }
        return merged;
    }

    /** The shards of the points the study asks for and sweep.csv lacks. */
    static java.util.function.Predicate<SweepShards.Shard> missingShards(StudySpec.Evaluation ev, RunFolder folder)
            throws IOException {
        Set<String> missing = new java.util.HashSet<>();
        missingPoints(ev, folder).forEach((l, exps) -> exps.forEach(e -> missing.add(l + "@" + (1 << e))));
        return s -> missing.contains(s.layout() + "@" + s.length());
    }

    /** Layout → exponents the study asks for and sweep.csv lacks. */
    static Map<TriggerLayout, List<Integer>> missingPoints(StudySpec.Evaluation ev, RunFolder folder)
            throws IOException {
        var hp = folder.hyperparameters();
        int max = ev.longestExponent();
        Set<String> have = new java.util.HashSet<>();
        for (SweepPoint p : folder.readSweep()) {
            have.add(p.layout() + "@" + p.length());
        }
        Map<TriggerLayout, List<Integer>> out = new LinkedHashMap<>();
        for (TriggerLayout l : ev.layoutsFor(hp)) {
            List<Integer> missing = new ArrayList<>();
            for (int e = ev.minExp(); e <= max; e++) {
                if (!have.contains(l + "@" + (1 << e))) {
                    missing.add(e);
                }
            }
            if (!missing.isEmpty()) {
                out.put(l, missing);
            }
        }
        return out;
    }

    /** Stops the training after its current step (with a checkpoint), from any thread. */
    public void requestStop() {
        stopRequested = true;
        TrainingJob j = job;
        if (j != null) {
            j.control().requestStop();
        }
    }

    public String runName() {
        return study.runs().get(index).name();
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            lockChannel.close();
        }
    }

    /** This machine's name, for logs and the task lock (never fails). */
    public static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }
}
