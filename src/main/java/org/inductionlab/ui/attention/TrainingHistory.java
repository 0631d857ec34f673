package org.inductionlab.ui.attention;

import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.eval.HeadScores;
import org.inductionlab.engine.lab.RunRecords;

import java.util.Locale;

/**
 * The Attention page's "Training steps" source: the watched sequence's attention as training recorded it
 * (every scores_every steps, with the head scores of that step), so a student can scrub through training
 * and see a head form. Nothing here needs the model: the maps were saved as training went.
 */
public final class TrainingHistory {

    private RunRecords.Attention recording = RunRecords.Attention.NONE;
    private final ReadOnlyIntegerWrapper count = new ReadOnlyIntegerWrapper(0);
    private final IntegerProperty index = new SimpleIntegerProperty(0);

    /** Shows {@code r}, at its last step. */
    void set(RunRecords.Attention r) {
        recording = r;
        count.set(r.size());
        index.set(Math.max(0, r.size() - 1));
    }

    void clear() {
        set(RunRecords.Attention.NONE);
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
        return recording.step(clampedIndex());
    }

    AttentionMap map() {
        return recording.map(clampedIndex());
    }

    /** The head scores recorded at the shown step; null if heads.csv has none for it. */
    HeadScores scores() {
        return recording.scores(clampedIndex());
    }

    /** "the watched sequence (length 25, S anywhere, seed 1) at step 2,300 (recording 23 of 98, …)". */
    String caption() {
        return "the watched sequence (length " + (map().length() + 1) + ", S anywhere, seed 1) at " + describe();
    }

    /** "step 2,300 (recording 23 of 98, last at step 9,800)". */
    String describe() {
        if (count.get() == 0) {
            return "";
        }
        int n = recording.size();
        return String.format(Locale.ROOT, "step %,d (recording %d of %d, last at step %,d)", step(), clampedIndex() + 1,
                n, recording.step(n - 1));
    }
}
