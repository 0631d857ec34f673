package org.inductionlab.engine.task;

import java.util.SplittableRandom;

/**
 * Olsson et al.'s (2022) task: repeated random tokens. A sequence of length L is a random prefix of r
 * tokens, a block of n random tokens, and the same block again (r + 2n = L, n drawn uniformly from
 * [max(2, L/4), L/2] per sequence, so where the repeat starts tells nothing). The model predicts every next
 * token; the ones scored are those of the repeat that the first copy determines: the repeat's second token
 * onwards (its first token is as random as any). A head that finds the earlier occurrence of the present
 * token and copies the token after it (a generic induction head) solves them all; no trigger token S is
 * used, and no fixed offset works, since n varies.
 *
 * <p>Like {@link InductionTask}, sequence i depends only on (seed, i).
 */
public final class RepeatTask {

    private final int vocab;
    private final long seed;

    public RepeatTask(int vocab, long seed) {
        if (vocab < 2) {
            throw new IllegalArgumentException("vocab must be >= 2");
        }
        this.vocab = vocab;
        this.seed = seed;
    }

    /** One sequence: all L tokens, where the block starts and its length. */
    public record Sequence(int[] tokens, int blockStart, int block) {
        /** The first input position whose next token is scored: the repeat's first token (it predicts the second). */
        public int firstScored() {
            return blockStart + block;
        }
    }

    /** Sequence number {@code index} at this length (at least 4). */
    public Sequence sequence(long index, int length) {
        if (length < 4) {
            throw new IllegalArgumentException("the repeat task needs length >= 4, got " + length);
        }
        SplittableRandom rng = new SplittableRandom(InductionTask.mix(seed ^ 0x52455045L, index));
        int longest = length / 2;
        int shortest = Math.max(2, length / 4);
        int n = shortest + rng.nextInt(longest - shortest + 1);
        int r = length - 2 * n;
        int[] t = new int[length];
        for (int i = 0; i < r + n; i++) {
            t[i] = rng.nextInt(vocab);
        }
        System.arraycopy(t, r, t, r + n, n);
        return new Sequence(t, r, n);
    }

    /**
     * Sequences {@code first .. first+count-1} as the model reads them: the first L-1 tokens of each
     * (row-major, as longs), the next token at every input position, and which positions are scored.
     */
    public Batch batch(long first, int count, int length) {
        int n = length - 1;
        long[] inputs = new long[Math.multiplyExact(count, n)];
        int[] next = new int[count * n];
        boolean[] scored = new boolean[count * n];
        for (int b = 0; b < count; b++) {
            Sequence s = sequence(first + b, length);
            for (int i = 0; i < n; i++) {
                inputs[b * n + i] = s.tokens()[i];
                next[b * n + i] = s.tokens()[i + 1];
                scored[b * n + i] = i >= s.firstScored();
            }
        }
        return new Batch(inputs, next, scored, count, n);
    }

    /**
     * A batch for the model: {@code inputs} has {@code count * inputLength} token ids, {@code next} the token
     * that follows each, {@code scored} whether the loss and the accuracy count that position.
     */
    public record Batch(long[] inputs, int[] next, boolean[] scored, int count, int inputLength) {
        public int scoredCount() {
            int c = 0;
            for (boolean s : scored) {
                c += s ? 1 : 0;
            }
            return c;
        }
    }
}
