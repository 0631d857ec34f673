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
        boolean etaToEarlyStop,
        int trainLength) {

    /** "epoch 1.25 of 25", or "epoch 0.01 of 0.07" for a run shorter than an epoch. */
    public String epochText() {
        double total = step > 0 ? epoch * maxSteps / step : 0;
        return String.format(java.util.Locale.ROOT, total >= 10 ? "epoch %.2f of %.0f" : "epoch %.2f of %.2f", epoch,
                total);
    }

    /** "to the early stop" or "to max_steps": what the ETA counts to. */
    public String etaMeaning() {
        return etaToEarlyStop ? "to the early stop" : "to max_steps";
    }
}
