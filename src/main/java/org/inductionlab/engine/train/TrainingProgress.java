package org.inductionlab.engine.train;

/**
 * A snapshot after one training step, shared by the CLI's log lines and the window's dashboard. The ETA says
 * what it counts to ({@link Eta}); during a curriculum's shorter stages neither max_steps (counted at a step
 * cost the longer stages will not have) nor the early stop (which waits for the last stage) can be estimated,
 * so the ETA there is to the next stage when the accuracy is rising towards it, else there is none.
 */
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
        Eta eta,
        int trainLength,
        int stage,
        int stages) {

    /** What {@link #etaSeconds} counts to. */
    public enum Eta {
        /** The early stop, at the recent pace of the running accuracy (the final length only). */
        EARLY_STOP,
        /** max_steps at the current time per step. */
        MAX_STEPS,
        /** The curriculum's next stage, at the recent pace of the running accuracy. */
        NEXT_STAGE,
        /** Nothing that can be estimated (a curriculum stage whose accuracy is not rising towards the next). */
        NONE
    }

    /** Without a curriculum: one stage. */
    public TrainingProgress(long step, long maxSteps, double epoch, double loss, double batchAccuracy,
                            double runningAccuracy, double learningRate, double tokensPerSecond, double msPerStep,
                            double elapsedSeconds, double etaSeconds, Eta eta, int trainLength) {
        this(step, maxSteps, epoch, loss, batchAccuracy, runningAccuracy, learningRate, tokensPerSecond, msPerStep,
                elapsedSeconds, etaSeconds, eta, trainLength, 0, 1);
    }

    /** "epoch 1.25 of 25", or "epoch 0.01 of 0.07" for a run shorter than an epoch. */
    public String epochText() {
        double total = step > 0 ? epoch * maxSteps / step : 0;
        return String.format(java.util.Locale.ROOT, total >= 10 ? "epoch %.2f of %.0f" : "epoch %.2f of %.2f", epoch,
                total);
    }

    /**
     * What the ETA counts to: "to the early stop at current pace", "to max_steps", "to stage 3 of 4 (L=128) at
     * current pace", or during a stage whose accuracy is not yet rising, why there is none.
     */
    public String etaMeaning() {
        return switch (eta) {
            case EARLY_STOP -> "to the early stop at current pace";
            case MAX_STEPS -> "to max_steps";
            case NEXT_STAGE -> "to stage " + (stage + 2) + " of " + stages + " at current pace";
            case NONE -> "none before the last stage";
        };
    }

    /** Whether there is an ETA to show. */
    public boolean hasEta() {
        return eta != Eta.NONE && !Double.isNaN(etaSeconds);
    }

    /** "stage 2 of 4 (L=64)" during a curriculum, "" without one. */
    public String stageText() {
        return stages <= 1 ? "" : "stage " + (stage + 1) + " of " + stages + " (L=" + trainLength + ")";
    }
}
