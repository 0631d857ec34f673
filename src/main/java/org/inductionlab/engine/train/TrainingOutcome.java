package org.inductionlab.engine.train;

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

        /** The status word in config.json. */
        public String status() {
            return switch (this) {
                case TARGET_REACHED, MAX_STEPS -> "finished";
                case STOPPED -> "stopped";
                case FAILED -> "failed";
            };
        }
    }
}
