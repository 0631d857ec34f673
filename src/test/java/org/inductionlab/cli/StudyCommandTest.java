package org.inductionlab.cli;

import org.inductionlab.engine.platform.NativeTuning;
import org.inductionlab.engine.run.MetricsRow;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunStatus;
import org.inductionlab.engine.lab.study.SlurmJob;
import org.inductionlab.engine.lab.study.Study;
import org.inductionlab.engine.lab.study.StudyTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.inductionlab.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Studies end to end: plan, run here and through a real local Slurm, kill and resume, status, table. */
class StudyCommandTest {

    @TempDir
    Path tmp;

    /**
     * The example study, made quick and of a known length: 600 steps each, checkpoints every 50, and the
     * trigger anywhere, which the tiny model does not learn in 600 steps, so no run stops early.
     */
    static final String[] QUICK = {"--set", "max_steps=600", "--set", "target=1", "--set", "checkpoint_every=50",
            "--set", "window=20", "--set", "layout=anywhere"};

    private Path plan(String name) {
        Path dir = tmp.resolve(name);
        List<String> args = new ArrayList<>(List.of("study", "plan", "tiny-lr-seeds", "--out", dir.toString()));
        args.addAll(List.of(QUICK));
        CliTest.Result r = run(args.toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("4 runs: study tiny-lr-seeds, preset tiny, varying lr × seed"), r.out());
        return dir;
    }

