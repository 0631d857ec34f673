package org.inductionlab.ui.event;

import org.inductionlab.engine.lab.RunEntry;

import java.nio.file.Path;

/** What one page asks of another about a run, and what every page must hear about runs. */
public final class RunEvents {
    private RunEvents() {}

    /** Show the run's settings and training curve on the Train page (a stopped run can then be resumed). */
    public record ShowInTrain(RunEntry run) {}

    /** Open the run on the Attention page and compute its map. */
    public record ShowInAttention(RunEntry run) {}

    /** Add the run to the Sweep page's plot. */
    public record AddToPlot(RunEntry run) {}

    /** Show a study (a folder with study.json) on the Sweep page, its runs grouped by a setting. */
    public record ShowStudy(Path study) {}

    /** The run folder at {@code path} is gone (deleted) or now lives at {@code newPath} (renamed; else null). */
    public record Moved(Path path, Path newPath) {
        public boolean deleted() {
            return newPath == null;
        }
    }
}
