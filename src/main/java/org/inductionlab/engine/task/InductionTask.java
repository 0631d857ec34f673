package org.inductionlab.engine.task;

import java.util.SplittableRandom;

/**
 * The induction-heads task in the course's layout. A sequence of length L is uniform noise over the
 * ordinary tokens 0..V-1, with the induction token S = V at the trigger position p followed by the memory
 * token M, and S again at L-2 followed by M at L-1. The model reads the first L-1 tokens and must say M.
 *
 * <p>Sequence number i of a stream depends only on (seed, i), never on batch size or threads: batches are
 * just consecutive numbers, so a run resumed at step s sees exactly the data it would have seen.
 */
public final class InductionTask {

    private final int vocab;
    private final TriggerLayout layout;
    private final long seed;

    public InductionTask(int vocab, TriggerLayout layout, long seed) {
        if (vocab < 2) {
            throw new IllegalArgumentException("vocab must be >= 2");
        }
        this.vocab = vocab;
        this.layout = layout;
        this.seed = seed;
    }

    /**
     * The stream evaluation draws from: the same for every run with the same seed, so runs are compared on
     * identical sequences, and never the training stream of any seed.
     */
    public static InductionTask evaluation(int vocab, TriggerLayout layout, long seed) {
        return new InductionTask(vocab, layout, mix(seed, -1L) ^ 0x6A09E667F3BCC909L);
    }

    public int vocab() {
        return vocab;
    }

    /** The induction token S. */
    public int inductionToken() {
        return vocab;
    }

    public TriggerLayout layout() {
        return layout;
    }

    /** One generated sequence, all L tokens (the last is the answer). */
    public record Sequence(int[] tokens, int triggerPosition) {
        public int answer() {
            return tokens[tokens.length - 1];
        }

        public int length() {
            return tokens.length;
        }
    }

    /** Sequence number {@code index} at this length. */
    public Sequence sequence(long index, int length) {
        String problem = layout.problemAt(length);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        SplittableRandom rng = new SplittableRandom(mix(seed, index));
        int[] t = new int[length];
        for (int i = 0; i < length; i++) {
            t[i] = rng.nextInt(vocab);
        }
        int memory = rng.nextInt(vocab);
        int p = layout.position(rng, length);
        t[p] = vocab;
        t[p + 1] = memory;
        t[length - 2] = vocab;
        t[length - 1] = memory;
        return new Sequence(t, p);
    }

    /**
     * Sequences {@code first .. first+count-1}: the inputs (count rows of L-1 tokens, row-major, as longs
     * for the embedding lookup) and the answers.
     */
    public Batch batch(long first, int count, int length) {
        long[] inputs = new long[Math.multiplyExact(count, length - 1)];
        int[] answers = new int[count];
        int[] triggers = new int[count];
        for (int b = 0; b < count; b++) {
            Sequence s = sequence(first + b, length);
            for (int i = 0; i < length - 1; i++) {
                inputs[b * (length - 1) + i] = s.tokens()[i];
            }
            answers[b] = s.answer();
            triggers[b] = s.triggerPosition();
        }
        return new Batch(inputs, answers, triggers, count, length - 1);
    }

    /** A batch ready for the model: {@code inputs} has {@code count * inputLength} token ids. */
    public record Batch(long[] inputs, int[] answers, int[] triggerPositions, int count, int inputLength) {}

    /** A 64-bit mix of (seed, index) so neighbouring indices give unrelated streams. */
    static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index * 0xC2B2AE3D27D4EB4FL + 0x165667B19E3779F9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
