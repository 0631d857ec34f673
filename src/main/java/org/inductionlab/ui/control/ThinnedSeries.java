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
    private final List<double[]> points = new ArrayList<>(); // {x, y, count}
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
        long index = Math.floorDiv(x - 1, stride);
        if (index != bucketIndex && bucketCount > 0) {
            flush();
        }
        bucketIndex = index;
        bucketX = x;
        bucketSum += y;
        bucketCount++;
    }

    private void flush() {
        points.add(new double[] {bucketX, bucketSum / bucketCount, bucketCount});
        bucketSum = 0;
        bucketCount = 0;
        version++;
        if (points.size() > capacity) {
            List<double[]> merged = new ArrayList<>(points.size() / 2 + 1);
            for (int i = 0; i + 1 < points.size(); i += 2) {
                double[] a = points.get(i);
                double[] b = points.get(i + 1);
                double n = a[2] + b[2];
                merged.add(new double[] {b[0], (a[1] * a[2] + b[1] * b[2]) / n, n});
            }
            if (points.size() % 2 == 1) {
                merged.add(points.get(points.size() - 1));
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
