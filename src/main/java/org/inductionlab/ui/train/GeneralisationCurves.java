package org.inductionlab.ui.train;

import org.inductionlab.engine.run.GeneralisationRow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the Train page draws from generalisation.csv, with no JavaFX in it: a line per held-out length
 * (accuracy in % against step), and a step × trigger-distance grid (every length's sequences of a distance
 * bucket together), for the heatmap under it.
 */
public final class GeneralisationCurves {
    private GeneralisationCurves() {}

    /** Length -> its points (step, accuracy in %), in step order. */
    public static SortedMap<Integer, List<double[]>> lines(List<GeneralisationRow> rows) {
        SortedMap<Integer, SortedMap<Long, int[]>> sums = new TreeMap<>();
        for (GeneralisationRow r : rows) {
            int[] s = sums.computeIfAbsent(r.length(), k -> new TreeMap<>()).computeIfAbsent(r.step(), k -> new int[2]);
            s[0] += r.sequences();
            s[1] += r.correct();
        }
        SortedMap<Integer, List<double[]>> out = new TreeMap<>();
        sums.forEach((length, bySteps) -> {
            List<double[]> points = new ArrayList<>();
            bySteps.forEach((step, s) -> points.add(new double[] {step, s[0] == 0 ? Double.NaN : 100.0 * s[1] / s[0]}));
            out.put(length, points);
        });
        return out;
    }

    /**
     * The heatmap's cells: {@code accuracy[bucket][step]} in 0..1 (NaN where that bucket had no sequence),
     * rows the distance buckets from the shortest ({@code distanceMin[b]..distanceMax[b]}), columns the steps.
     */
    public record Grid(long[] steps, int[] distanceMin, int[] distanceMax, double[][] accuracy) {
        public static final Grid EMPTY = new Grid(new long[0], new int[0], new int[0], new double[0][0]);

        public boolean isEmpty() {
            return steps.length == 0 || distanceMin.length == 0;
        }

        /** The column of the last step at or before {@code step}, or -1. */
        public int column(long step) {
            int c = -1;
            for (int i = 0; i < steps.length && steps[i] <= step; i++) {
                c = i;
            }
            return c;
        }
    }

    public static Grid grid(List<GeneralisationRow> rows) {
        if (rows.isEmpty()) {
            return Grid.EMPTY;
        }
        TreeSet<Long> steps = new TreeSet<>();
        SortedMap<Integer, Integer> buckets = new TreeMap<>(); // min -> max
        Map<Integer, Map<Long, int[]>> sums = new TreeMap<>();
        for (GeneralisationRow r : rows) {
            steps.add(r.step());
            buckets.merge(r.distanceMin(), r.distanceMax(), Math::max);
            int[] s = sums.computeIfAbsent(r.distanceMin(), k -> new TreeMap<>()).computeIfAbsent(r.step(), k -> new int[2]);
            s[0] += r.sequences();
            s[1] += r.correct();
        }
        long[] stepArray = steps.stream().mapToLong(Long::longValue).toArray();
        int[] mins = buckets.keySet().stream().mapToInt(Integer::intValue).toArray();
        int[] maxs = buckets.values().stream().mapToInt(Integer::intValue).toArray();
        double[][] acc = new double[mins.length][stepArray.length];
        for (int b = 0; b < mins.length; b++) {
            Map<Long, int[]> byStep = sums.get(mins[b]);
            for (int c = 0; c < stepArray.length; c++) {
                int[] s = byStep.get(stepArray[c]);
                acc[b][c] = s == null || s[0] == 0 ? Double.NaN : (double) s[1] / s[0];
            }
        }
        return new Grid(stepArray, mins, maxs, acc);
    }

    /** A legend entry: "L=512 (16×)" for a length 16 times the training length. */
    public static String lineName(int length, int trainLength) {
        return length % trainLength == 0 ? "L=" + length + " (" + length / trainLength + "×)" : "L=" + length;
    }
}
