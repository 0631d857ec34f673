package org.inductionlab.ui.control;

import java.util.ArrayList;
import java.util.List;

/**
 * A curve that stays small however long training runs: points are averaged in buckets of {@code stride}
 * steps, and when more than {@code capacity} points pile up, neighbours are merged and the stride
 * doubles. 200k steps end as at most {@code capacity} points, each the mean of its bucket, so the line
 * stays smooth and cheap to draw. Thread-safe.
 */
public final class ThinnedSeries {

    private final int capacity;
    private final List<double[]> points = new ArrayList<>(); // {x, y, count, bucket index}
    private long stride = 1;
    private double bucketX;
    private double bucketSum;
    private long bucketCount;
    private long bucketIndex = Long.MIN_VALUE;
    private long version;

    public ThinnedSeries(int capacity) {
        if (capacity < 4) {
            throw new IllegalArgumentException("capacity must be >= 4");
        }
        this.capacity = capacity;
    }

    /** Adds a value at step {@code x} (steps increase). */
    public synchronized void add(long x, double y) {
        if (Double.isNaN(y)) {
            return;
        }
        if (bucketCount > 0 && Math.floorDiv(x - 1, stride) != bucketIndex) {
            flush(); // may double the stride, so the new bucket's index is computed after
        }
        if (bucketCount == 0) {
            bucketIndex = Math.floorDiv(x - 1, stride);
        }
        bucketX = x;
        bucketSum += y;
        bucketCount++;
    }

    private void flush() {
        points.add(new double[] {bucketX, bucketSum / bucketCount, bucketCount, bucketIndex});
        bucketSum = 0;
        bucketCount = 0;
        version++;
        if (points.size() > capacity) {
            // double the stride: buckets 2k and 2k+1 become bucket k
            List<double[]> merged = new ArrayList<>(points.size() / 2 + 2);
            for (double[] p : points) {
                long index = Math.floorDiv((long) p[3], 2);
                double[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
                if (last != null && (long) last[3] == index) {
                    double n = last[2] + p[2];
                    last[1] = (last[1] * last[2] + p[1] * p[2]) / n;
                    last[0] = p[0];
                    last[2] = n;
                } else {
                    merged.add(new double[] {p[0], p[1], p[2], index});
                }
            }
            points.clear();
            points.addAll(merged);
            stride *= 2;
        }
    }

    /** The points so far as {x, y}, the open bucket included. */
    public synchronized List<double[]> points() {
        List<double[]> out = new ArrayList<>(points.size() + 1);
        for (double[] p : points) {
            out.add(new double[] {p[0], p[1]});
        }
        if (bucketCount > 0) {
            out.add(new double[] {bucketX, bucketSum / bucketCount});
        }
        return out;
    }

    public synchronized long stride() {
        return stride;
    }

    /** Changes whenever a point is completed; lets a view skip redraws. */
    public synchronized long version() {
        return version;
    }

    public synchronized void clear() {
        points.clear();
        stride = 1;
        bucketSum = 0;
        bucketCount = 0;
        bucketIndex = Long.MIN_VALUE;
        version++;
    }
}
