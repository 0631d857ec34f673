package org.inductionlab.engine.lab;

import org.inductionlab.engine.lab.study.Study;

import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunInfo;
import org.inductionlab.engine.run.RunStatus;

import java.nio.file.Path;

/**
 * One run as the catalogue lists it ({@link RunCatalogue}): read once from its config.json, so lists and
 * plots never read the disk; {@code resumable} is {@link TrainingJob#resumable}'s answer at that time.
 */
public record RunEntry(Path path, String name, String preset, RunStatus status, long steps, double runningAccuracy,
                       double epoch, double lastLoss, double wallSeconds, String created,
                       Hyperparameters hyperparameters, boolean hasCheckpoint, boolean resumable) {

    static RunEntry of(RunFolder folder) {
        RunInfo info = folder.info();
        RunInfo.Training t = info.training();
        return new RunEntry(folder.path(), displayName(folder.path()), info.preset() == null ? "" : info.preset(),
                t == null ? RunStatus.UNKNOWN : t.runStatus(), t == null ? 0 : t.steps(),
                t == null ? Double.NaN : t.runningAccuracy(), t == null ? 0 : t.epoch(),
                t == null ? Double.NaN : t.lastLoss(), t == null ? 0 : t.wallSeconds(),
                info.created() == null ? "" : info.created(),
                folder.hyperparameters(), folder.hasCheckpoint(), TrainingJob.resumable(folder));
    }

    /**
     * The folder's name; for a study's run ({@code STUDY/runs/NAME}) "STUDY/NAME", so runs of two studies
     * planned from one spec stay apart in lists and legends.
     */
    static String displayName(Path path) {
        Path name = path.getFileName();
        Path runs = path.toAbsolutePath().getParent();
        if (runs != null && runs.getFileName() != null && runs.getFileName().toString().equals(Study.RUNS)
                && runs.getParent() != null && Study.isStudy(runs.getParent())) {
            return runs.getParent().getFileName() + "/" + name;
        }
        return name.toString();
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
