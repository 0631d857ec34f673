package org.inductionlab.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.model.Autograd;
import org.inductionlab.engine.model.ExecutionPlan;
import org.inductionlab.engine.model.ForwardPass;
import org.inductionlab.engine.model.SequenceModel;
import org.inductionlab.engine.run.GeneralisationRow;
import org.inductionlab.engine.task.InductionTask;
import org.inductionlab.engine.task.TriggerLayout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Generalisation while training: a fixed held-out set — {@link #SEQUENCES} sequences per length with
 * {@code S} anywhere, drawn from the evaluation stream of seed {@link #SEED}, the same at every step and
 * for every run — scored at the lengths generalisation_lengths names, and split by the distance between
 * the two {@code S} into power-of-two buckets (2..3, 4..7, ..). The model's own evaluation pass, so a
 * Transformer and a Mamba are scored the same way.
 */
public final class Generalisation {
    private Generalisation() {}

    /** Sequences per length: the held-out set's size (a length's accuracy within about ±12 points). */
    public static final int SEQUENCES = 64;
    /** The held-out set's seed: not a training stream, and not the sweep's default (0). */
    public static final long SEED = 23;
    /** Where S is: anywhere, so a model that learned a position is seen to. */
    public static final TriggerLayout LAYOUT = new TriggerLayout.Anywhere();
    /** A length passes at this accuracy (the train command says when each first does). */
    public static final double PASS = 0.9;

    /** The lengths a run trained as {@code hp} says is scored at, those its model can embed. */
    public static List<Integer> lengths(Hyperparameters hp, SequenceModel model) {
        List<Integer> out = new ArrayList<>();
        for (int l : hp.generalisationLengths().lengths(hp.trainLength())) {
            if (l - 1 <= model.maxLength() && LAYOUT.problemAt(l) == null) {
                out.add(l);
            }
        }
        return out;
    }

    /** The smallest distance of the bucket {@code distance} falls in: its power of two. */
    public static int bucket(int distance) {
        return Integer.highestOneBit(Math.max(1, distance));
    }

    /** Scores the held-out set at every length; rows by length, then distance. No gradients. */
    public static List<GeneralisationRow> measure(SequenceModel model, long step) {
        Hyperparameters hp = model.hyperparameters();
        InductionTask task = InductionTask.evaluation(hp.vocab(), LAYOUT, SEED);
        ExecutionPlan plan = ExecutionPlan.of(model.device());
        List<GeneralisationRow> rows = new ArrayList<>();
        try (Autograd.Scope noGrad = Autograd.noGrad(); NDManager root = NDManager.newBaseManager(model.device())) {
            for (int length : lengths(hp, model)) {
                ForwardPass pass = ForwardPass.evaluation(plan, plan.sweepTileElements());
                SortedMap<Integer, int[]> byBucket = new TreeMap<>(); // bucket -> {sequences, correct}
                int perPass = Math.max(1, Math.min(SEQUENCES, (1 << 15) / length));
                for (int done = 0; done < SEQUENCES; done += perPass) {
                    int n = Math.min(perPass, SEQUENCES - done);
                    InductionTask.Batch batch = task.batch(done, n, length);
                    try (NDManager m = root.newSubManager()) {
                        NDArray tokens = m.create(batch.inputs(), new Shape(n, length - 1));
                        long[] predicted = model.forward(tokens, pass).argMax(1).toLongArray();
                        for (int b = 0; b < n; b++) {
                            int distance = (length - 2) - batch.triggerPositions()[b];
                            int[] cell = byBucket.computeIfAbsent(bucket(distance), k -> new int[2]);
                            cell[0]++;
                            cell[1] += predicted[b] == batch.answers()[b] ? 1 : 0;
                        }
                    }
                }
                for (Map.Entry<Integer, int[]> e : byBucket.entrySet()) {
                    rows.add(new GeneralisationRow(step, length, e.getKey(), 2 * e.getKey() - 1, e.getValue()[0],
                            e.getValue()[1]));
                }
            }
        }
        return rows;
    }

    /** The lengths at or past {@link #PASS} at any step of {@code rows}. */
    public static java.util.Set<Integer> passed(List<GeneralisationRow> rows) {
        SortedMap<Long, List<GeneralisationRow>> bySteps = new TreeMap<>();
        rows.forEach(r -> bySteps.computeIfAbsent(r.step(), k -> new ArrayList<>()).add(r));
        java.util.Set<Integer> out = new java.util.TreeSet<>();
        bySteps.values().forEach(step -> byLength(step).forEach((l, a) -> {
            if (a >= PASS) {
                out.add(l);
            }
        }));
        return out;
    }

    /** Each length's accuracy at one step's rows: length -> correct / sequences over its buckets. */
    public static SortedMap<Integer, Double> byLength(List<GeneralisationRow> rows) {
        SortedMap<Integer, int[]> sums = new TreeMap<>();
        for (GeneralisationRow r : rows) {
            int[] s = sums.computeIfAbsent(r.length(), k -> new int[2]);
            s[0] += r.sequences();
            s[1] += r.correct();
        }
        SortedMap<Integer, Double> out = new TreeMap<>();
        sums.forEach((l, s) -> out.put(l, s[0] == 0 ? Double.NaN : (double) s[1] / s[0]));
        return out;
    }
}