    @Test
    void aSpecIsCheckedBeforeAnythingIsWritten() throws IOException {
        record Bad(String json, String says) {}
        List<Bad> cases = List.of(
                new Bad("{\"preset\": \"tiny\", \"gird\": {}}", "gird: unknown key in the study"),
                new Bad("{\"preset\": \"tiny\", \"grid\": {\"lr\": [\"0.001; rm -rf ~\"]}}", "grid.lr:"),
                new Bad("{\"preset\": \"tiny\", \"grid\": {\"lr$(touch pwned)\": [0.1]}}", "grid.lr$(touch pwned): unknown key"),
                new Bad("{\"name\": \"../evil\", \"preset\": \"tiny\"}", "name: '../evil' cannot name a study folder"),
                new Bad("{\"preset\": \"tiny\", \"runs\": [{\"name\": \"a b\", \"lr\": 0.1}]}", "runs[0].name: 'a b' cannot name runs"),
                new Bad("{\"preset\": \"tiny\", \"grid\": {\"layout\": [\"fixed:5\", \"$(id)\"]}}", "grid.layout:"),
                new Bad("{\"preset\": \"tiny\", \"eval\": {\"max_exp\": 40}}", "eval.max_exp: 40 is out of range"),
                new Bad("{\"preset\": \"tiny\", \"eval\": {\"layouts\": [\"sideways\"]}}", "eval.layouts:"),
                new Bad("{\"preset\": \"tiny\", \"grid\": {\"heads\": [3]}}", "run 0 "),
                new Bad("{\"preset\": \"tiny\", \"grid\": {\"seed\": [1]}, \"seeds\": [0]}", "seeds: seed is also given"),
                new Bad("{\"preset\": \"tiny\", \"seeds\": [0, 0]}", "seeds: 0 is listed twice"));
        for (Bad b : cases) {
            Path spec = tmp.resolve("spec.json");
            Files.writeString(spec, b.json());
            Path out = tmp.resolve("study-out");
            CliTest.Result r = run("study", "plan", spec.toString(), "--out", out.toString());
            assertEquals(2, r.code(), b.json() + " -> " + r.out() + r.err());
            assertTrue(r.err().startsWith("induction-lab: " + b.says()), b.json() + " -> " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(Files.exists(out), "nothing written for " + b.json());
        }
        var minimal = org.inductionlab.engine.lab.study.StudySpec.parse(
                new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"preset\": \"tiny\"}"), "m", null);
        assertEquals(1, minimal.points().size(), "no grid, no seeds: one run");
        assertEquals(6, minimal.evaluation().minExp());
        assertEquals(12, minimal.evaluation().maxExp(), "the same longest length on every machine of a study");
        CliTest.Result varied = run("study", "plan", "tiny-lr-seeds", "--out", tmp.resolve("v").toString(),
                "--set", "lr=0.01");
        assertEquals(2, varied.code());
        assertTrue(varied.err().contains("lr: is varied by the study"), varied.err());
        assertFalse(Files.exists(tmp.resolve("pwned")) || Files.exists(Path.of("pwned")));
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of("spec.json"), left.map(p -> p.getFileName().toString()).toList(),
                    "no half-planned folder is left behind");
        }
    }

    @Test
    void planningRefusesAFolderThatHoldsSomethingAndWritesOneRunFolderPerRun() throws IOException {
        Path dir = plan("s");
        Study study = Study.open(dir);
        assertEquals(List.of("0_lr-0.001_seed-0", "1_lr-0.001_seed-1", "2_lr-0.003_seed-0", "3_lr-0.003_seed-1"),
                study.runs().stream().map(Study.Run::name).toList());
        for (int i = 0; i < 4; i++) {
            RunFolder f = RunFolder.open(study.runPath(i));
            assertEquals(RunStatus.CREATED, f.info().training().runStatus());
            assertEquals(i < 2 ? 0.001 : 0.003, f.hyperparameters().lr(), 1e-12);
            assertEquals(i % 2, f.hyperparameters().seed());
            assertEquals(600, f.hyperparameters().maxSteps());
        }
        CliTest.Result again = run("study", "plan", "tiny-lr-seeds", "--out", dir.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().startsWith("induction-lab: --out: " + dir + " already exists"), again.err());
        CliTest.Result status = run("study", "status", dir.toString());
        assertEquals(0, status.code(), status.err());
        assertTrue(status.out().contains("0 done, 0 running, 0 failed, 4 waiting"), status.out());
        assertTrue(status.out().contains("planned"), status.out());
    }

    /**
     * The job script keeps every path and word as data: a study folder whose name has spaces, quotes, ';'
     * and '$(…)' is entered and handed to the lab literally, and nothing in it runs.
     */
    @Test
    void theJobScriptQuotesEverythingItIsGiven() throws Exception {
        Path weird = tmp.resolve("it's a \"study\"; $(touch pwned) `touch pwned2`");
        Path dir = Study.plan(org.inductionlab.engine.lab.study.StudySpec.load("tiny-lr-seeds"), weird).path();
        Study study = Study.open(dir);
        Path echoArgs = tmp.resolve("echo-args.sh");
        Files.writeString(echoArgs, "#!/bin/bash\npwd\nfor a in \"$@\"; do echo \"[$a]\"; done\n");
        echoArgs.toFile().setExecutable(true);
        String script = SlurmJob.script(study, new SlurmJob.Options("debug", "1:00:00", 2, 0, "4G", null, null,
                List.of("Java/17"), 0), List.of(echoArgs.toString(), "--odd arg; $(touch pwned3)"));
        Path file = tmp.resolve("job.sh");
        Files.writeString(file, script.replace("module load", "echo module")); // no module system here
        ProcessBuilder pb = new ProcessBuilder("bash", file.toString()).redirectErrorStream(true);
        pb.environment().put("SLURM_ARRAY_TASK_ID", "2");
        pb.environment().put("SLURM_CPUS_PER_TASK", "2");
        pb.directory(tmp.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals(String.join("\n", "module Java/17", weird.toAbsolutePath().toString(),
                "[--odd arg; $(touch pwned3)]", "[study]", "[task]", "[.]", "[--index]", "[2]", "[--threads]", "[2]"),
                out.strip(), script);
        for (String f : new String[] {"pwned", "pwned2", "pwned3"}) {
            assertFalse(Files.exists(tmp.resolve(f)) || Files.exists(weird.resolve(f)), f + " was not created");
        }
        assertTrue(script.contains("#SBATCH --partition=debug\n#SBATCH --time=1:00:00\n#SBATCH --mem=4G\n"), script);
    }

    @Test
    void slurmOptionsThatCouldReachAShellAreRefusedAndNothingIsSubmitted() throws IOException {
        Path dir = plan("opts");
        String[][] bad = {{"--partition", "debug; rm -rf ~"}, {"--time", "$(id)"}, {"--mem", "4G\n#SBATCH --x"},
                {"--module", "java && curl x"}, {"--account", "-x"}, {"--cpus", "0"}};
        for (String[] b : bad) {
            CliTest.Result r = run("study", "run", dir.toString(), "--slurm", b[0], b[1]);
            assertEquals(2, r.code(), String.join(" ", b) + ": " + r.err());
            assertTrue(r.err().startsWith("induction-lab: " + b[0].substring(2).replace("mem", "mem") + ":"),
                    String.join(" ", b) + ": " + r.err());
        }
        CliTest.Result mixed = run("study", "run", dir.toString(), "--local", "1", "--partition", "debug");
        assertEquals(2, mixed.code());
        assertTrue(mixed.err().contains("go with --slurm"), mixed.err());
        assertFalse(Files.exists(dir.resolve(Study.SLURM)), "no job script written");
        assertTrue(Study.open(dir).submissions().isEmpty());

        // a study.json edited by hand to point a run outside the study is refused before anything runs
        Path file = dir.resolve(Study.FILE);
        Files.writeString(file, Files.readString(file).replace("\"3_lr-0.003_seed-1\"", "\"../../escaped\""));
        for (String[] where : new String[][] {{"--local", "1"}, {"--slurm"}}) {
            List<String> args = new ArrayList<>(List.of("study", "run", dir.toString()));
            args.addAll(List.of(where));
            CliTest.Result r = run(args.toArray(new String[0]));
            assertEquals(2, r.code(), r.out() + r.err());
            assertTrue(r.err().contains("run name '../../escaped' is not allowed"), r.err());
        }
        assertFalse(Files.exists(dir.resolve(Study.SLURM)) || Files.exists(tmp.resolve("escaped"))
                || Files.exists(dir.resolve(Study.LOGS).resolve("3_lr-0.003_seed-1.log")), "nothing ran or was written");
    }

    @Test
    void arrayListsRoundTrip() {
        assertEquals("0-3,5,7-8", SlurmJob.arrayList(List.of(5, 0, 1, 2, 3, 8, 7)));
        assertEquals(List.of(0, 1, 2, 3, 5, 7, 8), SlurmJob.parseArrayList("[0-3,5,7-8%2]"));
        assertEquals(List.of(4), SlurmJob.parseArrayList("4"));
    }

    /**
     * Locally, two at a time: one task is killed (SIGKILL, like a machine dying) mid-training; the runner
     * carries on with the others; rerunning the study resumes only that run from its checkpoint, and a
     * third run does nothing.
     */
    @Test
    void aLocalStudyRunsAndAKilledRunResumesFromItsCheckpointAlone() throws Exception {
        Path dir = plan("local");
        Study study = Study.open(dir);
        Path victim = study.runPath(3);
        Process runner = lab(List.of("study", "run", dir.toString(), "--local", "2"), Map.of(), tmp.resolve("runner.log"));
        waitFor(() -> checkpointAtLeast(victim, 100) && StudyTask.isRunning(victim), 240, "run 3 reaches a checkpoint",
                tmp.resolve("runner.log"));
        long pid = Long.parseLong(Files.readString(victim.resolve(StudyTask.LOCK)).split("@")[0].trim());
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false), "the task was killed");
        assertTrue(runner.waitFor(240, TimeUnit.SECONDS), "the runner ends");
        String log = Files.readString(tmp.resolve("runner.log"));
        assertEquals(1, runner.exitValue(), log);
        assertTrue(log.contains("3 finished, 1 not finished"), log);
        long killedAt = RunFolder.open(victim).info().training().steps();
        assertTrue(killedAt >= 100 && killedAt < 600, "killed mid-training at " + killedAt);

        CliTest.Result status = run("study", "status", dir.toString());
        assertTrue(status.out().contains("3 done, 0 running, 0 failed, 1 waiting"), status.out());
        assertTrue(status.out().contains("interrupted at step " + killedAt), status.out());

        Map<Integer, FileTime> before = checkpointTimes(study);
        CliTest.Result again = run("study", "run", dir.toString(), "--local", "2");
        assertEquals(0, again.code(), again.out() + again.err());
        assertTrue(again.out().contains("1 runs to do, 3 done"), again.out());
        assertTrue(again.out().contains("1 finished, 0 not finished"), again.out());
        Map<Integer, FileTime> after = checkpointTimes(study);
        for (int i = 0; i < 3; i++) {
            assertEquals(before.get(i), after.get(i), "run " + i + " was not touched");
        }
        assertNotEquals(before.get(3), after.get(3));
        String taskLog = Files.readString(study.logs().resolve(study.runs().get(3).name() + ".log"));
        assertTrue(taskLog.contains("resumed from step " + killedAt), taskLog);
        List<MetricsRow> metrics = RunFolder.open(victim).readMetrics();
        assertEquals(RunStatus.FINISHED, RunFolder.open(victim).info().training().runStatus());
        assertEquals(600, RunFolder.open(victim).info().training().steps());
        for (int k = 1; k < metrics.size(); k++) {
            assertTrue(metrics.get(k).step() > metrics.get(k - 1).step(), "metrics.csv goes on from the checkpoint");
        }

        CliTest.Result third = run("study", "run", dir.toString(), "--local", "2");
        assertTrue(third.out().contains("0 runs to do, 4 done"), third.out());
        assertTableIsComplete(dir);
    }

    /**
     * Through a real Slurm (munge + slurmctld + slurmd on this machine): the study is one job array; one
     * task is cancelled mid-training; the next submission holds only that run, which resumes.
     */
    @Test
    void aStudyRunsAsASlurmJobArrayAndACancelledTaskResumes() throws Exception {
        try (LocalSlurm slurm = LocalSlurm.start()) {
            Path dir = plan("slurm");
            Study study = Study.open(dir);
            Path out = tmp.resolve("submit.log");
            assertEquals(0, lab(List.of("study", "run", dir.toString(), "--slurm", "--cpus", "1"), slurm.environment(), out)
                    .waitFor(), Files.readString(out));
            String submitted = Files.readString(out);
            assertTrue(submitted.contains("submitted job ") && submitted.contains("4 runs (array 0-3)"), submitted);
            String job = Study.open(dir).submissions().get(0).jobId();
            String script = Files.readString(dir.resolve("slurm/job.sh"));
            assertTrue(script.contains("#SBATCH --cpus-per-task=1"), script);

            Path victim = study.runPath(3);
            waitFor(() -> checkpointAtLeast(victim, 100), 240, "run 3 reaches a checkpoint", slurm.logs().resolve("slurmd.log"));
            Path st = tmp.resolve("status.log");
            lab(List.of("study", "status", dir.toString()), slurm.environment(), st).waitFor();
            assertTrue(Files.readString(st).contains("(Slurm running)"), Files.readString(st));
            assertEquals(0, new org.inductionlab.engine.lab.study.Slurm(slurm.environment())
                    .run(null, List.of("scancel", job + "_3")).code());
            waitFor(() -> new org.inductionlab.engine.lab.study.Slurm(slurm.environment()).activeTasks(Study.open(dir)).isEmpty(),
                    240, "the array's tasks end", slurm.logs().resolve("slurmctld.log"));
            long cancelledAt = RunFolder.open(victim).info().training().steps();
            assertTrue(cancelledAt >= 100 && cancelledAt < 600, "cancelled mid-training at " + cancelledAt);
            for (int i = 0; i < 3; i++) {
                assertTrue(StudyTask.isDone(study, i), "run " + i + " finished under Slurm: "
                        + Files.readString(dir.resolve("logs/slurm-" + job + "_" + i + ".out")));
            }

            Map<Integer, FileTime> before = checkpointTimes(study);
            Path again = tmp.resolve("again.log");
            assertEquals(0, lab(List.of("study", "run", dir.toString(), "--slurm", "--cpus", "1"), slurm.environment(), again)
                    .waitFor(), Files.readString(again));
            assertTrue(Files.readString(again).contains("1 runs (array 3)"), Files.readString(again));
            String job2 = Study.open(dir).submissions().get(1).jobId();
            waitFor(() -> done(study, 3), 240, "run 3 finishes", dir.resolve("logs/slurm-" + job2 + "_3.out"));
            // its sweep.csv is whole a moment before the task prints its last lines: wait for them too
            Path out3 = dir.resolve("logs/slurm-" + job2 + "_3.out");
            waitFor(() -> readOrEmpty(out3).contains("resumed from step"), 60, "run 3's log ends", out3);
            String taskLog = Files.readString(out3);
            assertTrue(taskLog.contains("resumed from step " + cancelledAt), taskLog);
            Map<Integer, FileTime> after = checkpointTimes(study);
            for (int i = 0; i < 3; i++) {
                assertEquals(before.get(i), after.get(i), "run " + i + " was not retrained");
            }
            assertTableIsComplete(dir);
        }
    }

    private static void assertTableIsComplete(Path dir) throws IOException {
        CliTest.Result table = run("study", "table", dir.toString());
        assertEquals(0, table.code(), table.err());
        List<String> lines = table.out().strip().lines().toList();
        assertEquals("study,run,lr,seed,steps,phase_change,running_accuracy,wall_seconds,length,layout,sequences,correct,accuracy,"
                + "wilson_low,wilson_high,seconds,precision", lines.get(0));
        assertEquals(1 + 4 * 3 * 2, lines.size(), table.out()); // 4 runs × 2^6..2^8 × fixed:5 and anywhere
        Map<String, Integer> perRun = new HashMap<>();
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",");
            perRun.merge(f[1], 1, Integer::sum);
            assertEquals("600", f[4], l);
            assertEquals("128", f[10]);
            assertTrue(f[9].equals("fixed:5") || f[9].equals("anywhere"), l);
        }
        assertEquals(Map.of("0_lr-0.001_seed-0", 6, "1_lr-0.001_seed-1", 6, "2_lr-0.003_seed-0", 6,
                "3_lr-0.003_seed-1", 6), perRun);
        assertCurvesAreBandsOverTheSeeds(dir);
    }

    /** study table --curves: a group per learning rate, its two seeds as a band whose mean is theirs. */
    private static void assertCurvesAreBandsOverTheSeeds(Path dir) throws IOException {
        CliTest.Result curves = run("study", "table", dir.toString(), "--curves");
        assertEquals(0, curves.code(), curves.err());
        List<String> lines = curves.out().strip().lines().toList();
        assertEquals("study,group,series,step,runs,mean,min,max", lines.get(0));
        Study study = Study.open(dir);
        for (String lr : List.of("0.001", "0.003")) {
            List<String[]> rows = lines.stream().skip(1).map(l -> l.split(","))
                    .filter(f -> f[1].equals("lr=" + lr)).toList();
            assertEquals(java.util.Set.of("loss", "running_accuracy", "head_target"),
                    rows.stream().map(f -> f[2]).collect(java.util.stream.Collectors.toSet()), "series of lr " + lr);
            String[] last = rows.stream().filter(f -> f[2].equals("running_accuracy") && f[3].equals("600"))
                    .findFirst().orElseThrow(() -> new AssertionError("no row at step 600 for lr " + lr));
            assertEquals("2", last[4], "both seeds reached step 600");
            double sum = 0;
            double lo = 1;
            double hi = 0;
            for (int i = 0; i < study.runs().size(); i++) {
                if (study.runs().get(i).name().contains("lr-" + lr)) {
                    double a = RunFolder.open(study.runPath(i)).readMetrics().stream().filter(m -> m.step() == 600)
                            .findFirst().orElseThrow().runningAccuracy();
                    sum += a;
                    lo = Math.min(lo, a);
                    hi = Math.max(hi, a);
                }
            }
            assertEquals(sum / 2, Double.parseDouble(last[5]), 1e-5, "the band's mean is the seeds' mean");
            assertEquals(lo, Double.parseDouble(last[6]), 1e-5);
            assertEquals(hi, Double.parseDouble(last[7]), 1e-5);
        }
    }

    private static String readOrEmpty(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean done(Study study, int i) {
        try {
            return StudyTask.isDone(study, i);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean checkpointAtLeast(Path run, long steps) {
        try {
            RunFolder f = RunFolder.open(run);
            return f.hasCheckpoint() && f.info().training().steps() >= steps;
        } catch (RuntimeException e) {
            return false; // config.json is being replaced
        }
    }

    private static Map<Integer, FileTime> checkpointTimes(Study study) throws IOException {
        Map<Integer, FileTime> out = new HashMap<>();
        for (int i = 0; i < study.runs().size(); i++) {
            out.put(i, Files.getLastModifiedTime(study.runPath(i).resolve(RunFolder.CHECKPOINT)));
        }
        return out;
    }

    private static void waitFor(BooleanSupplier condition, int seconds, String what, Path log) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(what + " within " + seconds + " s; "
                        + (Files.exists(log) ? Files.readString(log) : "no " + log));
            }
            Thread.sleep(200);
        }
    }

    /** The lab's command line in a child JVM, with {@code env} added, output to {@code log}. */
    static Process lab(List<String> args, Map<String, String> env, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.inductionlab.Main"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(NativeTuning.ENVIRONMENT);
        pb.environment().putAll(env);
        return pb.start();
    }
}
