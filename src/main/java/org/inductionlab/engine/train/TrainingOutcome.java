package org.inductionlab.engine.train;

import org.inductionlab.engine.run.RunStatus;

/** How a training session ended. */
public record TrainingOutcome(Reason reason, long step, double runningAccuracy, double loss, double wallSeconds,
                              double msPerStep, String message) {

    public enum Reason {
        TARGET_REACHED("reached the early-stop target"),
        MAX_STEPS("reached max_steps"),
        STOPPED("stopped; the checkpoint is kept and can be resumed"),
        FAILED("failed");

        public final String words;

        Reason(String words) {
            this.words = words;
        }

        /** The run's status after an end like this. */
        public RunStatus status() {
            return switch (this) {
                case TARGET_REACHED, MAX_STEPS -> RunStatus.FINISHED;
                case STOPPED -> RunStatus.STOPPED;
                case FAILED -> RunStatus.FAILED;
            };
        }
    }
}
