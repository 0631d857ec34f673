package org.inductionlab.ui.runs;

import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunInfo;

import java.nio.file.Path;

/** One run as the lists and the plot show it. */
public record RunEntry(Path path, String name, String preset, String status, long steps, double runningAccuracy,
                       String created, Hyperparameters hyperparameters, boolean hasCheckpoint) {

    public static RunEntry of(RunFolder folder) {
        RunInfo info = folder.info();
        RunInfo.Training t = info.training();
        return new RunEntry(folder.path(), folder.name(), info.preset() == null ? "" : info.preset(),
                t == null ? "?" : t.status(), t == null ? 0 : t.steps(), t == null ? Double.NaN : t.runningAccuracy(),
                info.created() == null ? "" : info.created(), folder.hyperparameters(), folder.hasCheckpoint());
    }

    /** "2026-11-26 04:52" from the ISO timestamp. */
    public String createdShort() {
        return created.length() >= 16 ? created.substring(0, 10) + " " + created.substring(11, 16) : created;
    }

    @Override
    public String toString() {
        return name;
    }
}
