package org.inductionlab.cli;

import org.inductionlab.engine.eval.SweepShards;
import org.inductionlab.engine.lab.ShardedSweep;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.lab.study.ShardJob;
import org.inductionlab.engine.lab.study.Slurm;
import org.inductionlab.engine.lab.study.SlurmJob;
import org.inductionlab.engine.lab.study.Study;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.inductionlab.cli.CliTest.run;
import static org.inductionlab.cli.StudyCommandTest.lab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sweep in shards — here N at a time, and as a job array of a real single-node Slurm — merges into the
 * same sweep.csv rows as one unsharded eval of the same settings, and a shard that died is measured again
 * by the next submission while no other shard is. The model is the shipped demo run trained at 256, at
 * 2^10 and 2^11 where it answers about a third right (so the counts say something), 64 sequences per
 * length in shards of 32: four shards, two per length.
 */
class ShardedEvalTest {

    static final String[] SWEEP = {"--min-exp", "10", "--max-exp", "11", "--seqs", "64", "--layout", "anywhere",
            "--seed", "7"};
    static final String[] SHARDS = {"--shards", "--shard-seqs", "32"};

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    /** sweep.csv of one unsharded eval with {@link #SWEEP}: what every sharded sweep must merge into. */
    static List<String> unsharded;

    @BeforeAll
    static void measureUnsharded() throws IOException {
        Path run = demoRun(shared.resolve("unsharded"));
        CliTest.Result r = run(args(run, SWEEP));
        assertEquals(0, r.code(), r.out() + r.err());
        unsharded = withoutSeconds(run);
        assertEquals(List.of("1024,anywhere,64", "2048,anywhere,64"),
                unsharded.stream().map(l -> l.substring(0, l.indexOf(",64,") + 3)).toList());
    }

