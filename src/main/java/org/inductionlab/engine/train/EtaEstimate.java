package org.inductionlab.engine.train;

/**
 * How long until a run stops. Counting to max_steps says 50 minutes for a run that will stop early in 2,
 * so once the running accuracy is past the phase change and rising, the estimate follows its recent
 * slope to the early-stop target instead, if that comes first, and says which it is.
 */
final class EtaEstimate {

    /** Steps between the two accuracy readings whose difference gives the slope. */
    private final int span;
    private final double threshold;
    private final double target;
    private final double[] history;
    private long recorded;

    EtaEstimate(int span, double phaseThreshold, double target) {
        this.span = Math.max(10, span);
        this.threshold = phaseThreshold;
        this.target = target;
        this.history = new double[this.span + 1];
    }

    /** Records the running accuracy after a step. */
    void add(double runningAccuracy) {
        history[(int) (recorded % history.length)] = runningAccuracy;
        recorded++;
    }

    /** Steps left to the early stop, or -1 when the accuracy is not (yet) rising towards it. */
    long stepsToTarget() {
        if (recorded <= span) {
            return -1;
        }
        double now = history[(int) ((recorded - 1) % history.length)];
        double then = history[(int) ((recorded - 1 - span) % history.length)];
        double slope = (now - then) / span;
        if (now < threshold || slope <= 0) {
            return -1;
        }
        return now >= target ? 0 : (long) Math.ceil((target - now) / slope);
    }
}
