package org.inductionlab.cli;

import org.inductionlab.engine.config.DeviceChoice;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.eval.SweepShards;
import org.inductionlab.engine.lab.ShardedSweep;
import org.inductionlab.engine.model.Precision;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.engine.lab.study.LocalShardRunner;
import org.inductionlab.engine.lab.study.ShardJob;
import org.inductionlab.engine.lab.study.Slurm;
import org.inductionlab.engine.lab.study.SlurmJob;
import org.inductionlab.engine.task.TriggerLayout;
import org.inductionlab.engine.text.Durations;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The options of {@code eval} that spread a sweep over processes or a cluster: {@code --shards} with
 * {@code --local N} or {@code --slurm [...]}, {@code --status}, and the hidden task each shard runs.
 * The work is the engine's ({@link ShardedSweep}, {@link LocalShardRunner}, {@link ShardJob}).
 */
final class EvalShards {

    @Option(names = "--shards", description = "measure the sweep in shards (a length and a block of sequences each),"
            + " each in its own process: --local N here, or --slurm as a job array (--max-exp left out: 2^16, 2^20"
            + " where the shards have a GPU); see the README, \"Long lengths on a cluster\"")
    boolean shards;

    @Option(names = "--shard-seqs", paramLabel = "K", description = "sequences per shard, rounded up to whole forward"
            + " passes (default: one shard per length)")
    Integer shardSeqs;

    @Option(names = "--local", paramLabel = "N", description = "with --shards: measure here, N shards at a time")
    Integer local;

    @Option(names = "--slurm", description = "with --shards: submit a Slurm job array, one task per shard still to measure")
    boolean slurm;

    @Mixin
    SlurmOptions slurmOptions = new SlurmOptions();

    @Option(names = "--status", description = "which points of the run's sharded sweeps are measured, running,"
            + " queued or waiting")
    boolean status;

    @Option(names = "--shard-plan", hidden = true, paramLabel = "FILE", description = "a shard task's plan file")
    String shardPlan;

    @Option(names = "--shard-task", hidden = true, paramLabel = "I", description = "the shard a task measures")
    Integer shardTask;

    @Option(names = "--threads", hidden = true, paramLabel = "T", description = "a shard task's CPU threads")
    int threads;

    /** Whether eval was asked for anything of this class; if not, it sweeps as it always did. */
    boolean requested() {
        return shards || shardSeqs != null || local != null || slurm || status || shardTask != null || shardPlan != null
                || slurmOptions.given();
    }

    int call(EvalCommand e) throws Exception {
        if (shardTask != null || shardPlan != null) {
            if (shardTask == null || shardPlan == null) {
                throw new InvalidConfigException("shard-task", "a shard task needs --shard-plan and --shard-task");
            }
            return task(e.run);
        }
        if (status) {
            if (shards || local != null || slurm || slurmOptions.given()) {
                throw new InvalidConfigException("status", "--status only reads; give it with --run alone");
            }
            return status(e.run);
        }
        if (!shards && shardSeqs == null) {
            throw new InvalidConfigException("shards", "--local and --slurm go with --shards");
        }
        if ((local == null) == !slurm) {
            throw new InvalidConfigException("shards", "say where the shards run: --local N (here) or --slurm");
        }
        if (local != null) {
            slurmOptions.refuseLocally();
        }
        SlurmJob.Options opts = slurm ? slurmOptions.options() : null;
        if (slurm && !Slurm.available()) {
            throw new InvalidConfigException("slurm", "sbatch is not on this machine's PATH; run this on the"
                    + " cluster's login node, or use --local N");
        }
        ShardedSweep sweep = ShardedSweep.plan(e.run, settings(e, opts));
        PrintStream o = System.out;
        SweepShards p = sweep.plan();
        o.printf(Locale.ROOT, "run %s: 2^%d..2^%d on %s, %s sequences per length, seed %d, in %d shards (%s)%n",
                sweep.run().getFileName().toString(), p.minExponent(), p.maxExponent(), p.layouts().get(0),
                p.sequences() == 0 ? "the default rule of" : Integer.toString(p.sequences()), p.seed(),
                sweep.shards().size(), sweep.planFile());
        for (SweepShards.Refused r : sweep.refused()) {
            o.println("  refused: " + ShardedSweep.describe(r));
        }
        return slurm ? submit(sweep, opts) : local(sweep, local);
    }

