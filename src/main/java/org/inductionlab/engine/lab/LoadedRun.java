package org.inductionlab.engine.lab;

import ai.djl.ndarray.NDManager;
import org.inductionlab.engine.config.DeviceChoice;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.model.SequenceModel;
import org.inductionlab.engine.platform.EngineRuntime;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunModels;

import java.nio.file.Path;

/**
 * A run folder with its trained model loaded on a device: what "open a run" means for every front end
 * (eval, predict, attention, the Sweep and Attention pages). Starts libtorch if needed; closing frees the
 * model and its memory. Not thread-safe: use it on one thread.
 */
public final class LoadedRun implements AutoCloseable {
    private final RunFolder folder;
    private final NDManager manager;
    private final SequenceModel model;

    private LoadedRun(RunFolder folder, NDManager manager, SequenceModel model) {
        this.folder = folder;
        this.manager = manager;
        this.model = model;
    }

    /** Opens the run in {@code dir} on {@code device}, or on the run's own device when it is null. */
    public static LoadedRun open(Path dir, DeviceChoice device) {
        RunFolder folder = RunFolder.open(dir);
        Hyperparameters hp = folder.hyperparameters();
        EngineRuntime.start(hp.threads());
        NDManager manager = NDManager.newBaseManager(EngineRuntime.device(device == null ? hp.device() : device));
        try {
            return new LoadedRun(folder, manager, RunModels.load(folder, manager));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public RunFolder folder() {
        return folder;
    }

    public Path path() {
        return folder.path();
    }

    /** Where the run's sweeps are kept (sweep.csv). */
    public Path sweepFile() {
        return folder.path().resolve(RunFolder.SWEEP);
    }

    /** The run folder's name, as outputs name the run. */
    public String name() {
        return folder.name();
    }

    public SequenceModel model() {
        return model;
    }

    public Hyperparameters hyperparameters() {
        return model.hyperparameters();
    }

    /** Whether the model sits on a GPU. */
    public boolean onGpu() {
        return model.device().isGpu();
    }

    /** "CPU (2 threads)" or "GPU 0 (…)". */
    public String deviceDescription() {
        return EngineRuntime.describe(model.device());
    }

    @Override
    public void close() {
        model.close();
        manager.close();
    }
}
