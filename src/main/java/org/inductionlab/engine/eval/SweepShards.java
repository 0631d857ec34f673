package org.inductionlab.engine.eval;

import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.task.TriggerLayout;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A sweep cut into shards that other processes or machines can measure: one shard is one length and layout
 * and a block of contiguous sequences of the evaluation stream, so the shards of a length together hold
 * exactly the sequences an unsharded sweep measures there. A block is a whole number of the sweep's
 * forward passes ({@link LengthSweep#sequencesPerPass}), so each pass of a shard holds the very sequences
 * it would in one process, and the counts add up to the unsharded sweep's exactly.
 *
 * <p>The list is a function of the settings alone (never of what is measured yet), so a shard's index means
 * the same thing to the job that was submitted and to the task that runs it later.
 *
 * @param shardSequences sequences per shard, rounded up to whole passes; 0: one shard per length
 */
public record SweepShards(int minExponent, int maxExponent, List<TriggerLayout> layouts, int sequences, long seed,
                          int shardSequences) {

    public SweepShards {
        layouts = List.copyOf(layouts);
        if (layouts.isEmpty()) {
            throw new InvalidConfigException("layout", "no layout to measure");
        }
        if (shardSequences < 0 || shardSequences > 1_000_000) {
            throw new InvalidConfigException("shard_sequences", shardSequences + " is out of range (allowed: 1..1000000,"
                    + " or 0 for one shard per length)");
        }
        new LengthSweep.Plan(minExponent, maxExponent, layouts.get(0), sequences, seed); // its own checks
    }

    /**
     * One shard: sequences {@code first..last} (inclusive) of one length and layout, of {@code total} there, in
     * the evaluation stream of {@code seed}.
     */
    public record Shard(int index, int length, TriggerLayout layout, long seed, int first, int last, int total) {
        public int count() {
            return last - first + 1;
        }

        /** "L-1024_anywhere_s1_0-31": the shard's result file is this name with ".json". */
        public String name() {
            return "L-" + length + "_" + fileWord(layout.toString()) + "_s" + seed + "_" + first + "-" + last;
        }

        /** "2^10 anywhere 0-31 of 64". */
        public String describe() {
            return String.format(Locale.ROOT, "2^%d %s %d-%d of %d", Integer.numberOfTrailingZeros(length), layout,
                    first, last, total);
        }
    }

    /** A length that cannot be measured for this run, and why (no shard is cut for it). */
    public record Refused(int length, TriggerLayout layout, String reason) {}

    /** The plan one layout's sweep is (what {@link LengthSweep#measureBlock} is given). */
    public LengthSweep.Plan plan(TriggerLayout layout) {
        return new LengthSweep.Plan(minExponent, maxExponent, layout, sequences, seed);
    }

    /** Every shard of this sweep for a run with {@code hp}, layout by layout, short lengths first. */
    public List<Shard> shards(Hyperparameters hp) {
        List<Shard> out = new ArrayList<>();
        for (TriggerLayout l : layouts) {
            LengthSweep.Plan plan = plan(l);
            for (int e = minExponent; e <= maxExponent; e++) {
                int length = 1 << e;
                if (refusal(hp, l, length) != null) {
                    continue;
                }
                int total = plan.sequencesAt(length);
                int block = blockSize(hp, length, total);
                for (int first = 0; first < total; first += block) {
                    out.add(new Shard(out.size(), length, l, seed, first, Math.min(total, first + block) - 1, total));
                }
            }
        }
        return out;
    }

    /** The lengths no shard is cut for: the layout does not fit them, or the model cannot embed them. */
    public List<Refused> refused(Hyperparameters hp) {
        List<Refused> out = new ArrayList<>();
        for (TriggerLayout l : layouts) {
            for (int e = minExponent; e <= maxExponent; e++) {
                String why = refusal(hp, l, 1 << e);
                if (why != null) {
                    out.add(new Refused(1 << e, l, why));
                }
            }
        }
        return out;
    }

    /** Sequences per shard at {@code length}: the asked number rounded up to whole passes, at most all. */
    int blockSize(Hyperparameters hp, int length, int total) {
        if (shardSequences == 0) {
            return total;
        }
        int perPass = LengthSweep.sequencesPerPass(hp, length, total);
        long rounded = (long) Math.ceil(shardSequences / (double) perPass) * perPass;
        return (int) Math.min(total, rounded);
    }

    private static String refusal(Hyperparameters hp, TriggerLayout layout, int length) {
        if (layout.problemAt(length) != null) {
            return layout.problemAt(length);
        }
        if (length - 1 > LengthSweep.maxLength(hp)) {
            return "learned positions cover " + LengthSweep.maxLength(hp) + " tokens; this length needs " + (length - 1);
        }
        return null;
    }

    /** A layout as a file name's word: "fixed:5" is "fixed-5". */
    static String fileWord(String text) {
        return text.replaceAll("[^A-Za-z0-9.+-]", "-");
    }
}
