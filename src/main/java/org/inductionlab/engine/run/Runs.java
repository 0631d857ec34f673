package org.inductionlab.engine.run;

import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.StandardCopyOption;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.FileVisitResult;
import java.nio.file.AtomicMoveNotSupportedException;
import ai.djl.Device;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.model.ModelCost;
import org.inductionlab.engine.platform.EngineRuntime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** Creating, renaming and deleting run folders (the lab's RunCatalogue lists them). */
public final class Runs {
    private Runs() {}

    /** A new run folder for {@code hp}, with the environment it will train on recorded. */
    public static RunFolder create(Path dir, Hyperparameters hp, String preset, boolean force) throws IOException {
        Device device = EngineRuntime.device(hp.validated().device());
        return RunFolder.create(dir, created(hp, preset, environment(device)), force);
    }

    /**
     * A run folder that is planned, not started: config.json with the settings and status "created", no
     * engine started and no environment recorded (the machine that trains it records its own).
     */
    public static RunFolder plan(Path dir, Hyperparameters hp, String preset) throws IOException {
        return RunFolder.create(dir, created(hp.validated(), preset, null), false);
    }

    /** config.json of a run that has taken no step yet. */
    private static RunInfo created(Hyperparameters hp, String preset, RunInfo.Environment environment) {
        String now = Instant.now().toString();
        return new RunInfo(RunInfo.FORMAT, preset, now, hp.toText(), environment, ModelCost.parameterCount(hp),
                new RunInfo.Training(RunStatus.CREATED.word(), 0, 0, 0, Double.NaN, 0, null, now), null);
    }

    /** The software and device this process trains on. */
    public static RunInfo.Environment environment(Device device) {
        String lab = Runs.class.getPackage().getImplementationVersion();
        return new RunInfo.Environment(lab == null ? "dev" : lab, EngineRuntime.djlVersion(),
                EngineRuntime.libtorchVersion(), EngineRuntime.flavor(), EngineRuntime.describe(device), EngineRuntime.threads(),
                System.getProperty("java.version"), System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    }

    /** Renames a run folder in place (atomically where the file system can); returns the new path. */
    public static Path rename(Path dir, String newName) throws IOException {
        String problem = RunNames.problem(newName);
        if (problem != null) {
            throw new RunFolderException(problem, "name");
        }
        if (!Files.exists(dir.resolve(RunFolder.CONFIG))) {
            throw new RunFolderException(dir + " is not a run folder; nothing renamed", "run_folder");
        }
        Path target = dir.resolveSibling(newName);
        if (Files.exists(target)) {
            throw new RunFolderException(newName + " is taken", "name");
        }
        try {
            Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(dir, target);
        }
        return target;
    }

    /** Deletes a run folder and everything in it. Refuses a folder that is not a run. */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir.resolve(RunFolder.CONFIG))) {
            throw new RunFolderException(dir + " is not a run folder; nothing deleted", "run_folder");
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
