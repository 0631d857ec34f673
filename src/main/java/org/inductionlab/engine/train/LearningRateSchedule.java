package org.inductionlab.engine.train;

import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.Schedule;

/** Linear warm-up to the peak, then constant or a cosine to zero at max_steps. */
public final class LearningRateSchedule {
    private LearningRateSchedule() {}

    /** Learning rate for update number {@code step} (0-based). */
    public static double at(Hyperparameters hp, long step) {
        double peak = hp.lr();
        if (hp.warmupSteps() > 0 && step < hp.warmupSteps()) {
            return peak * (step + 1) / hp.warmupSteps();
        }
        if (hp.schedule() == Schedule.COSINE) {
            long span = Math.max(1, hp.maxSteps() - hp.warmupSteps());
            double t = Math.min(1.0, (double) (step - hp.warmupSteps()) / span);
            return peak * 0.5 * (1 + Math.cos(Math.PI * t));
        }
        return peak;
    }
}
