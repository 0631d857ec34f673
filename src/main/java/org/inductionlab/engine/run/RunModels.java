package org.inductionlab.engine.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.model.SequenceModel;

import java.util.LinkedHashMap;
import java.util.Map;

/** Builds a run's model and fills it with the checkpoint's weights. */
public final class RunModels {
    private RunModels() {}

    /** The trained model of {@code folder} on {@code manager}'s device; close it when done. */
    public static SequenceModel load(RunFolder folder, NDManager manager) {
        Hyperparameters hp = folder.hyperparameters();
        SequenceModel model = SequenceModel.create(hp, manager);
        try (NDManager scratch = manager.newSubManager();
             RunFolder.Checkpoint cp = folder.readCheckpoint(scratch)) {
            model.load(parameters(cp));
            return model;
        } catch (RuntimeException e) {
            model.close();
            if (e instanceof RunFolderException) {
                throw e;
            }
            throw new RunFolderException(folder.path().resolve(RunFolder.CHECKPOINT) + " does not fit the run's model: "
                    + e.getMessage(), e);
        }
    }

    /** The checkpoint's parameters by name. */
    public static Map<String, NDArray> parameters(RunFolder.Checkpoint cp) {
        Map<String, NDArray> byName = new LinkedHashMap<>();
        for (NDArray a : cp.parameters()) {
            byName.put(a.getName(), a);
        }
        return byName;
    }
}
