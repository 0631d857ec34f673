package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;

/** Reading a model's last-token logits: the predicted token, and how many of a batch are right. */
public final class Logits {
    private Logits() {}

    /** Index of the largest of {@code values[from .. from+count)}, relative to {@code from}; the first wins ties. */
    public static int argmax(float[] values, int from, int count) {
        int best = 0;
        for (int i = 1; i < count; i++) {
            if (values[from + i] > values[from + best]) {
                best = i;
            }
        }
        return best;
    }

    /** How many rows of {@code logits} (batch, V+1) put their largest value on the row's answer. */
    public static int countCorrect(NDArray logits, int[] answers) {
        long[] predicted = logits.argMax(1).toLongArray();
        int correct = 0;
        for (int b = 0; b < predicted.length; b++) {
            if (predicted[b] == answers[b]) {
                correct++;
            }
        }
        return correct;
    }
}
