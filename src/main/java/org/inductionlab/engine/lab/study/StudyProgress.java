package org.inductionlab.engine.lab.study;

import org.inductionlab.engine.eval.SweepShards;
import org.inductionlab.engine.lab.ShardedSweep;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunFolderException;
import org.inductionlab.engine.run.RunInfo;
import org.inductionlab.engine.run.RunStatus;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where each run of a study stands, from its run folder, its task lock and — where Slurm is present —
 * squeue and sacct: done, running, failed, or waiting (planned, queued, or interrupted with a checkpoint
 * that the next {@code study run} resumes).
 */
public final class StudyProgress {
    private StudyProgress() {}

    public enum State {
        DONE, RUNNING, FAILED, WAITING;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One run's line: its state, how far training got, and what the state means here. */
    public record Line(int index, String run, State state, long steps, long maxSteps, double runningAccuracy,
                       String detail) {}

    /** Every run's line, in the study's order. {@code slurm} null: look at the folders only. */
    public static List<Line> of(Study study, Slurm slurm) {
        Map<Integer, String> queued = slurm == null ? Map.of() : slurm.activeTasks(study);
        Map<Integer, String> ended = slurm == null || study.submissions().isEmpty() ? Map.of() : slurm.endedTasks(study);
        List<Line> out = new ArrayList<>();
        for (int i = 0; i < study.runs().size(); i++) {
            out.add(line(study, i, queued.get(i), ended.get(i), slurm));
        }
        return out;
    }

    /** A sharded sweep's points in words, and whether a shard of it is being measured now. */
    record Shards(String detail, boolean running) {}

    /**
     * "sweep: 3 points measured; running 2^10 anywhere (1 of 2 shards measured); queued 2^11 anywhere; waiting
     * 2^12 anywhere": the points sweep.csv has, then each missing point by its shards' states.
     */
    static Shards shards(Study study, RunFolder f, Slurm slurm) {
        try {
            ShardedSweep sweep = ShardedSweep.of(f.path(), study.evaluation().shardSettings(f.hyperparameters()));
            java.util.function.Predicate<SweepShards.Shard> missing = StudyTask.missingShards(study.evaluation(), f);
            java.util.Set<String> missingPoints = new java.util.HashSet<>();
            sweep.shards().stream().filter(missing).forEach(s -> missingPoints.add(s.layout() + "@" + s.length()));
            Map<String, List<String>> byState = new java.util.LinkedHashMap<>();
            int measured = 0;
            boolean anyRunning = false;
            for (ShardedSweep.Point p : sweep.points(ShardJob.queued(f.path(), slurm))) {
                String where = "2^" + Integer.numberOfTrailingZeros(p.length()) + " " + p.layout();
                if (!missingPoints.contains(p.layout() + "@" + p.length())) {
                    measured++;
                    continue;
                }
                String state = p.running() > 0 ? "running" : p.queued() > 0 ? "queued" : "waiting";
                anyRunning |= p.running() > 0;
                byState.computeIfAbsent(state, k -> new ArrayList<>()).add(where
                        + (p.shards() > 1 ? " (" + p.measured() + " of " + p.shards() + " shards measured)" : ""));
            }
            StringBuilder sb = new StringBuilder("sweep: " + measured + " point" + (measured == 1 ? "" : "s") + " measured");
            byState.forEach((state, points) -> sb.append("; ").append(state).append(' ').append(String.join(", ", points)));
            return new Shards(sb.toString(), anyRunning);
        } catch (IOException | RuntimeException e) {
            return new Shards("sweep shards unreadable: " + e.getMessage(), false);
        }
    }

    private static Line line(Study study, int i, String slurmActive, String slurmEnded, Slurm slurm) {
        String name = study.runs().get(i).name();
        RunFolder f;
        try {
            f = RunFolder.open(study.runPath(i));
        } catch (RunFolderException e) {
            return new Line(i, name, State.FAILED, 0, 0, Double.NaN, e.getMessage());
        }
        RunInfo.Training t = f.info().training();
        RunStatus status = t == null ? RunStatus.CREATED : t.runStatus();
        long steps = t == null ? 0 : t.steps();
        double acc = t == null ? Double.NaN : t.runningAccuracy();
        long max = f.hyperparameters().maxSteps();
        boolean running = StudyTask.isRunning(f.path());
        boolean done;
        try {
            done = StudyTask.isDone(study, i);
        } catch (IOException e) {
            return new Line(i, name, State.FAILED, steps, max, acc, "cannot read " + RunFolder.SWEEP + ": " + e.getMessage());
        }
        if (done) {
            return new Line(i, name, State.DONE, steps, max, acc, t.stopReason() == null ? "" : t.stopReason());
        }
        if (status == RunStatus.FINISHED && study.evaluation().sharded()) {
            Shards sh = shards(study, f, slurm);
            State state = running || sh.running() ? State.RUNNING : State.WAITING;
            return new Line(i, name, state, steps, max, acc, "trained; " + sh.detail());
        }
        if (running || "RUNNING".equals(slurmActive) || "COMPLETING".equals(slurmActive)) {
            String what = status == RunStatus.FINISHED ? "evaluating" : "training";
            return new Line(i, name, State.RUNNING, steps, max, acc,
                    what + (slurmActive != null ? " (Slurm " + slurmActive.toLowerCase(Locale.ROOT) + ")" : ""));
        }
        if (slurmActive != null) {
            return new Line(i, name, State.WAITING, steps, max, acc, "queued (Slurm " + slurmActive.toLowerCase(Locale.ROOT) + ")");
        }
        if (status == RunStatus.FAILED) {
            return new Line(i, name, State.FAILED, steps, max, acc, t.stopReason() == null ? "failed" : t.stopReason());
        }
        if (slurmEnded != null && !slurmEnded.equals("COMPLETED")) {
            return new Line(i, name, State.FAILED, steps, max, acc, "Slurm task ended " + slurmEnded.toLowerCase(Locale.ROOT)
                    + "; see logs/; study run resumes it");
        }
        if (status == RunStatus.FINISHED) {
            return new Line(i, name, State.WAITING, steps, max, acc, "trained; sweep points still to measure");
        }
        if (f.hasCheckpoint()) {
            return new Line(i, name, State.WAITING, steps, max, acc, "interrupted at step " + steps
                    + "; study run resumes it from its checkpoint");
        }
        if (status == RunStatus.CREATED) {
            return new Line(i, name, State.WAITING, steps, max, acc, "planned");
        }
        return new Line(i, name, State.WAITING, steps, max, acc, "interrupted before its first checkpoint; study run starts it again");
    }
}
