package org.inductionlab.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.inductionlab.engine.task.RepeatTask;

/**
 * The loss of a task scored on many positions ({@link RepeatTask}): mean cross-entropy of the next token
 * over the scored positions of every-position logits (batch, n, V+1), and how many of them are right.
 */
public final class ScoredLoss {
    private ScoredLoss() {}

    /** Mean over scored positions of -log softmax(logits)[next]; attached to {@code m}. */
    public static NDArray loss(NDArray logits, RepeatTask.Batch data, NDManager m) {
        long[] next = new long[data.next().length];
        float[] mask = new float[next.length];
        for (int i = 0; i < next.length; i++) {
            next[i] = data.next()[i];
            mask[i] = data.scored()[i] ? 1f : 0f;
        }
        Shape rows = new Shape(data.count(), data.inputLength());
        NDArray nll = logits.logSoftmax(2).gather(m.create(next, new Shape(data.count(), data.inputLength(), 1)), 2)
                .reshape(rows).neg();
        return nll.mul(m.create(mask, rows)).sum().div(Math.max(1, data.scoredCount()));
    }

    /** Scored positions whose largest logit is the next token. */
    public static int countCorrect(NDArray logits, RepeatTask.Batch data) {
        long[] predicted = logits.argMax(2).toLongArray();
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            if (data.scored()[i] && predicted[i] == data.next()[i]) {
                correct++;
            }
        }
        return correct;
    }
}
