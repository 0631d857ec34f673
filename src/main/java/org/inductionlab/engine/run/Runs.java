package org.inductionlab.engine.run;

import ai.djl.Device;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.model.ModelCost;
import org.inductionlab.engine.platform.EngineRuntime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Creating and listing runs, for the CLI and the window alike. */
public final class Runs {
    private Runs() {}

    /** A new run folder for {@code hp}, with the environment it will train on recorded. */
    public static RunFolder create(Path dir, Hyperparameters hp, String preset, boolean force) throws IOException {
        Device device = EngineRuntime.device(hp.validated().device());
        RunInfo info = new RunInfo(RunInfo.FORMAT, preset, Instant.now().toString(), hp.toText(),
                environment(device), ModelCost.parameterCount(hp),
                new RunInfo.Training("created", 0, 0, 0, Double.NaN, 0, null, Instant.now().toString()));
        return RunFolder.create(dir, info, force);
    }

    /** The software and device this process trains on. */
    public static RunInfo.Environment environment(Device device) {
        String lab = Runs.class.getPackage().getImplementationVersion();
        return new RunInfo.Environment(lab == null ? "dev" : lab, EngineRuntime.djlVersion(),
                EngineRuntime.libtorchVersion(), EngineRuntime.describe(device), EngineRuntime.threads(),
                System.getProperty("java.version"), System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    }

    /** Run folders directly under {@code root}, newest first; unreadable ones are skipped. */
    public static List<RunFolder> list(Path root) throws IOException {
        List<RunFolder> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.filter(Files::isDirectory).toList()) {
                if (Files.exists(p.resolve(RunFolder.CONFIG))) {
                    try {
                        out.add(RunFolder.open(p));
                    } catch (RunFolderException e) {
                        // a damaged folder is shown by the window as such, not listed as a run
                    }
                }
            }
        }
        out.sort(Comparator.comparing((RunFolder f) -> String.valueOf(f.info().created())).reversed());
        return out;
    }
}
