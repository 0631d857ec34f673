package org.inductionlab.ui.train;

import javafx.beans.property.LongProperty;
import javafx.beans.property.SimpleLongProperty;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.run.HeadScoreRow;
import org.inductionlab.engine.run.MetricsRow;
import org.inductionlab.engine.lab.RunRecords;
import org.inductionlab.engine.train.TrainingProgress;
import org.inductionlab.ui.BackgroundTask;
import org.inductionlab.ui.TaskExecutor;
import org.inductionlab.ui.control.ThinnedSeries;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;

import java.util.List;

/**
 * The Train page's charts: loss and running accuracy (in %) against step, thinned so 200k steps stay
 * smooth, and the phase-change step. The series take points from any thread; the version and the phase
 * change are set on the UI thread.
 */
public final class TrainingCurves {

    /** Points kept per chart; 200k steps thin down to this many bucket means. */
    static final int CHART_POINTS = 1500;

    private final ThinnedSeries loss = new ThinnedSeries(CHART_POINTS);
    private final ThinnedSeries accuracy = new ThinnedSeries(CHART_POINTS);
    private final LongProperty phaseChangeStep = new SimpleLongProperty(-1);
    private final LongProperty version = new SimpleLongProperty();
    private final javafx.collections.ObservableList<long[]> stages = javafx.collections.FXCollections.observableArrayList();
    private final javafx.collections.ObservableList<HeadScoreRow> heads = javafx.collections.FXCollections.observableArrayList();
    private final javafx.collections.ObservableList<org.inductionlab.engine.run.GeneralisationRow> generalisation =
            javafx.collections.FXCollections.observableArrayList();
    private BackgroundTask loads; // made on the first load, with the executor it gives

    public ThinnedSeries loss() {
        return loss;
    }

    public ThinnedSeries accuracy() {
        return accuracy;
    }

    public LongProperty phaseChangeStep() {
        return phaseChangeStep;
    }

    /** Bumped whenever the series changed. */
    public LongProperty version() {
        return version;
    }

    /** Every head's scores as training went (heads.csv): watching a head form. */
    public javafx.collections.ObservableList<HeadScoreRow> heads() {
        return heads;
    }

    /** The held-out set at longer lengths as training went (generalisation.csv). */
    public javafx.collections.ObservableList<org.inductionlab.engine.run.GeneralisationRow> generalisation() {
        return generalisation;
    }

    /** The curriculum's stages: (step, length) where the training length doubled. */
    public javafx.collections.ObservableList<long[]> stages() {
        return stages;
    }

    void clear() {
        loss.clear();
        accuracy.clear();
        phaseChangeStep.set(-1);
        stages.clear();
        heads.clear();
        generalisation.clear();
        changed();
    }

    /** A run's logged curve (metrics.csv), with its phase change as the engine finds it. */
    void show(List<MetricsRow> rows, long phaseChange) {
        loss.clear();
        accuracy.clear();
        stages.clear();
        int length = 0;
        for (MetricsRow r : rows) {
            loss.add(r.step(), r.loss());
            accuracy.add(r.step(), 100 * r.runningAccuracy());
            if (length > 0 && r.trainLength() > length) {
                stages.add(new long[] {r.step(), r.trainLength()});
            }
            length = r.trainLength();
        }
        phaseChangeStep.set(phaseChange);
        changed();
    }

    /**
     * Clears, then reads a run's metrics.csv in the background and shows it, if it is still the latest
     * asked for and {@code stillWanted} says so when it arrives (the user may have moved on).
     */
    void load(TaskExecutor executor, Path run, Hyperparameters hp, BooleanSupplier stillWanted) {
        clear();
        if (loads == null) {
            loads = BackgroundTask.quick(executor);
        }
        loads.start(request -> RunRecords.curves(run), c -> {
            if (stillWanted.getAsBoolean()) {
                show(c.metrics(), c.phaseChange());
                heads.setAll(c.heads());
                generalisation.setAll(c.generalisation());
            }
        }, e -> { }); // a run without a readable curve shows none
    }

    /** One training step (any thread). */
    void add(TrainingProgress p) {
        loss.add(p.step(), p.loss());
        accuracy.add(p.step(), 100 * p.runningAccuracy());
    }

    void changed() {
        version.set(version.get() + 1);
    }
}
