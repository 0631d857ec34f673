package org.inductionlab.engine.lab.study;

import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.platform.NativeTuning;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a study's unfinished runs on this machine, N at a time, each in its own process (the lab's own
 * {@code study task}), with the cores split between them: libtorch's thread count is per process, and two
 * jobs that each take every core were measured 28x slower on 2 cores than one after the other.
 * Finished runs are skipped, interrupted ones resume from their checkpoints, and a run another task
 * holds is left to it. Each task's output goes to {@code logs/NAME.log} in the study.
 */
public final class LocalStudyRunner {

    /** Hears the runner, on the calling thread. */
    public interface Listener {
        default void onPlan(int toRun, int done, int busy, int parallel, int threadsEach) {}

        default void onStart(Study.Run run, long pid, Path log) {}

        default void onEnd(Study.Run run, int exitCode, Path log) {}
    }

    /** How the runs ended: those that finished (training and sweep), and those that did not. */
    public record Summary(List<String> finished, List<String> failed, List<String> skipped, boolean stopped) {}

    private final Study study;
    private final int parallel;
    private final List<String> lab;
    private final int cores;
    private final List<Process> children = new ArrayList<>();
    private volatile boolean stopRequested;

    /**
     * @param lab the command that starts the lab (see {@link NativeTuning#selfCommand}); the task's
     *            arguments are added to it
     * @param cores the cores to split (normally {@code Runtime.availableProcessors()})
     */
    public LocalStudyRunner(Study study, int parallel, List<String> lab, int cores) {
        if (parallel < 1 || parallel > 64) {
            throw new InvalidConfigException("local", parallel + " is out of range (allowed: 1..64 runs at a time)");
        }
        this.study = study;
        this.parallel = parallel;
        this.lab = List.copyOf(lab);
        this.cores = Math.max(1, cores);
    }

    /** Threads each task gets: the cores shared evenly, at least one. */
    public static int threadsEach(int cores, int parallel) {
        return Math.max(1, cores / Math.max(1, parallel));
    }

    /** The arguments after the lab's command that run one task: what the job script runs too. */
    public static List<String> taskArguments(String studyDir, String index, String threads) {
        return List.of("study", "task", studyDir, "--index", index, "--threads", threads);
    }

    /** Runs every unfinished run to its end, {@code parallel} at a time; returns when all have ended. */
    public Summary run(Listener listener) throws IOException, InterruptedException {
        int threads = threadsEach(cores, parallel);
        Deque<Integer> todo = new ArrayDeque<>();
        List<String> skipped = new ArrayList<>();
        int done = 0;
        for (int i = 0; i < study.runs().size(); i++) {
            if (StudyTask.isDone(study, i)) {
                done++;
            } else if (StudyTask.isRunning(study.runPath(i))) {
                skipped.add(study.runs().get(i).name());
            } else {
                todo.add(i);
            }
        }
        listener.onPlan(todo.size(), done, skipped.size(), parallel, threads);
        Files.createDirectories(study.logs());
        Map<Process, Integer> running = new LinkedHashMap<>();
        List<String> finished = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        while (!todo.isEmpty() || !running.isEmpty()) {
            while (!stopRequested && running.size() < parallel && !todo.isEmpty()) {
                int i = todo.poll();
                Study.Run run = study.runs().get(i);
                Path log = study.logs().resolve(run.name() + ".log");
                List<String> cmd = new ArrayList<>(lab);
                cmd.addAll(taskArguments(study.path().toAbsolutePath().toString(), Integer.toString(i),
                        Integer.toString(threads)));
                Process p = startTask(cmd, log, threads);
                synchronized (children) {
                    children.add(p);
                }
                running.put(p, i);
                listener.onStart(run, p.pid(), log);
            }
            if (stopRequested) {
                todo.clear();
                if (running.isEmpty()) {
                    break;
                }
            }
            Process ended = awaitAny(running.keySet());
            int i = running.remove(ended);
            synchronized (children) {
                children.remove(ended);
            }
            Study.Run run = study.runs().get(i);
            int code = ended.exitValue();
            listener.onEnd(run, code, study.logs().resolve(run.name() + ".log"));
            (code == 0 && StudyTask.isDone(study, i) ? finished : failed).add(run.name());
        }
        return new Summary(finished, failed, skipped, stopRequested);
    }

    /** Starts one task of the lab's own command line, its output appended to {@code log}, on {@code threads} threads. */
    static Process startTask(List<String> cmd, Path log, int threads) throws java.io.IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(NativeTuning.ENVIRONMENT);
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        pb.environment().put("MKL_NUM_THREADS", Integer.toString(threads));
        return pb.start();
    }

    /** The first of {@code processes} to end (polled every 100 ms). */
    static Process awaitAny(Iterable<Process> processes) throws InterruptedException {
        while (true) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    return p;
                }
            }
            Thread.sleep(100);
        }
    }

    /**
     * Stops from another thread (Ctrl-C): starts nothing more and asks each task to stop, which keeps
     * its checkpoint; {@link #run} returns when they have.
     */
    public void requestStop() {
        stopRequested = true;
        synchronized (children) {
            children.forEach(Process::destroy); // SIGTERM: the task stops after its step and checkpoints
        }
    }
}
