package org.inductionlab.ui.attention;

import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.eval.HeadScores;
import org.inductionlab.engine.run.AttentionFrame;
import org.inductionlab.engine.run.RunFolder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;

/**
 * The Attention page's "Training steps" source: the watched sequence's attention as training recorded it
 * (every scores_every steps, with the head scores of that step), so a student can scrub through training
 * and see a head form. Nothing here needs the model: the maps were saved as training went.
 */
public final class TrainingHistory {

    /** What a run folder recorded, read on a worker thread. */
    public record Recording(List<AttentionFrame> frames, SortedMap<Long, HeadScores> scores, int inductionToken) {

        public static Recording read(Path run, Hyperparameters hp) throws IOException {
            return new Recording(AttentionFrame.read(run),
                    HeadScores.fromRows(hp, RunFolder.open(run).readHeadScores()), hp.inductionToken());
        }

        public boolean isEmpty() {
            return frames.isEmpty();
        }
    }

    private Recording recording = new Recording(List.of(), new java.util.TreeMap<>(), 0);
    private final ReadOnlyIntegerWrapper count = new ReadOnlyIntegerWrapper(0);
    private final IntegerProperty index = new SimpleIntegerProperty(0);

    /** Shows {@code r}, at its last step. */
    void set(Recording r) {
        recording = r;
        count.set(r.frames().size());
        index.set(Math.max(0, r.frames().size() - 1));
    }

    void clear() {
        set(new Recording(List.of(), new java.util.TreeMap<>(), 0));
    }

    /** How many steps were recorded (0: none, or nothing loaded). */
    public ReadOnlyIntegerProperty count() {
        return count.getReadOnlyProperty();
    }

    /** Which recorded step is shown, 0..count-1. */
    public IntegerProperty index() {
        return index;
    }

    int clampedIndex() {
        return Math.max(0, Math.min(index.get(), count.get() - 1));
    }

    long step() {
        return recording.frames().get(clampedIndex()).step();
    }

    AttentionMap map() {
        return AttentionMap.of(recording.frames().get(clampedIndex()), recording.inductionToken());
    }

    /** The head scores recorded at the shown step; null if heads.csv has none for it. */
    HeadScores scores() {
        return recording.scores().get(step());
    }

    /** "step 2,300 (recording 23 of 98, last at step 9,800)". */
    String describe() {
        if (count.get() == 0) {
            return "";
        }
        List<AttentionFrame> f = recording.frames();
        return String.format(Locale.ROOT, "step %,d (recording %d of %d, last at step %,d)", step(), clampedIndex() + 1,
                f.size(), f.get(f.size() - 1).step());
    }
}
