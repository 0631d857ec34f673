package org.inductionlab.cli;

import org.inductionlab.engine.config.HyperparameterSchema;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.config.Preset;
import org.inductionlab.engine.platform.MachineMemory;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.Runs;
import org.inductionlab.engine.train.Trainer;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a model and save it as a run folder.",
                "Ctrl-C stops after the current step and keeps a checkpoint; --resume continues it.",
                "Keys for --set: see 'induction-lab presets --keys'."})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--preset", paramLabel = "NAME", description = "course, fast, tiny, or a .json file (default: course)")
    String preset;

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
        RunFolder folder;
        Hyperparameters hp;
        if (resume) {
            if (preset != null) {
                throw new InvalidConfigException("preset", "a resumed run keeps its own settings; drop --preset");
            }
            folder = RunFolder.open(out);
            hp = folder.hyperparameters();
            Map<String, String> allowed = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : overrides.entrySet()) {
                HyperparameterSchema.Field f = HyperparameterSchema.field(e.getKey());
                if (f.group() == HyperparameterSchema.Group.TASK || f.group() == HyperparameterSchema.Group.MODEL) {
                    throw new InvalidConfigException(f.key(), "cannot change when resuming (the model and its data are fixed;"
                            + " allowed: optimisation, stopping and run settings)");
                }
                allowed.put(e.getKey(), e.getValue());
            }
            if (!allowed.isEmpty()) {
                hp = hp.with(allowed).validated();
                folder.writeInfo(folder.info().withHyperparameters(hp.toText()));
            }
            if (!folder.hasCheckpoint()) {
                throw new org.inductionlab.engine.run.RunFolderException(out + " has no checkpoint to resume from", "out");
            }
        } else {
            Preset p = Preset.load(preset == null ? "course" : preset);
            hp = p.apply().with(overrides).validated();
            folder = Runs.create(out, hp, p.name(), force);
            if (folder.replacedRun() != null) {
                o.println("moved the run that was in " + out + " to " + folder.replacedRun());
            }
        }

        TrainingControl control = new TrainingControl();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            control.requestStop();
            try {
                done.await(120, TimeUnit.SECONDS); // let the loop finish its step and write the checkpoint
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "train-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            ConsoleListener listener = new ConsoleListener(o, quiet);
            TrainingOutcome outcome = new Trainer(hp, folder, listener, control).run(resume);
            o.printf(Locale.ROOT, "%s at step %d: running accuracy %.4f, loss %.4f, %s wall, %.1f ms/step -> %s%n",
                    outcome.reason().words, outcome.step(), outcome.runningAccuracy(), outcome.loss(),
                    Format.duration(outcome.wallSeconds()), outcome.msPerStep(), out);
            if (!quiet) {
                o.printf(Locale.ROOT, "memory (RSS): %s after the first step, %s at the end%n",
                        MachineMemory.mib(listener.rssAfterFirstStep), MachineMemory.mib(MachineMemory.residentBytes()));
            }
            return Cli.OK;
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and now returns
            }
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
        public void onProgress(TrainingProgress p) {
            if (firstStep < 0) {
                firstStep = p.step();
                rssAfterFirstStep = MachineMemory.residentBytes();
            }
            long now = System.nanoTime();
            if (quiet || now - lastPrint < 2_000_000_000L) {
                return;
            }
            lastPrint = now;
            out.printf(Locale.ROOT, "step %d/%d  epoch %.2f  loss %.4f  acc %s (running %s)  %,.0f tok/s  %.0f ms/step"
                            + "  elapsed %s  eta %s%n", p.step(), p.maxSteps(), p.epoch(), p.loss(),
                    Format.percent(p.batchAccuracy()).trim(), Format.percent(p.runningAccuracy()).trim(),
                    p.tokensPerSecond(), p.msPerStep(), Format.duration(p.elapsedSeconds()),
                    Format.duration(p.etaSeconds()));
        }
    }
}
