package org.inductionlab.engine.train;

import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.run.MetricsRow;

import java.util.List;

/**
 * The phase change of induction-head training (Olsson et al. 2022, sec. 3): the step at which the running
 * accuracy first reaches halfway from chance (1/V) to 100 %. One rule for the training loop's event and
 * for curves read back from metrics.csv.
 */
public final class PhaseChange {
    private PhaseChange() {}

    /** The running accuracy that marks the phase change: (1/V + 1) / 2. */
    public static double threshold(Hyperparameters hp) {
        return (1.0 / hp.vocab() + 1) / 2;
    }

    /** The first logged step at or past the threshold, or -1. */
    public static long firstStep(Hyperparameters hp, List<MetricsRow> rows) {
        double t = threshold(hp);
        for (MetricsRow r : rows) {
            if (r.runningAccuracy() >= t) {
                return r.step();
            }
        }
        return -1;
    }
}
