package org.inductionlab.engine.lab.study;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The Slurm commands the lab uses — sbatch, squeue, sacct — run as processes with argument lists (never a
 * shell). {@code environment} is added to theirs (a test cluster's SLURM_CONF, for instance).
 */
public final class Slurm {

    private final Map<String, String> environment;

    public Slurm() {
        this(Map.of());
    }

    public Slurm(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /** Whether sbatch is on this machine's PATH. */
    public static boolean available() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (java.nio.file.Files.isExecutable(Path.of(dir, "sbatch"))) {
                return true;
            }
        }
        return false;
    }

    /** The output of a finished command. */
    public record Output(int code, String out) {}

    /** Runs {@code command} in {@code dir}; an error when it cannot start or takes over a minute. */
    public Output run(Path dir, List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().putAll(environment);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException(command.get(0) + " could not be started (is Slurm installed here?): " + e.getMessage(), e);
        }
        try {
            byte[] bytes = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " did not answer within a minute");
            }
            return new Output(p.exitValue(), new String(bytes, StandardCharsets.UTF_8).trim());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException(command.get(0) + " interrupted", e);
        }
    }

    /** Submits a batch script from {@code dir} (the job's working folder); returns the job id. */
    public String sbatch(Path dir, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable", "--chdir=" + dir.toAbsolutePath()));
        cmd.addAll(args);
        Output o = run(dir, cmd);
        String id = o.out().lines().reduce((a, b) -> b).orElse("").split(";")[0].trim();
        if (o.code() != 0 || !id.matches("\\d+")) {
            throw new IOException("sbatch refused the job: " + o.out().lines().findFirst().orElse("exit " + o.code()));
        }
        return id;
    }

    /**
     * Queued or running tasks of this study's jobs, by run index → Slurm state (PENDING, RUNNING, …).
     * Empty when squeue is missing or does not answer: the run folders then tell what they can.
     */
    public Map<Integer, String> activeTasks(Study study) {
        Set<String> ours = new HashSet<>();
        study.submissions().forEach(s -> ours.add(s.jobId()));
        Map<Integer, String> out = new LinkedHashMap<>();
        activeTasks(ours).forEach((job, tasks) -> out.putAll(tasks));
        return out;
    }

    /**
     * Queued or running tasks of these jobs: job id → (array index → Slurm state). Empty when squeue is
     * missing or does not answer.
     */
    public Map<String, Map<Integer, String>> activeTasks(Set<String> ours) {
        Map<String, Map<Integer, String>> out = new LinkedHashMap<>();
        if (ours.isEmpty()) {
            return out;
        }
        Output o;
        try {
            o = run(null, List.of("squeue", "--noheader", "--me", "--array", "--format=%i|%T"));
        } catch (IOException e) {
            return out;
        }
        if (o.code() != 0) {
            return out;
        }
        for (String line : o.out().lines().toList()) {
            String[] f = line.trim().split("\\|");
            if (f.length < 2) {
                continue;
            }
            int us = f[0].indexOf('_');
            if (us < 0 || !ours.contains(f[0].substring(0, us))) {
                continue;
            }
            Map<Integer, String> tasks = out.computeIfAbsent(f[0].substring(0, us), k -> new LinkedHashMap<>());
            for (int i : SlurmJob.parseArrayList(f[0].substring(us + 1))) {
                tasks.put(i, f[1].trim());
            }
        }
        return out;
    }

    /**
     * How the ended tasks of this study's jobs ended, by run index → state (COMPLETED, FAILED, CANCELLED,
     * TIMEOUT, OUT_OF_MEMORY…), from sacct; empty where the cluster keeps no accounting.
     */
    public Map<Integer, String> endedTasks(Study study) {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (Study.Submission s : study.submissions()) {
            Output o;
            try {
                o = run(null, List.of("sacct", "--noheader", "--parsable2", "--jobs=" + s.jobId(),
                        "--format=JobID,State"));
            } catch (IOException e) {
                return out;
            }
            if (o.code() != 0) {
                continue;
            }
            for (String line : o.out().lines().toList()) {
                String[] f = line.trim().split("\\|");
                if (f.length < 2 || f[0].contains(".")) {
                    continue; // steps (JOB_1.batch) repeat their task's state
                }
                int us = f[0].indexOf('_');
                if (us < 0) {
                    continue;
                }
                for (int i : SlurmJob.parseArrayList(f[0].substring(us + 1))) {
                    out.put(i, f[1].trim().split(" ")[0]);
                }
            }
        }
        return out;
    }
}
