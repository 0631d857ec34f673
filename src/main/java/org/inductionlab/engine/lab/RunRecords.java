package org.inductionlab.engine.lab;

import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.eval.HeadScores;
import org.inductionlab.engine.run.AttentionFrame;
import org.inductionlab.engine.run.HeadScoreRow;
import org.inductionlab.engine.run.MetricsRow;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.engine.train.PhaseChange;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a run folder recorded, read back for a front end without loading the model: the training curve
 * with its phase change, each head's scores as training went, the watched sequence's attention step by
 * step, and the accuracy its sweeps measured.
 */
public final class RunRecords {
    private RunRecords() {}

    /**
     * metrics.csv's rows, heads.csv's rows, the step of the phase change (-1: not reached), and
     * generalisation.csv's rows.
     */
    public record Curves(List<MetricsRow> metrics, List<HeadScoreRow> heads, long phaseChange,
                         List<org.inductionlab.engine.run.GeneralisationRow> generalisation) {}

    /** The run's curves as its folder holds them. */
    public static Curves curves(Path run) throws IOException {
        RunFolder folder = RunFolder.open(run);
        return curves(folder, folder.hyperparameters());
    }

    static Curves curves(RunFolder folder, Hyperparameters hp) throws IOException {
        List<MetricsRow> rows = folder.readMetrics();
        return new Curves(rows, folder.readHeadScores(), PhaseChange.firstStep(hp, rows), folder.readGeneralisation());
    }

    /** Every point the run's sweeps measured (sweep.csv), by length and layout. */
    public static List<SweepPoint> sweep(Path run) throws IOException {
        return RunFolder.open(run).readSweep();
    }

    /**
     * The watched sequence's attention as training recorded it (every scores_every steps), with the head
     * scores of each recorded step; empty for a run that recorded none.
     */
    public record Attention(List<AttentionFrame> frames, SortedMap<Long, HeadScores> scores, int inductionToken) {
        public static final Attention NONE = new Attention(List.of(), new TreeMap<>(), 0);

        public int size() {
            return frames.size();
        }

        public boolean isEmpty() {
            return frames.isEmpty();
        }

        /** The training step of recording {@code i}. */
        public long step(int i) {
            return frames.get(i).step();
        }

        /** Every head's weights at recording {@code i}. */
        public AttentionMap map(int i) {
            return AttentionMap.of(frames.get(i), inductionToken);
        }

        /** The head scores logged at recording {@code i}'s step; null when heads.csv has none for it. */
        public HeadScores scores(int i) {
            return scores.get(step(i));
        }
    }

    /** The run's recorded attention (nothing needs the model: the maps were saved as training went). */
    public static Attention attention(Path run) throws IOException {
        RunFolder folder = RunFolder.open(run);
        Hyperparameters hp = folder.hyperparameters();
        return new Attention(AttentionFrame.read(run), HeadScores.fromRows(hp, folder.readHeadScores()),
                hp.inductionToken());
    }
}
