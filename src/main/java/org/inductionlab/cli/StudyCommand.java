package org.inductionlab.cli;

import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.lab.Machine;
import org.inductionlab.engine.run.AtomicFiles;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.engine.lab.study.LocalStudyRunner;
import org.inductionlab.engine.lab.study.Slurm;
import org.inductionlab.engine.lab.study.SlurmJob;
import org.inductionlab.engine.lab.study.Study;
import org.inductionlab.engine.lab.study.StudyProgress;
import org.inductionlab.engine.lab.study.StudySpec;
import org.inductionlab.engine.lab.study.StudyCurves;
import org.inductionlab.engine.lab.study.StudyTable;
import org.inductionlab.engine.lab.study.StudyTask;
import org.inductionlab.engine.text.Durations;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "study", mixinStandardHelpOptions = true,
        description = {"Many runs described once: plan, run (here or on Slurm), follow, and tabulate them.",
                "Plan them from a spec, run them here or as a Slurm job array, follow them, and gather their sweeps"
                        + " into one table. See the README, \"Studies\"."},
        subcommands = {StudyCommand.Plan.class, StudyCommand.Run.class, StudyCommand.Status.class,
                StudyCommand.Table.class, StudyCommand.Task.class})
final class StudyCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * The command that starts this lab's command line again, for tasks and job scripts: the app launcher,
     * or java with this JVM's options and class path and the command line's own entry point.
     */
    static List<String> labCommand() {
        List<String> cmd = Machine.selfCommand(Cli.class);
        if (cmd == null) {
            throw new IllegalStateException("cannot tell how this lab was started, so cannot start its tasks");
        }
        return cmd;
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = {"Check a study spec and write one run folder per run (nothing is trained).",
                    "SPEC is a .json file or an example's name."})
    static final class Plan implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SPEC", completionCandidates = ExampleNames.class,
                description = "the study spec (.json) or an example: ${COMPLETION-CANDIDATES}")
        String specName;

        /** The example specs, for --help: the list the lab loads them by. */
        static final class ExampleNames implements Iterable<String> {
            @Override
            public java.util.Iterator<String> iterator() {
                return StudySpec.BUILT_IN.iterator();
            }
        }

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "the study folder to create")
        Path out;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "a setting for every run (repeatable),"
                + " e.g. --set max_steps=200 for a quick try")
        Map<String, String> overrides = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            PrintStream o = System.out;
            StudySpec spec = StudySpec.load(specName).withShared(overrides);
            Study.checkNewFolder(out); // refused before a word of the plan is printed
            List<StudySpec.Point> points = spec.points();
            StudySpec.Evaluation ev = spec.evaluation();
            o.printf(Locale.ROOT, "%d runs: study %s, preset %s%s, then evaluated at 2^%d..%s on %s%n", points.size(),
                    spec.name(), spec.preset().name(), spec.groupKeys().isEmpty() ? ""
                            : ", varying " + String.join(" × ", spec.groupKeys()), ev.minExp(),
                    "2^" + ev.longestExponent(),
                    ev.layouts().isEmpty() ? "each run's own layout" : String.join(" and ", ev.layouts()));
            for (StudySpec.Point p : points) {
                o.println("  " + p.name());
            }
            Study study = Study.plan(spec, out);
            o.println("planned in " + study.path() + "; next: induction-lab study run " + study.path()
                    + " --local 1   (or --slurm on a cluster)");
            return Cli.OK;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run a study's unfinished runs, here (--local N) or as a Slurm job array (--slurm).",
                    "--local N runs N at a time, the cores split between them. Finished runs are skipped; interrupted"
                            + " ones resume from their checkpoints."})
    static final class Run implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR", description = "the study folder")
        Path dir;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Where where;

        static final class Where {
            @Option(names = "--local", paramLabel = "N", description = "run here, N runs at a time")
            Integer local;

            @Option(names = "--slurm", description = "submit a Slurm job array (one task per unfinished run)")
            boolean slurm;
        }

        @Mixin
        SlurmOptions slurmOptions = new SlurmOptions();

        @Override
        public Integer call() throws Exception {
            Study study = Study.open(dir);
            return where.slurm ? slurm(study) : local(study, where.local);
        }

        private int slurm(Study study) throws Exception {
            PrintStream o = System.out;
            SlurmJob.Options opts = slurmOptions.options();
            if (!Slurm.available()) {
                throw new InvalidConfigException("slurm", "sbatch is not on this machine's PATH; run this on the"
                        + " cluster's login node, or use --local N");
            }
            SlurmJob.Submitted s = SlurmJob.submit(study, opts, labCommand(), new Slurm());
            if (s == null) {
                o.println("nothing to submit: every run of " + study.name() + " is done, queued or running");
                return Cli.OK;
            }
            if (s.jobId() != null) {
                o.printf(Locale.ROOT, "submitted job %s: %d runs (array %s); script %s%n", s.jobId(), s.runs().size(),
                        SlurmJob.arrayList(s.runs()), s.script());
            }
            for (org.inductionlab.engine.lab.study.ShardJob.Submitted sh : s.shards()) { // a sharded sweep's arrays
                o.printf(Locale.ROOT, "submitted job %s: %d sweep shards of %s (array %s)%n", sh.jobId(),
                        sh.shards().size(), sh.run().getFileName(),
                        SlurmJob.arrayList(sh.shards().stream().map(x -> x.index()).toList()));
            }
            o.println("follow it with: induction-lab study status " + study.path());
            return Cli.OK;
        }

        private int local(Study study, int parallel) throws Exception {
            slurmOptions.refuseLocally();
            PrintStream o = System.out;
            LocalStudyRunner runner = new LocalStudyRunner(study, parallel, labCommand(),
                    Runtime.getRuntime().availableProcessors());
            long start = System.nanoTime();
            LocalStudyRunner.Summary sum;
            try (StopOnSignal stop = StopOnSignal.install(runner::requestStop, 180)) {
                sum = runner.run(new LocalStudyRunner.Listener() {
                    @Override
                    public void onPlan(int toRun, int doneRuns, int busy, int par, int threadsEach) {
                        o.printf(Locale.ROOT, "%s: %d runs to do, %d done%s; %d at a time, %d thread%s each%n",
                                study.name(), toRun, doneRuns, busy > 0 ? ", " + busy + " running elsewhere" : "",
                                Math.min(par, Math.max(1, toRun)), threadsEach, threadsEach == 1 ? "" : "s");
                    }

                    @Override
                    public void onStart(Study.Run run, long pid, Path log) {
                        o.printf(Locale.ROOT, "started %s (pid %d, log %s)%n", run.name(), pid, log);
                    }

                    @Override
                    public void onEnd(Study.Run run, int exitCode, Path log) {
                        o.printf(Locale.ROOT, "%s %s%n", exitCode == 0 ? "finished" : "ended (exit " + exitCode + ")",
                                run.name() + (exitCode == 0 ? "" : "; see " + log));
                    }
                });
            }
            o.printf(Locale.ROOT, "%d finished, %d not finished%s, in %s; table: induction-lab study table %s%n",
                    sum.finished().size(), sum.failed().size(), sum.stopped() ? " (stopped)" : "",
                    Durations.clock((System.nanoTime() - start) / 1e9), study.path());
            return sum.failed().isEmpty() ? Cli.OK : Cli.FAILED;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Done, running, failed or waiting, for each run of a study (Slurm's queue too, where present).")
    static final class Status implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR", description = "the study folder")
        Path dir;

        @Override
        public Integer call() {
            PrintStream o = System.out;
            Study study = Study.open(dir);
            List<StudyProgress.Line> lines = StudyProgress.of(study,
                    Slurm.available() ? new Slurm() : null); // no submissions: squeue is not asked
            int width = lines.stream().mapToInt(l -> l.run().length()).max().orElse(3);
            o.printf(Locale.ROOT, "  %-" + width + "s  %-8s %15s  %8s  %s%n", "run", "state", "steps", "running", "detail");
            Map<StudyProgress.State, Integer> counts = new EnumMap<>(StudyProgress.State.class);
            for (StudyProgress.Line l : lines) {
                counts.merge(l.state(), 1, Integer::sum);
                o.printf(Locale.ROOT, "  %-" + width + "s  %-8s %15s  %8s  %s%n", l.run(), l.state().word(),
                        l.steps() + "/" + l.maxSteps(),
                        Double.isNaN(l.runningAccuracy()) || l.steps() == 0 ? "-" : Format.percent(l.runningAccuracy()).trim(),
                        l.detail());
            }
            o.println(java.util.Arrays.stream(StudyProgress.State.values())
                    .map(s -> counts.getOrDefault(s, 0) + " " + s.word()).collect(Collectors.joining(", ")));
            return Cli.OK;
        }
    }

    @Command(name = "table", mixinStandardHelpOptions = true,
            description = {"Every finished run's sweep as one CSV, a row per run × length × layout (or with --curves the training"
                    + " curves, seeds as bands).",
                    "The settings the study varies are columns."})
    static final class Table implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR", description = "the study folder")
        Path dir;

        @Option(names = "--out", paramLabel = "FILE", description = "write the CSV here instead of printing it")
        Path out;

        @Option(names = "--curves", description = "the training curves instead, the seeds of each group as a band:"
                + " a row per group × series (loss, running_accuracy, head_target) × logged step with the mean, min"
                + " and max over the group's runs")
        boolean curves;

        @Override
        public Integer call() throws Exception {
            Study study = Study.open(dir);
            String csv = curves ? StudyCurves.csv(study) : StudyTable.csv(study);
            if (out == null) {
                System.out.print(csv);
            } else {
                AtomicFiles.write(out, s -> s.write(csv.getBytes(StandardCharsets.UTF_8)));
                System.out.printf(Locale.ROOT, "%d rows -> %s%n", csv.lines().count() - 1, out);
            }
            return Cli.OK;
        }
    }

    @Command(name = "task", hidden = true, mixinStandardHelpOptions = true,
            description = "One run of a study, trained (or resumed) and evaluated: what local and Slurm tasks run.")
    static final class Task implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR", description = "the study folder")
        Path dir;

        @Option(names = "--index", required = true, paramLabel = "I", description = "the run's place in study.json, from 0")
        int index;

        @Option(names = "--threads", paramLabel = "T", description = "CPU threads (default: the run's own)")
        int threads;

        @Option(names = "--train-only", description = "train only: the sweep's shards are tasks of their own")
        boolean trainOnly;

        @Override
        public Integer call() throws Exception {
            PrintStream o = System.out;
            Study study = Study.open(dir);
            try (StudyTask task = StudyTask.claim(study, index, threads);
                 StopOnSignal stop = StopOnSignal.install(task::requestStop, 120)) {
                o.printf(Locale.ROOT, "study %s, run %d: %s on %s%n", study.name(), index, task.runName(),
                        StudyTask.host());
                StudyTask.Result r = task.run(new TrainCommand.ConsoleListener(o, false), new LengthSweep.Listener() {
                    @Override
                    public void onPoint(SweepPoint p) {
                        o.printf(Locale.ROOT, "  2^%-3d %-10s %5d seqs  %s%n", Integer.numberOfTrailingZeros(p.length()),
                                p.layout(), p.sequences(), Format.percent(p.accuracy()));
                    }
                }, !trainOnly);
                if (r.outcome() != null) {
                    o.printf(Locale.ROOT, "%s: %s at step %d, running accuracy %.4f%n", r.training(),
                            r.outcome().reason().words, r.outcome().step(), r.outcome().runningAccuracy());
                } else {
                    o.println(r.training());
                }
                boolean complete = trainOnly ? StudyTask.isTrained(study, index) : StudyTask.isDone(study, index);
                o.printf(Locale.ROOT, "%d sweep points measured; run %s%n", r.measured().size(),
                        complete ? (trainOnly ? "trained" : "done") : "not done (stopped); study run resumes it");
                return complete ? Cli.OK : Cli.FAILED;
            }
        }
    }
}