    private ShardedSweep.Settings settings(EvalCommand e, SlurmJob.Options opts) {
        Hyperparameters hp = org.inductionlab.engine.lab.RunCatalogue.open(e.run).hyperparameters();
        TriggerLayout l;
        try {
            l = e.layout == null ? hp.layout() : TriggerLayout.parse(e.layout);
        } catch (IllegalArgumentException ex) {
            throw new InvalidConfigException("layout", ex.getMessage());
        }
        DeviceChoice device = e.device == null ? null : EvalCommand.parseDevice(e.device);
        Precision precision = e.precision == null ? null : Precision.parse("--precision", e.precision);
        int max = e.maxExp != null ? e.maxExp
                : ShardedSweep.defaultMaxExponent(hp, device, opts == null ? null : opts.gpus());
        return new ShardedSweep.Settings(e.minExp, max, List.of(l.toString()), e.seqs, e.seed,
                shardSeqs == null ? 0 : shardSeqs, precision == null ? null : precision.label(),
                e.device == null ? null : e.device.trim().toLowerCase(Locale.ROOT));
    }

    private int submit(ShardedSweep sweep, SlurmJob.Options opts) throws Exception {
        PrintStream o = System.out;
        sweep.merge(); // a length whose last task died between its result and the merge
        ShardJob.Submitted s = ShardJob.submit(sweep, opts, StudyCommand.labCommand(), new Slurm(), null);
        if (s == null) {
            o.println("nothing to submit: every shard is measured, queued or running");
        } else {
            o.printf(Locale.ROOT, "submitted job %s: %d shards (array %s); script %s%n", s.jobId(), s.shards().size(),
                    SlurmJob.arrayList(s.shards().stream().map(SweepShards.Shard::index).toList()), s.script());
        }
        o.println("follow it with: induction-lab eval --run " + sweep.run() + " --status");
        return Cli.OK;
    }

    private int local(ShardedSweep sweep, int parallel) throws Exception {
        PrintStream o = System.out;
        LocalShardRunner runner = new LocalShardRunner(sweep, parallel, StudyCommand.labCommand(),
                Runtime.getRuntime().availableProcessors());
        long start = System.nanoTime();
        LocalShardRunner.Summary sum;
        try (StopOnSignal stop = StopOnSignal.install(runner::requestStop, 60)) {
            sum = runner.run(new LocalShardRunner.Listener() {
                @Override
                public void onPlan(int toRun, int measured, int busy, int par, int threadsEach) {
                    o.printf(Locale.ROOT, "  %d shards to measure, %d measured already%s; %d at a time, %d thread%s each%n",
                            toRun, measured, busy > 0 ? ", " + busy + " being measured elsewhere" : "",
                            Math.min(par, Math.max(1, toRun)), threadsEach, threadsEach == 1 ? "" : "s");
                }

                @Override
                public void onStart(SweepShards.Shard s, long pid, Path log) {
                    o.printf(Locale.ROOT, "  started %s (pid %d, log %s)%n", s.describe(), pid, log);
                }

                @Override
                public void onEnd(SweepShards.Shard s, int exitCode, Path log) {
                    o.printf(Locale.ROOT, "  %s %s%n", exitCode == 0 ? "ended" : "ended (exit " + exitCode + ")",
                            s.describe() + (exitCode == 0 ? "" : "; see " + log));
                }
            });
        }
        sweep.merge();
        printPoints(o, sweep);
        o.printf(Locale.ROOT, "%d shards measured, %d not%s, in %s; results in %s%n", sum.measured().size(),
                sum.failed().size(), sum.stopped() ? " (stopped)" : "", Durations.clock((System.nanoTime() - start) / 1e9),
                sweep.run().resolve(ShardedSweep.SWEEP_FILE));
        return sum.failed().isEmpty() && !sum.stopped() ? Cli.OK : Cli.FAILED;
    }

