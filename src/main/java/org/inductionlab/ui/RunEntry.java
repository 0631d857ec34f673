package org.inductionlab.ui;

import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunInfo;
import org.inductionlab.engine.run.RunStatus;

import java.nio.file.Path;

/** One run as the lists and the plot show it: read once from its config.json, off the FX thread. */
public record RunEntry(Path path, String name, String preset, RunStatus status, long steps, double runningAccuracy,
                       double epoch, double lastLoss, double wallSeconds, String created,
                       Hyperparameters hyperparameters, boolean hasCheckpoint) {

    public static RunEntry of(RunFolder folder) {
        RunInfo info = folder.info();
        RunInfo.Training t = info.training();
        return new RunEntry(folder.path(), folder.name(), info.preset() == null ? "" : info.preset(),
                t == null ? RunStatus.UNKNOWN : t.runStatus(), t == null ? 0 : t.steps(),
                t == null ? Double.NaN : t.runningAccuracy(), t == null ? 0 : t.epoch(),
                t == null ? Double.NaN : t.lastLoss(), t == null ? 0 : t.wallSeconds(),
                info.created() == null ? "" : info.created(),
                folder.hyperparameters(), folder.hasCheckpoint());
    }

    /** Whether Resume can continue it from its checkpoint. */
    public boolean resumable() {
        return status.resumable() && hasCheckpoint;
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