    /** The demo run trained at 256 (weights and settings only, no sweep), copied to {@code dir}. */
    static Path demoRun(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String f : new String[] {RunFolder.CONFIG, RunFolder.CHECKPOINT}) {
            Files.copy(Path.of("resources/demo-runs/demo-induction-256").resolve(f), dir.resolve(f));
        }
        return dir;
    }

    /** sweep.csv's rows without the seconds column (a sharded length's seconds are its shards' added up). */
    static List<String> withoutSeconds(Path run) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve(RunFolder.SWEEP))) {
            List<String> f = new ArrayList<>(Arrays.asList(line.split(",")));
            f.remove(7);
            out.add(String.join(",", f));
        }
        return out.subList(1, out.size());
    }

    static String[] args(Path run, String[]... parts) {
        List<String> a = new ArrayList<>(List.of("eval", "--run", run.toString()));
        for (String[] p : parts) {
            a.addAll(List.of(p));
        }
        return a.toArray(new String[0]);
    }

    static ShardedSweep sweep(Path run) throws IOException {
        List<ShardedSweep> plans = ShardedSweep.plans(run);
        assertEquals(1, plans.size());
        return plans.get(0);
    }

    static Map<String, FileTime> resultTimes(ShardedSweep sweep) throws IOException {
        Map<String, FileTime> out = new LinkedHashMap<>();
        for (SweepShards.Shard s : sweep.shards()) {
            if (Files.exists(sweep.resultFile(s))) {
                out.put(s.name(), Files.getLastModifiedTime(sweep.resultFile(s)));
            }
        }
        return out;
    }

    @Test
    void shardsMeasuredHereMergeIntoTheUnshardedSweep() throws IOException {
        Path run = demoRun(tmp.resolve("local"));
        CliTest.Result r = run(args(run, SWEEP, SHARDS, new String[] {"--local", "2"}));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("in 4 shards") && r.out().contains("4 shards measured, 0 not"), r.out());
        assertEquals(unsharded, withoutSeconds(run), "the same counts and Wilson intervals as one unsharded eval");

        ShardedSweep sweep = sweep(run);
        assertEquals(List.of("L-1024_anywhere_s7_0-31", "L-1024_anywhere_s7_32-63", "L-2048_anywhere_s7_0-31",
                "L-2048_anywhere_s7_32-63"), sweep.shards().stream().map(SweepShards.Shard::name).toList());
        int correct = 0;
        for (SweepShards.Shard s : sweep.shards().subList(2, 4)) {
            ShardedSweep.Result res = sweep.result(s);
            assertEquals(32, res.sequences());
            assertEquals(7, res.seed());
            assertEquals("fp32", res.precision());
            assertTrue(res.seconds() > 0);
            correct += res.correct();
        }
        assertEquals(unsharded.get(1).split(",")[3], Integer.toString(correct), "2^11's shards add up to its row");

        CliTest.Result again = run(args(run, SWEEP, SHARDS, new String[] {"--local", "2"}));
        assertTrue(again.out().contains("0 shards to measure, 4 measured already"), again.out());
        CliTest.Result status = run("eval", "--run", run.toString(), "--status");
        assertEquals(0, status.code(), status.err());
        assertTrue(status.out().contains("shards: 4 measured, 0 running, 0 queued, 0 waiting"), status.out());
    }

    /**
     * One at a time, the last shard's task is killed (SIGKILL) once it holds its shard: the others keep
     * their results, 2^11 waits; the next submission measures that shard alone. A deleted result is
     * measured again the same way.
     */
    @Test
    void aKilledShardIsMeasuredAgainAndNothingElseIs() throws Exception {
        Path run = demoRun(tmp.resolve("killed"));
        Path log = tmp.resolve("runner.log");
        Process runner = lab(List.of(args(run, SWEEP, SHARDS, new String[] {"--local", "1"})), Map.of(), log);
        Path victimLock = run.resolve("shards/locks/L-2048_anywhere_s7_32-63.lock");
        waitFor(() -> pidIn(victimLock) > 0, 240, "the last shard starts", log);
        long pid = pidIn(victimLock);
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false), "the shard task was killed");
        assertTrue(runner.waitFor(120, TimeUnit.SECONDS), "the runner ends");
        String out = Files.readString(log);
        assertEquals(1, runner.exitValue(), out);
        assertTrue(out.contains("3 shards measured, 1 not"), out);
        ShardedSweep sweep = sweep(run);
        SweepShards.Shard victim = sweep.shard(3);
        assertFalse(Files.exists(sweep.resultFile(victim)), "killed before its result: " + out);
        assertEquals(List.of(unsharded.get(0)), withoutSeconds(run), "only the complete length is merged");

        CliTest.Result status = run("eval", "--run", run.toString(), "--status");
        assertTrue(status.out().contains("waiting (1 of 2 shards measured)")
                && status.out().contains("shards: 3 measured, 0 running, 0 queued, 1 waiting"), status.out());

        Map<String, FileTime> before = resultTimes(sweep);
        assertEquals(3, before.size());
        CliTest.Result again = run(args(run, SWEEP, SHARDS, new String[] {"--local", "2"}));
        assertEquals(0, again.code(), again.out() + again.err());
        assertTrue(again.out().contains("1 shards to measure, 3 measured already"), again.out());
        Map<String, FileTime> after = resultTimes(sweep);
        before.forEach((name, time) -> assertEquals(time, after.get(name), name + " was not measured again"));
        assertTrue(after.containsKey(victim.name()));
        assertEquals(unsharded, withoutSeconds(run));

        SweepShards.Shard deleted = sweep.shard(0);
        Files.delete(sweep.resultFile(deleted));
        Map<String, FileTime> kept = resultTimes(sweep);
        CliTest.Result third = run(args(run, SWEEP, SHARDS, new String[] {"--local", "2"}));
        assertTrue(third.out().contains("1 shards to measure, 3 measured already"), third.out());
        Map<String, FileTime> now = resultTimes(sweep);
        kept.forEach((name, time) -> assertEquals(time, now.get(name), name + " was not measured again"));
        assertTrue(now.containsKey(deleted.name()));
        assertEquals(unsharded, withoutSeconds(run));
    }

    /**
     * Through a real Slurm (munge + slurmctld + slurmd on this machine): the shards are one job array; the
     * last shard's task is cancelled once it runs; resubmitting holds that shard alone, and the merged
     * sweep.csv is the unsharded one.
     */
    @Test
    void shardsRunAsASlurmJobArrayAndACancelledShardIsMeasuredAgain() throws Exception {
        try (LocalSlurm slurm = LocalSlurm.start()) {
            Path run = demoRun(tmp.resolve("slurm"));
            Path out = tmp.resolve("submit.log");
            String[] where = {"--slurm", "--cpus", "1"};
            assertEquals(0, lab(List.of(args(run, SWEEP, SHARDS, where)), slurm.environment(), out).waitFor(),
                    Files.readString(out));
            String submitted = Files.readString(out);
            assertTrue(submitted.contains("submitted job ") && submitted.contains("4 shards (array 0-3)"), submitted);
            List<ShardJob.Submission> subs = ShardJob.submissions(run);
            String job = subs.get(0).jobId();
            ShardedSweep sweep = sweep(run);
            String script = Files.readString(run.resolve("shards/slurm/" + sweep.planFile()
                    .replaceFirst(".*plan-", "job-").replace(".json", ".sh")));
            assertTrue(script.contains("#SBATCH --cpus-per-task=1") && script.contains("'--shard-task' \"$SLURM_ARRAY_TASK_ID\""),
                    script);

            SweepShards.Shard victim = sweep.shard(3);
            Slurm client = new Slurm(slurm.environment());
            waitFor(() -> sweep.isRunning(victim), 240, "the last shard starts", slurm.logs().resolve("slurmd.log"));
            assertEquals(0, client.run(null, List.of("scancel", job + "_3")).code());
            waitFor(() -> ShardJob.queued(run, client).isEmpty() && !sweep.isRunning(victim), 240,
                    "the array's tasks end", slurm.logs().resolve("slurmctld.log"));
            assertFalse(Files.exists(sweep.resultFile(victim)), "cancelled before its result: "
                    + Files.readString(run.resolve("shards/logs/slurm-" + job + "_3.out")));
            for (SweepShards.Shard s : sweep.shards().subList(0, 3)) {
                assertTrue(sweep.result(s) != null, s.name() + " measured under Slurm: "
                        + Files.readString(run.resolve("shards/logs/slurm-" + job + "_" + s.index() + ".out")));
            }
            Path st = tmp.resolve("status.log");
            lab(List.of("eval", "--run", run.toString(), "--status"), slurm.environment(), st).waitFor();
            assertTrue(Files.readString(st).contains("shards: 3 measured, 0 running, 0 queued, 1 waiting"),
                    Files.readString(st));

            Map<String, FileTime> before = resultTimes(sweep);
            Path again = tmp.resolve("again.log");
            assertEquals(0, lab(List.of(args(run, SWEEP, SHARDS, where)), slurm.environment(), again).waitFor(),
                    Files.readString(again));
            assertTrue(Files.readString(again).contains("1 shards (array 3)"), Files.readString(again));
            String job2 = ShardJob.submissions(run).get(1).jobId();
            assertNotEquals(job, job2);
            waitFor(() -> ShardJob.queued(run, client).isEmpty() && sweep.result(victim) != null, 240,
                    "the shard is measured", run.resolve("shards/logs/slurm-" + job2 + "_3.out"));
            Map<String, FileTime> after = resultTimes(sweep);
            before.forEach((name, time) -> assertEquals(time, after.get(name), name + " was not measured again"));
            assertEquals(unsharded, withoutSeconds(run), "merged under Slurm into the unsharded sweep.csv");
        }
    }

    /**
     * A study can ask for its sweeps in shards: status names the points still waiting after training, the
     * local run measures them shard by shard, and a Slurm job script leaves them to their own array.
     */
    @Test
    void aStudyMeasuresItsSweepInShards() throws Exception {
        Path dir = shardedStudy();
        Study study = Study.open(dir);
        assertEquals(32, study.evaluation().shardSequences());
        String script = SlurmJob.script(study, SlurmJob.Options.defaults(), List.of("lab"));
        assertTrue(script.endsWith("'--threads' \"$THREADS\" '--train-only'\n"), script);

        CliTest.Result task = run("study", "task", dir.toString(), "--index", "0", "--train-only");
        assertEquals(0, task.code(), task.out() + task.err());
        assertTrue(task.out().contains("its sweep is measured in shards"), task.out());
        CliTest.Result status = run("study", "status", dir.toString());
        assertTrue(status.out().contains("trained; sweep: 0 points measured; waiting 2^10 anywhere (0 of 2 shards measured)"),
                status.out());

        CliTest.Result r = run("study", "run", dir.toString(), "--local", "1");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("1 finished, 0 not finished"), r.out());
        Path runDir = study.runPath(0);
        ShardedSweep sweep = ShardedSweep.of(runDir, study.evaluation().shardSettings(RunFolder.open(runDir).hyperparameters()));
        assertEquals(2, sweep.shards().size());
        for (SweepShards.Shard s : sweep.shards()) {
            assertTrue(sweep.result(s) != null, s.name());
        }
        assertEquals(1, RunFolder.open(runDir).readSweep().size());
        assertEquals(64, RunFolder.open(runDir).readSweep().get(0).sequences());
        assertTrue(run("study", "status", dir.toString()).out().contains("1 done, 0 running, 0 failed, 0 waiting"));
    }

    /** Under Slurm a sharded study is a training array and, per run, a shard array that waits for its training. */
    @Test
    void aShardedStudyUnderSlurmWaitsForTrainingThenMeasuresItsShards() throws Exception {
        try (LocalSlurm slurm = LocalSlurm.start()) {
            Path dir = shardedStudy();
            Path out = tmp.resolve("submit.log");
            assertEquals(0, lab(List.of("study", "run", dir.toString(), "--slurm", "--cpus", "1"), slurm.environment(), out)
                    .waitFor(), Files.readString(out));
            String submitted = Files.readString(out);
            assertTrue(submitted.contains("1 runs (array 0)") && submitted.contains("2 sweep shards of 0 (array 0-1)"),
                    submitted);
            Study study = Study.open(dir);
            Path runDir = study.runPath(0);
            List<ShardJob.Submission> subs = ShardJob.submissions(runDir);
            assertEquals("afterok:" + study.submissions().get(0).jobId() + "_0", subs.get(0).dependency());
            waitFor(() -> {
                try {
                    return org.inductionlab.engine.lab.study.StudyTask.isDone(study, 0);
                } catch (IOException | RuntimeException e) {
                    return false;
                }
            }, 300, "the run is trained and its shards measured", slurm.logs().resolve("slurmctld.log"));
            assertEquals(64, RunFolder.open(runDir).readSweep().get(0).sequences());
            String trainLog = Files.readString(dir.resolve("logs/slurm-" + study.submissions().get(0).jobId() + "_0.out"));
            assertTrue(trainLog.contains("its sweep is measured in shards"), trainLog);
        }
    }

    /** One tiny run, 40 steps, measured at 2^10 on 64 sequences in shards of 32. */
    private Path shardedStudy() throws IOException {
        Path spec = tmp.resolve("sharded.json");
        Files.writeString(spec, "{\"preset\": \"tiny\", \"set\": {\"max_steps\": 40, \"checkpoint_every\": 20,"
                + " \"layout\": \"anywhere\"}, \"eval\": {\"min_exp\": 10, \"max_exp\": 10, \"sequences\": 64,"
                + " \"shard_sequences\": 32}}");
        Path dir = tmp.resolve("study");
        assertEquals(0, run("study", "plan", spec.toString(), "--out", dir.toString()).code());
        return dir;
    }

    private static long pidIn(Path lockFile) {
        try {
            String s = Files.readString(lockFile).trim();
            return s.contains("@") ? Long.parseLong(s.split("@")[0]) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static void waitFor(BooleanSupplier condition, int seconds, String what, Path log) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(what + " within " + seconds + " s; "
                        + (Files.exists(log) ? Files.readString(log) : "no " + log));
            }
            Thread.sleep(50);
        }
    }
}
