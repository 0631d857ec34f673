package org.inductionlab.engine.lab.study;

import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.eval.SweepShards;
import org.inductionlab.engine.lab.ShardedSweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Measures a run's shards still to measure on this machine, N at a time, each in its own process (the lab's
 * own {@code eval --shard-task}, what a Slurm array task runs too) with the cores split between them. A
 * shard with a result, or one another task measures, is left alone. Each task's output goes to
 * {@code shards/logs/SHARD.log}.
 */
public final class LocalShardRunner {

    /** Hears the runner, on the calling thread. */
    public interface Listener {
        default void onPlan(int toRun, int measured, int busy, int parallel, int threadsEach) {}

        default void onStart(SweepShards.Shard shard, long pid, Path log) {}

        default void onEnd(SweepShards.Shard shard, int exitCode, Path log) {}
    }

    /** The shards measured now, those whose task ended without a result, and whether a stop was asked. */
    public record Summary(List<SweepShards.Shard> measured, List<SweepShards.Shard> failed, boolean stopped) {}

    private final ShardedSweep sweep;
    private final int parallel;
    private final List<String> lab;
    private final int cores;
    private final List<Process> children = new ArrayList<>();
    private volatile boolean stopRequested;

    public LocalShardRunner(ShardedSweep sweep, int parallel, List<String> lab, int cores) {
        if (parallel < 1 || parallel > 64) {
            throw new InvalidConfigException("local", parallel + " is out of range (allowed: 1..64 shards at a time)");
        }
        this.sweep = sweep;
        this.parallel = parallel;
        this.lab = List.copyOf(lab);
        this.cores = Math.max(1, cores);
    }

    /** The arguments after the lab's command that measure one shard: what the job script runs too. */
    public static List<String> taskArguments(String run, String planFile, String index, String threads) {
        return List.of("eval", "--run", run, "--shard-plan", planFile, "--shard-task", index, "--threads", threads);
    }

    /** Measures every shard still to measure, {@code parallel} at a time; returns when all tasks have ended. */
    public Summary run(Listener listener) throws IOException, InterruptedException {
        int threads = LocalStudyRunner.threadsEach(cores, parallel);
        Deque<SweepShards.Shard> todo = new ArrayDeque<>(sweep.todo(Set.of()));
        int measuredBefore = (int) sweep.shards().stream().filter(s -> sweep.result(s) != null).count();
        int busy = sweep.shards().size() - measuredBefore - todo.size();
        listener.onPlan(todo.size(), measuredBefore, busy, parallel, threads);
        Files.createDirectories(sweep.logs());
        Map<Process, SweepShards.Shard> running = new LinkedHashMap<>();
        List<SweepShards.Shard> measured = new ArrayList<>();
        List<SweepShards.Shard> failed = new ArrayList<>();
        while (!todo.isEmpty() || !running.isEmpty()) {
            while (!stopRequested && running.size() < parallel && !todo.isEmpty()) {
                SweepShards.Shard s = todo.poll();
                Path log = sweep.logs().resolve(s.name() + ".log");
                List<String> cmd = new ArrayList<>(lab);
                cmd.addAll(taskArguments(sweep.run().toAbsolutePath().toString(), sweep.planFile(),
                        Integer.toString(s.index()), Integer.toString(threads)));
                Process p = LocalStudyRunner.startTask(cmd, log, threads);
                synchronized (children) {
                    children.add(p);
                }
                running.put(p, s);
                listener.onStart(s, p.pid(), log);
            }
            if (stopRequested) {
                todo.clear();
                if (running.isEmpty()) {
                    break;
                }
            }
            Process ended = LocalStudyRunner.awaitAny(running.keySet());
            SweepShards.Shard s = running.remove(ended);
            synchronized (children) {
                children.remove(ended);
            }
            listener.onEnd(s, ended.exitValue(), sweep.logs().resolve(s.name() + ".log"));
            (ended.exitValue() == 0 && sweep.result(s) != null ? measured : failed).add(s);
        }
        return new Summary(measured, failed, stopRequested);
    }


    /** Stops from another thread (Ctrl-C): starts nothing more and stops each task, which leaves no result. */
    public void requestStop() {
        stopRequested = true;
        synchronized (children) {
            children.forEach(Process::destroy);
        }
    }
}
