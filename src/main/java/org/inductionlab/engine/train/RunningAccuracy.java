package org.inductionlab.engine.train;

/** Mean of the last {@code window} steps' batch accuracies, as the course's early stop uses it. */
public final class RunningAccuracy {
    private final double[] values;
    private int count;
    private int next;
    private double sum;

    public RunningAccuracy(int window) {
        values = new double[window];
    }

    public void add(double accuracy) {
        if (count == values.length) {
            sum -= values[next];
        } else {
            count++;
        }
        values[next] = accuracy;
        sum += accuracy;
        next = (next + 1) % values.length;
    }

    public double mean() {
        return count == 0 ? 0 : sum / count;
    }

    /** True once a whole window has been seen (early stop waits for this). */
    public boolean full() {
        return count == values.length;
    }

    /** Oldest first, for a checkpoint. */
    public double[] values() {
        double[] out = new double[count];
        int start = count == values.length ? next : 0;
        for (int i = 0; i < count; i++) {
            out[i] = values[(start + i) % values.length];
        }
        return out;
    }

    public static RunningAccuracy of(int window, double[] saved) {
        RunningAccuracy r = new RunningAccuracy(window);
        int from = Math.max(0, saved.length - window);
        for (int i = from; i < saved.length; i++) {
            r.add(saved[i]);
        }
        return r;
    }
}
