package org.inductionlab.engine.train;

/** A snapshot after one training step, shared by the CLI's log lines and the window's dashboard. */
public record TrainingProgress(
        long step,
        long maxSteps,
        double epoch,
        double loss,
        double batchAccuracy,
        double runningAccuracy,
        double learningRate,
        double tokensPerSecond,
        double msPerStep,
        double elapsedSeconds,
        double etaSeconds,
        boolean etaToEarlyStop) {

    /** "to the early stop" or "to max_steps": what the ETA counts to. */
    public String etaMeaning() {
        return etaToEarlyStop ? "to the early stop" : "to max_steps";
    }
}
