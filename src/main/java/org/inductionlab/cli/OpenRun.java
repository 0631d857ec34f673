package org.inductionlab.cli;

import ai.djl.ndarray.NDManager;
import org.inductionlab.engine.config.DeviceChoice;
import org.inductionlab.engine.model.TransformerModel;
import org.inductionlab.engine.platform.EngineRuntime;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunModels;

import java.nio.file.Path;

/** A run folder with its trained model loaded on a device; closing frees the model. */
final class OpenRun implements AutoCloseable {
    final RunFolder folder;
    final NDManager manager;
    final TransformerModel model;

    OpenRun(Path dir, DeviceChoice device) {
        folder = RunFolder.open(dir);
        var hp = folder.hyperparameters();
        EngineRuntime.start(hp.threads());
        manager = NDManager.newBaseManager(EngineRuntime.device(device == null ? hp.device() : device));
        try {
            model = RunModels.load(folder, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    @Override
    public void close() {
        model.close();
        manager.close();
    }
}
