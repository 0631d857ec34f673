package org.inductionlab.cli;

import org.inductionlab.engine.text.Durations;
import org.inductionlab.engine.lab.TrainingJob;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.config.Preset;
import org.inductionlab.engine.lab.Machine;
import org.inductionlab.engine.train.TrainingControl;
import org.inductionlab.engine.train.TrainingListener;
import org.inductionlab.engine.train.TrainingOutcome;
import org.inductionlab.engine.train.TrainingProgress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a model and save it as a run folder.",
                "Ctrl-C stops after the current step and keeps a checkpoint; --resume continues it.",
                "Keys for --set: see 'induction-lab presets --keys'."})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--preset", paramLabel = "NAME", completionCandidates = PresetNames.class,
            description = "${COMPLETION-CANDIDATES}, or a preset file (JSON; default: course; see 'induction-lab presets')")
    String preset;

    /** The built-in presets, for --help: the list the lab loads them by, never a copy of it. */
    static final class PresetNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Preset.BUILT_IN.iterator();
        }
    }

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override one hyperparameter (repeatable)")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "run folder to create (or to resume)")
    Path out;

    @Option(names = "--resume", description = "continue the run in --out from its checkpoint")
    boolean resume;

    @Option(names = "--force", description = "replace a run already in --out (it is moved aside, not deleted)")
    boolean force;

    @Option(names = "--quiet", description = "print only the final line")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        PrintStream o = System.out;
        TrainingJob job;
        if (resume) {
            if (preset != null) {
                throw new InvalidConfigException("preset", "a resumed run keeps its own settings; drop --preset");
            }
            job = TrainingJob.resume(out, overrides);
        } else {
            Preset p = Preset.load(preset == null ? "course" : preset);
            job = TrainingJob.create(out, p.apply().with(overrides), p.name(), force);
            if (job.replacedRun() != null) {
                o.println("moved the run that was in " + out + " to " + job.replacedRun());
            }
        }

        TrainingControl control = job.control();
        // let the loop finish its step and write the checkpoint
        try (StopOnSignal stop = StopOnSignal.install(control::requestStop, 120)) {
            ConsoleListener listener = new ConsoleListener(o, quiet);
            TrainingOutcome outcome = job.run(listener);
            o.printf(Locale.ROOT, "%s at step %d: running accuracy %.4f, loss %.4f, %s wall, %.1f ms/step -> %s%n",
                    outcome.reason().words, outcome.step(), outcome.runningAccuracy(), outcome.loss(),
                    Durations.clock(outcome.wallSeconds()), outcome.msPerStep(), out);
            if (!quiet) {
                o.printf(Locale.ROOT, "memory (RSS): %s after the first step, %s at the end%n",
                        Machine.mib(listener.rssAfterFirstStep), Machine.mib(Machine.residentBytes()));
            }
            return Cli.OK;
        }
    }

    /** A line every two seconds, and one per checkpoint. */
    static final class ConsoleListener implements TrainingListener {
        private final PrintStream out;
        private final boolean quiet;
        private long lastPrint;
        private long firstStep = -1;
        long rssAfterFirstStep = -1;

        ConsoleListener(PrintStream out, boolean quiet) {
            this.out = out;
            this.quiet = quiet;
        }

        @Override
        public void onStart(TrainingStart s) {
            if (!quiet) {
                out.printf(Locale.ROOT, "%s %,d parameters on %s, steps %d..%d%n", s.resumed() ? "resuming" : "training",
                        s.parameterCount(), s.device(), s.firstStep(), s.maxSteps());
            }
        }

        @Override
        public void onCurriculumStage(long step, int length) {
            if (!quiet) {
                out.printf(Locale.ROOT, "curriculum: training length %d from step %d%n", length, step);
            }
        }

        @Override
        public void onPhaseChange(long step) {
            if (!quiet) {
                out.printf(Locale.ROOT, "phase change at step %d: running accuracy passed halfway from chance to 100 %%%n",
                        step);
            }
        }

        @Override
        public void onLengthPassed(int length, long step) {
            if (!quiet) {
                out.printf(Locale.ROOT, "length %d first passed 90 %% at step %d (held-out set, S anywhere)%n", length,
                        step);
            }
        }

        @Override
        public void onProgress(TrainingProgress p) {
            if (firstStep < 0) {
                firstStep = p.step();
                rssAfterFirstStep = Machine.residentBytes();
            }
            long now = System.nanoTime();
            if (quiet || now - lastPrint < 2_000_000_000L) {
                return;
            }
            lastPrint = now;
            out.printf(Locale.ROOT, "step %d/%d  %s  epoch %.2f  loss %.4f  acc %s (running %s)  %,.0f tok/s  %.0f ms/step"
                            + "  elapsed %s  eta %s%n", p.step(), p.maxSteps(),
                    "L=" + p.trainLength() + (p.stages() > 1 ? " (stage " + (p.stage() + 1) + " of " + p.stages() + ")" : ""),
                    p.epoch(), p.loss(),
                    Format.percent(p.batchAccuracy()).trim(), Format.percent(p.runningAccuracy()).trim(),
                    p.tokensPerSecond(), p.msPerStep(), Durations.clock(p.elapsedSeconds()),
                    (p.hasEta() ? Durations.clock(p.etaSeconds()) : "–") + " " + p.etaMeaning());
        }
    }
}