    /** The plan's points as sweep.csv holds them now, then those still waiting for shards. */
    private static void printPoints(PrintStream o, ShardedSweep sweep) throws Exception {
        o.println("  length  layout      seqs  correct  accuracy   wilson95          seconds");
        Map<String, SweepPoint> rows = new java.util.HashMap<>();
        for (SweepPoint p : org.inductionlab.engine.lab.RunRecords.sweep(sweep.run())) {
            rows.put(p.layout() + "@" + p.length() + "#" + p.sequences(), p);
        }
        for (ShardedSweep.Point pt : sweep.points(Map.of())) {
            SweepPoint p = pt.merged() ? rows.get(pt.layout() + "@" + pt.length() + "#" + total(sweep, pt)) : null;
            if (p != null) {
                o.printf(Locale.ROOT, "  2^%-4d  %-10s %5d  %7d  %s   [%5.1f, %5.1f]  %8.1f%n",
                        Integer.numberOfTrailingZeros(p.length()), p.layout(), p.sequences(), p.correct(),
                        Format.percent(p.accuracy()), 100 * p.wilsonLow(), 100 * p.wilsonHigh(), p.seconds());
            } else {
                o.printf(Locale.ROOT, "  2^%-4d  %-10s %s%n", Integer.numberOfTrailingZeros(pt.length()), pt.layout(),
                        pt.describe());
            }
        }
    }

    private static int total(ShardedSweep sweep, ShardedSweep.Point pt) {
        return sweep.shards().stream().filter(s -> s.length() == pt.length() && s.layout().equals(pt.layout()))
                .findFirst().map(SweepShards.Shard::total).orElse(0);
    }

    private int status(Path run) throws Exception {
        PrintStream o = System.out;
        List<ShardedSweep> plans = ShardedSweep.plans(run);
        if (plans.isEmpty()) {
            o.println("no sharded sweep of " + run + " yet (eval --run " + run + " --shards --local N | --slurm)");
            return Cli.OK;
        }
        Map<String, String> queued = ShardJob.queued(run, Slurm.available() ? new Slurm() : null);
        for (ShardedSweep sweep : plans) {
            SweepShards p = sweep.plan();
            o.printf(Locale.ROOT, "%s: 2^%d..2^%d on %s, seed %d, %d shards%n", sweep.planFile(), p.minExponent(),
                    p.maxExponent(), String.join(" and ", sweep.settings().layouts()), p.seed(), sweep.shards().size());
            o.println("  length  layout      shards  measured  state");
            int[] counts = new int[ShardedSweep.State.values().length];
            sweep.states(queued).values().forEach(s -> counts[s.ordinal()]++);
            for (ShardedSweep.Point pt : sweep.points(queued)) {
                o.printf(Locale.ROOT, "  2^%-4d  %-10s %6d  %8d  %s%n", Integer.numberOfTrailingZeros(pt.length()),
                        pt.layout(), pt.shards(), pt.measured(), pt.describe());
            }
            for (SweepShards.Refused r : sweep.refused()) {
                o.println("  refused: " + ShardedSweep.describe(r));
            }
            List<String> words = new ArrayList<>();
            for (ShardedSweep.State s : ShardedSweep.State.values()) {
                words.add(counts[s.ordinal()] + " " + s.word());
            }
            o.println("  shards: " + String.join(", ", words));
        }
        return Cli.OK;
    }

    private int task(Path run) throws Exception {
        PrintStream o = System.out;
        ShardedSweep sweep = ShardedSweep.open(run, shardPlan);
        SweepShards.Shard s = sweep.shard(shardTask);
        o.printf(Locale.ROOT, "run %s, shard %d: %s on %s%n", sweep.run().getFileName().toString(), s.index(), s.describe(),
                java.net.InetAddress.getLocalHost().getHostName());
        AtomicBoolean stop = new AtomicBoolean();
        ShardedSweep.Measured m;
        try (StopOnSignal ignored = StopOnSignal.install(() -> stop.set(true), 30)) {
            m = sweep.measure(shardTask, threads, new LengthSweep.Listener() {
                @Override
                public void onPrecision(LengthSweep.PrecisionCheck check) {
                    o.println("  " + check.describe());
                }
            }, stop::get);
        } catch (CancellationException c) {
            o.println("stopped: no result written; the next submission measures this shard");
            return Cli.FAILED;
        }
        switch (m.outcome()) {
            case BUSY -> o.println("another task is measuring this shard; nothing done");
            case ALREADY_MEASURED -> o.println("measured already: " + sweep.resultFile(s));
            case MEASURED -> o.printf(Locale.ROOT, "%d of %d correct in %.1f s (%s); result %s%n", m.result().correct(),
                    m.result().sequences(), m.result().seconds(), m.result().precision(), sweep.resultFile(s));
        }
        for (SweepPoint p : m.merged()) {
            o.printf(Locale.ROOT, "merged 2^%d %s into %s: %d of %d correct%n", Integer.numberOfTrailingZeros(p.length()),
                    p.layout(), ShardedSweep.SWEEP_FILE, p.correct(), p.sequences());
        }
        return Cli.OK;
    }
}
