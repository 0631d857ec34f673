package org.inductionlab.engine.lab.study;

import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.platform.NativeTuning;
import org.inductionlab.engine.run.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A study as a Slurm job array: one array task per unfinished run, each calling the lab's own
 * {@code study task} on its run folder (train or resume, then the sweep), with the task's CPUs as its
 * threads. The script is written to {@code slurm/job.sh} in the study — a plain script a student can read
 * and adapt to their cluster — and submitted with {@code sbatch --array}.
 *
 * <p>Nothing reaches the script unchecked: every option is matched against what Slurm accepts for it
 * (bad input naming the option otherwise), and every path and word of the lab's command is single-quoted,
 * so a folder name with spaces, quotes, {@code ;} or {@code $(…)} stays data.
 */
public final class SlurmJob {

    /** What the job asks of the cluster; null or 0 leaves a setting to the cluster's defaults. */
    public record Options(String partition, String time, int cpus, int gpus, String memory, String account,
                          String qos, List<String> modules, int maxParallel) {

        private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.,-]{0,63}");
        private static final Pattern TIME = Pattern.compile("(\\d{1,3}-)?\\d{1,4}(:\\d{1,2}){0,2}");
        private static final Pattern MEMORY = Pattern.compile("\\d{1,9}[KMGT]?");
        private static final Pattern MODULE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+/-]{0,127}");

        public Options {
            check("partition", partition, NAME, "letters, digits, '_', '.', ',' and '-'");
            check("time", time, TIME, "minutes, MM:SS, HH:MM:SS or D-HH:MM:SS");
            check("mem", memory, MEMORY, "a size such as 4G or 4000M");
            check("account", account, NAME, "letters, digits, '_', '.', ',' and '-'");
            check("qos", qos, NAME, "letters, digits, '_', '.', ',' and '-'");
            if (cpus < 1 || cpus > 256) {
                throw new InvalidConfigException("cpus", cpus + " is out of range (allowed: 1..256 per task)");
            }
            if (gpus < 0 || gpus > 16) {
                throw new InvalidConfigException("gpus", gpus + " is out of range (allowed: 0..16 per task)");
            }
            if (maxParallel < 0 || maxParallel > 10_000) {
                throw new InvalidConfigException("max-parallel", maxParallel + " is out of range (allowed: 1..10000, or 0 for no limit)");
            }
            modules = modules == null ? List.of() : List.copyOf(modules);
            for (String m : modules) {
                check("module", m, MODULE, "a module name such as Java/17 or java/17.0.2");
            }
        }

        private static void check(String option, String value, Pattern allowed, String words) {
            if (value != null && !allowed.matcher(value).matches()) {
                throw new InvalidConfigException(option, "'" + value + "' is not allowed (allowed: " + words + ")");
            }
        }

        /** Defaults: 2 CPUs per task, nothing else asked. */
        public static Options defaults() {
            return new Options(null, null, 2, 0, null, null, null, List.of(), 0);
        }
    }

    private SlurmJob() {}

    /** The job script for {@code study}, running the lab by {@code lab} (quoted word by word). */
    public static String script(Study study, Options o, List<String> lab) {
        StringBuilder s = new StringBuilder("#!/bin/bash\n");
        s.append("# Induction Lab study '").append(study.name()).append("': one array task per run of study.json;\n")
                .append("# task i trains run i (or resumes it from its checkpoint) and then evaluates it.\n")
                .append("# Submit from the study folder, e.g.   sbatch --array=0-").append(study.runs().size() - 1)
                .append(" slurm/job.sh\n")
                .append("# Adapt the #SBATCH lines and the module lines to your cluster.\n");
        directives(s, o, "il-" + study.name(), "logs/slurm-%A_%a.out");
        setup(s, o, study.path(), "the task stops after its step and keeps a checkpoint");
        s.append("exec");
        for (String w : lab) {
            s.append(' ').append(quote(w));
        }
        List<String> args = new ArrayList<>(LocalStudyRunner.taskArguments(".", "\"$SLURM_ARRAY_TASK_ID\"", "\"$THREADS\""));
        if (study.evaluation().sharded()) {
            args.add("--train-only"); // the run's shards are an array of their own, waiting for this task
        }
        for (String a : args) {
            s.append(' ').append(a.startsWith("\"$") ? a : quote(a));
        }
        return s.append('\n').toString();
    }

    /** The #SBATCH lines of a lab job: its name, output, CPUs and what {@code o} asks of the cluster. */
    static void directives(StringBuilder s, Options o, String jobName, String output) {
        s.append("#SBATCH --job-name=").append(jobName).append('\n');
        s.append("#SBATCH --output=").append(output).append('\n');
        s.append("#SBATCH --cpus-per-task=").append(o.cpus()).append('\n');
        s.append("#SBATCH --ntasks=1\n");
        if (o.partition() != null) {
            s.append("#SBATCH --partition=").append(o.partition()).append('\n');
        }
        if (o.time() != null) {
            s.append("#SBATCH --time=").append(o.time()).append('\n');
        }
        if (o.memory() != null) {
            s.append("#SBATCH --mem=").append(o.memory()).append('\n');
        }
        if (o.gpus() > 0) {
            s.append("#SBATCH --gres=gpu:").append(o.gpus()).append('\n');
        }
        if (o.account() != null) {
            s.append("#SBATCH --account=").append(o.account()).append('\n');
        }
        if (o.qos() != null) {
            s.append("#SBATCH --qos=").append(o.qos()).append('\n');
        }
    }

    /** What a lab task does before the lab starts: modules, the folder, threads = the task's CPUs. */
    static void setup(StringBuilder s, Options o, Path folder, String onTerm) {
        s.append("# scancel sends SIGTERM first: ").append(onTerm).append('\n');
        s.append("#SBATCH --signal=B:TERM@60\n");
        s.append("set -eu\n");
        for (String m : o.modules()) {
            s.append("module load ").append(quote(m)).append('\n');
        }
        s.append("cd ").append(quote(folder.toAbsolutePath().toString())).append('\n');
        s.append("THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"\n");
        for (Map.Entry<String, String> e : NativeTuning.ENVIRONMENT.entrySet()) {
            s.append("export ").append(e.getKey()).append('=').append(quote(e.getValue())).append('\n');
        }
        s.append("export OMP_NUM_THREADS=\"$THREADS\" MKL_NUM_THREADS=\"$THREADS\"\n");
    }

    /** {@code word} in single quotes for bash: every character stays data. */
    public static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** "0-3,5,7-8": Slurm's --array list for these run indices. */
    public static String arrayList(List<Integer> indices) {
        List<Integer> sorted = indices.stream().sorted().distinct().toList();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < sorted.size(); ) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
                j++;
            }
            if (s.length() > 0) {
                s.append(',');
            }
            s.append(sorted.get(i));
            if (j > i) {
                s.append('-').append(sorted.get(j));
            }
            i = j + 1;
        }
        return s.toString();
    }

    /** The runs a --array list (as squeue prints it: "[0-3%2]", "5", "1,4-6") names. */
    public static List<Integer> parseArrayList(String list) {
        String l = list.replace("[", "").replace("]", "");
        int pct = l.indexOf('%');
        if (pct >= 0) {
            l = l.substring(0, pct);
        }
        List<Integer> out = new ArrayList<>();
        for (String part : l.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] ab = part.split("-");
            try {
                int a = Integer.parseInt(ab[0].trim());
                int b = ab.length > 1 ? Integer.parseInt(ab[1].trim().split(":")[0]) : a;
                for (int i = a; i <= b && out.size() < StudySpec.MAX_RUNS; i++) {
                    out.add(i);
                }
            } catch (NumberFormatException e) {
                // not a list we understand: name nothing
            }
        }
        return out;
    }

    /**
     * What a submission did: the job id and the runs it trains (null and empty when none needed training),
     * and the shard arrays of sharded sweeps (each waiting for its run's training where it is in this job).
     */
    public record Submitted(String jobId, List<Integer> runs, Path script, List<ShardJob.Submitted> shards) {}

    /**
     * Writes the job script and submits every run that is not finished and not already queued or running
     * in an earlier job of this study. Returns null when there is nothing to submit.
     */
    public static Submitted submit(Study study, Options o, List<String> lab, Slurm slurm) throws IOException {
        Map<Integer, String> active = slurm.activeTasks(study);
        boolean sharded = study.evaluation().sharded();
        List<Integer> todo = new ArrayList<>();
        List<Integer> sweepOnly = new ArrayList<>(); // trained runs of a sharded study: their shards only
        for (int i = 0; i < study.runs().size(); i++) {
            if (!StudyTask.isDone(study, i) && !active.containsKey(i) && !StudyTask.isRunning(study.runPath(i))) {
                (sharded && StudyTask.isTrained(study, i) ? sweepOnly : todo).add(i);
            }
        }
        String jobId = null;
        Path script = null;
        if (!todo.isEmpty()) {
            script = submitTraining(study, o, lab, slurm, todo);
            jobId = study.submissions().get(study.submissions().size() - 1).jobId();
        }
        List<ShardJob.Submitted> shards = new ArrayList<>();
        if (sharded) {
            for (int i : todo) {
                submitShards(study, i, o, lab, slurm, "afterok:" + jobId + "_" + i, shards);
            }
            for (int i : sweepOnly) {
                submitShards(study, i, o, lab, slurm, null, shards);
            }
        }
        return jobId == null && shards.isEmpty() ? null : new Submitted(jobId, todo, script, List.copyOf(shards));
    }

    private static void submitShards(Study study, int i, Options o, List<String> lab, Slurm slurm, String dependency,
                                     List<ShardJob.Submitted> out) throws IOException {
        Path run = study.runPath(i);
        var folder = org.inductionlab.engine.run.RunFolder.open(run);
        var sweep = org.inductionlab.engine.lab.ShardedSweep.plan(run, study.evaluation().shardSettings(folder.hyperparameters()));
        sweep.merge(); // a length whose last task died between its result and the merge
        ShardJob.Submitted s = ShardJob.submit(sweep, o, lab, slurm, dependency,
                StudyTask.missingShards(study.evaluation(), org.inductionlab.engine.run.RunFolder.open(run)));
        if (s != null) {
            out.add(s);
        }
    }

    /** Writes the study's job script and submits the runs {@code todo} as one array; returns the script. */
    private static Path submitTraining(Study study, Options o, List<String> lab, Slurm slurm, List<Integer> todo)
            throws IOException {
        Path script = study.path().resolve(Study.SLURM).resolve("job.sh");
        Files.createDirectories(script.getParent());
        Files.createDirectories(study.logs());
        String text = script(study, o, lab);
        AtomicFiles.write(script, out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        script.toFile().setExecutable(true);
        String array = arrayList(todo) + (o.maxParallel() > 0 ? "%" + o.maxParallel() : "");
        String jobId = slurm.sbatch(study.path(), List.of("--array=" + array, Study.SLURM + "/job.sh"));
        study.recordSubmission(new Study.Submission(jobId, todo, Study.SLURM + "/job.sh", Instant.now().toString()));
        return script;
    }
}
