package org.inductionlab.cli;

import org.inductionlab.engine.config.DeviceChoice;
import org.inductionlab.engine.config.HyperparameterSchema;
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.model.Precision;
import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.lab.SweepJob;
import org.inductionlab.engine.lab.Machine;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.engine.text.Durations;
import org.inductionlab.engine.task.TriggerLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Accuracy of a trained run at lengths 2^A..2^B, with Wilson 95 %% intervals.",
                "Results are printed and merged into the run's sweep.csv.",
                "Sequences per length by default: clamp(2^30 / L^2, 8, 512)."})
final class EvalCommand implements Callable<Integer> {

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "the run folder to evaluate")
    Path run;

    @Option(names = "--min-exp", paramLabel = "A", description = "shortest length 2^A (default "
            + SweepJob.DEFAULT_MIN_EXPONENT + ")")
    int minExp = SweepJob.DEFAULT_MIN_EXPONENT;

    @Option(names = "--max-exp", paramLabel = "B", description = "longest length 2^B (default: the last length"
            + " up to 2^" + SweepJob.CPU_CEILING_EXPONENT + " on a CPU, 2^" + SweepJob.GPU_CEILING_EXPONENT + " on a GPU,"
            + " that the engine expects to fit in memory and in " + (int) SweepJob.SECONDS_PER_LENGTH / 60 + " minutes)")
    Integer maxExp;

    @Option(names = "--seqs", paramLabel = "N", description = "sequences per length (default: the rule above)")
    int seqs;

    @Option(names = "--layout", paramLabel = "L", description = "fixed:P, prefix:K or anywhere (default: the run's own)")
    String layout;

    @Option(names = "--seed", paramLabel = "S", description = "seed of the evaluation sequences (default 1)")
    long seed = 1;

    @Option(names = "--device", paramLabel = "D", description = "auto, cpu or gpu (default: the run's own)")
    String device;

    @Option(names = "--precision", paramLabel = "P", description = "fp32 or fp16 (default: fp16 on a GPU, checked"
            + " against fp32 on " + LengthSweep.CHECK_SEQUENCES + " sequences at 2^12 first; fp32 on a CPU)")
    String precision;

    @picocli.CommandLine.Mixin
    EvalShards shards = new EvalShards();

    @Override
    public Integer call() throws Exception {
        if (shards.requested()) { // --shards, --status: the sweep spread over processes or a cluster
            return shards.call(this);
        }
        PrintStream o = System.out;
        DeviceChoice dev = device == null ? null : parseDevice(device);
        Precision asked = precision == null ? null : Precision.parse("--precision", precision);
        try (LoadedRun r = LoadedRun.open(run, dev)) {
            var hp = r.hyperparameters();
            var plan = SweepJob.plan(hp, r.onGpu(), minExp, maxExp, layout, seqs, seed);
            TriggerLayout l = plan.layout();
            o.printf(Locale.ROOT, "run %s (trained on %s at length %d), evaluating layout %s on %s%n", r.name(),
                    hp.layout(), hp.trainLength(), l, r.deviceDescription());
            // what each length is expected to cost, before any is measured (the Sweep page shows the same)
            List<LengthSweep.Estimate> estimates = SweepJob.estimate(hp, plan, r.onGpu());
            double total = estimates.stream().mapToDouble(LengthSweep.Estimate::seconds).sum();
            o.printf(Locale.ROOT, "estimated: %s; in all ~%s%n", estimates.stream()
                    .map(e -> String.format(Locale.ROOT, "2^%d ~%s", Integer.numberOfTrailingZeros(e.length()),
                            Durations.words(e.seconds())))
                    .collect(java.util.stream.Collectors.joining(", ")), Durations.words(total));
            o.println("  length  layout      seqs  correct  accuracy   wilson95          seconds");
            List<SweepPoint> points = SweepJob.run(r, plan, asked, new LengthSweep.Listener() {
                @Override
                public void onPrecision(LengthSweep.PrecisionCheck check) {
                    o.println("  " + check.describe());
                }

                @Override
                public void onPoint(SweepPoint p) {
                    o.printf(Locale.ROOT, "  2^%-4d  %-10s %5d  %7d  %s   [%5.1f, %5.1f]  %8.1f%n",
                            Integer.numberOfTrailingZeros(p.length()), p.layout(), p.sequences(), p.correct(),
                            Format.percent(p.accuracy()), 100 * p.wilsonLow(), 100 * p.wilsonHigh(), p.seconds());
                }

                @Override
                public void onRefused(int length, String reason) {
                    o.printf(Locale.ROOT, "  2^%-4d  refused: %s%n", Integer.numberOfTrailingZeros(length), reason);
                }
            }, () -> false);
            o.printf(Locale.ROOT, "%d lengths measured in %.1f s, peak memory %s; results in %s%n", points.size(),
                    points.stream().mapToDouble(SweepPoint::seconds).sum(),
                    Machine.mib(Machine.peakResidentBytes()), r.sweepFile());
            return Cli.OK;
        }
    }

    static DeviceChoice parseDevice(String text) {
        return (DeviceChoice) HyperparameterSchema.field("device").parse(text);
    }
}
