package org.inductionlab.engine.lab.study;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.eval.SweepShards;
import org.inductionlab.engine.lab.ShardedSweep;
import org.inductionlab.engine.run.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A run's sharded sweep as a Slurm job array: one array task per shard still to measure, each calling the
 * lab's own {@code eval --shard-task} with the plan file, with the task's CPUs as its threads. The script
 * goes to {@code shards/slurm/job-HASH.sh} in the run folder, with the same checked options and quoting as
 * a study's ({@link SlurmJob}); the jobs submitted are kept in {@code shards/submissions.json}, so a later
 * submission leaves the shards that are queued or running to them.
 */
public final class ShardJob {

    public static final String SUBMISSIONS = "submissions.json";

    private ShardJob() {}

    /** An array submitted for some shards of a plan: array index i measures shard i of the plan. */
    public record Submission(@JsonProperty("job_id") String jobId, @JsonProperty("plan") String plan,
                             @JsonProperty("indices") List<Integer> indices, @JsonProperty("shards") List<String> shards,
                             @JsonProperty("dependency") String dependency,
                             @JsonProperty("submitted") String submitted) {}

    /** What a submission did: the job, the run, the shards in it, and its script. */
    public record Submitted(String jobId, Path run, List<SweepShards.Shard> shards, Path script) {}

    /** The arrays submitted for this run's shards, oldest first. */
    public static List<Submission> submissions(Path run) {
        Path file = run.resolve(ShardedSweep.DIR).resolve(SUBMISSIONS);
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            return Study.JSON.readValue(file.toFile(), new TypeReference<List<Submission>>() { });
        } catch (IOException e) {
            return List.of(); // damaged: the lock files and the results still tell what they can
        }
    }

    /**
     * The shards of this run that a Slurm queue holds now, by name → PENDING, RUNNING, …; empty without
     * Slurm ({@code slurm} null) or submissions.
     */
    public static Map<String, String> queued(Path run, Slurm slurm) {
        Map<String, String> out = new LinkedHashMap<>();
        List<Submission> subs = submissions(run);
        if (slurm == null || subs.isEmpty()) {
            return out;
        }
        Set<String> ids = new HashSet<>();
        subs.forEach(s -> ids.add(s.jobId()));
        Map<String, Map<Integer, String>> active = slurm.activeTasks(ids);
        for (Submission s : subs) {
            Map<Integer, String> tasks = active.get(s.jobId());
            if (tasks == null) {
                continue;
            }
            for (int k = 0; k < s.indices().size() && k < s.shards().size(); k++) {
                String state = tasks.get(s.indices().get(k));
                if (state != null) {
                    out.put(s.shards().get(k), state);
                }
            }
        }
        return out;
    }

    /** The job script for {@code sweep}'s plan, running the lab by {@code lab} (quoted word by word). */
    public static String script(ShardedSweep sweep, SlurmJob.Options o, List<String> lab) {
        String name = sweep.folder().name().replaceAll("[^A-Za-z0-9_.-]", "-");
        StringBuilder s = new StringBuilder("#!/bin/bash\n");
        s.append("# Induction Lab: the sweep of run '").append(name).append("' in shards, one array task per shard of\n")
                .append("# ").append(sweep.planFile()).append(": task i measures shard i and writes its result to ")
                .append(ShardedSweep.DIR).append("/;\n")
                .append("# the task that completes a length merges it into sweep.csv.\n")
                .append("# Submit from the run folder, e.g.   sbatch --array=0-").append(sweep.shards().size() - 1)
                .append(' ').append(scriptPath(sweep)).append('\n')
                .append("# Adapt the #SBATCH lines and the module lines to your cluster.\n");
        SlurmJob.directives(s, o, "il-shards-" + name, ShardedSweep.DIR + "/" + ShardedSweep.LOGS + "/slurm-%A_%a.out");
        SlurmJob.setup(s, o, sweep.run(), "the task stops and leaves no result; the next submission measures its shard");
        s.append("exec");
        for (String w : lab) {
            s.append(' ').append(SlurmJob.quote(w));
        }
        for (String a : LocalShardRunner.taskArguments(".", sweep.planFile(), "\"$SLURM_ARRAY_TASK_ID\"", "\"$THREADS\"")) {
            s.append(' ').append(a.startsWith("\"$") ? a : SlurmJob.quote(a));
        }
        return s.append('\n').toString();
    }

    private static String scriptPath(ShardedSweep sweep) {
        return ShardedSweep.DIR + "/" + Study.SLURM + "/" + sweep.planFile().replaceFirst(".*plan-", "job-")
                .replaceFirst("\\.json$", ".sh");
    }

    /**
     * Writes the job script and submits every shard that has no result, that no task measures and that no
     * earlier submission holds in the queue. {@code dependency} (or null) goes to sbatch as
     * {@code --dependency}, with the array cancelled when it can no longer be met (a study's shards wait for
     * their run's training). Returns null when there is nothing to submit.
     */
    public static Submitted submit(ShardedSweep sweep, SlurmJob.Options o, List<String> lab, Slurm slurm,
                                   String dependency) throws IOException {
        return submit(sweep, o, lab, slurm, dependency, s -> true);
    }

    /** {@link #submit(ShardedSweep, SlurmJob.Options, List, Slurm, String)} for the {@code wanted} shards only. */
    public static Submitted submit(ShardedSweep sweep, SlurmJob.Options o, List<String> lab, Slurm slurm,
                                   String dependency, java.util.function.Predicate<SweepShards.Shard> wanted)
            throws IOException {
        if (dependency != null && !dependency.matches("(afterok|afterany):\\d+(_\\d+)?")) {
            throw new InvalidConfigException("dependency", "'" + dependency + "' is not a dependency this lab writes");
        }
        List<SweepShards.Shard> todo = sweep.todo(queued(sweep.run(), slurm).keySet()).stream().filter(wanted).toList();
        if (todo.isEmpty()) {
            return null;
        }
        Path script = sweep.run().resolve(scriptPath(sweep));
        Files.createDirectories(script.getParent());
        Files.createDirectories(sweep.logs());
        String text = script(sweep, o, lab);
        AtomicFiles.write(script, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
        script.toFile().setExecutable(true);
        List<Integer> indices = todo.stream().map(SweepShards.Shard::index).toList();
        List<String> args = new ArrayList<>();
        args.add("--array=" + SlurmJob.arrayList(indices) + (o.maxParallel() > 0 ? "%" + o.maxParallel() : ""));
        if (dependency != null) {
            args.add("--dependency=" + dependency);
            args.add("--kill-on-invalid-dep=yes");
        }
        args.add(scriptPath(sweep));
        String jobId = slurm.sbatch(sweep.run(), args);
        record(sweep.run(), new Submission(jobId, sweep.planFile(), indices,
                todo.stream().map(SweepShards.Shard::name).toList(), dependency, Instant.now().toString()));
        return new Submitted(jobId, sweep.run(), todo, script);
    }

    private static synchronized void record(Path run, Submission s) throws IOException {
        List<Submission> all = new ArrayList<>(submissions(run));
        all.add(s);
        AtomicFiles.write(run.resolve(ShardedSweep.DIR).resolve(SUBMISSIONS), out -> Study.JSON.writeValue(out, all));
    }
}
