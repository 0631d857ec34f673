package org.inductionlab.engine.lab;

import ai.djl.Device;
import org.inductionlab.engine.config.DeviceChoice;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.model.Precision;
import org.inductionlab.engine.run.SweepPoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Sweep a run's accuracy over lengths and keep every point in its sweep.csv as soon as it is measured
 * (a cancelled or killed sweep keeps what it finished), with one rule for the default lengths, for the
 * command line and the window alike.
 */
public final class SweepJob {
    private SweepJob() {}

    /** Shortest length of a default sweep: 2^6. */
    public static final int DEFAULT_MIN_EXPONENT = 6;

    /** A default sweep stops before the first length whose estimate exceeds this. */
    public static final double SECONDS_PER_LENGTH = 240;

    /** Where the default sweep stops at the latest: 2^16 on a CPU, 2^20 (the paper's longest) on a GPU. */
    public static int ceilingExponent(boolean onGpu) {
        return onGpu ? 20 : 16;
    }

    /** Whether a run with this device choice evaluates on a GPU, given how many GPUs libtorch sees. */
    public static boolean onGpu(DeviceChoice choice, int gpusSeen) {
        return choice != DeviceChoice.CPU && gpusSeen > 0;
    }

    /**
     * The default longest length, 2^result: the last length up to {@link #ceilingExponent} whose estimate
     * fits in memory and in {@link #SECONDS_PER_LENGTH}, and that the model can embed.
     */
    public static int defaultMaxExponent(Hyperparameters hp, boolean onGpu) {
        Device device = device(onGpu);
        return LengthSweep.forDevice(device).suggestedMaxExponent(hp, device, SECONDS_PER_LENGTH,
                ceilingExponent(onGpu));
    }

    /** What each length of {@code plan} is expected to cost on that kind of device. */
    public static List<LengthSweep.Estimate> estimate(Hyperparameters hp, LengthSweep.Plan plan, boolean onGpu) {
        Device device = device(onGpu);
        LengthSweep sweep = LengthSweep.forDevice(device);
        List<LengthSweep.Estimate> out = new ArrayList<>();
        for (int e = plan.minExponent(); e <= plan.maxExponent(); e++) {
            out.add(sweep.estimate(hp, 1 << e, plan.sequencesAt(1 << e), device));
        }
        return out;
    }

    /**
     * Measures {@code plan} on the loaded run, merging each point into its sweep.csv before telling
     * {@code listener}. Throws {@link java.util.concurrent.CancellationException} when {@code cancelled}
     * turns true; the lengths finished by then are kept.
     */
    public static List<SweepPoint> run(LoadedRun run, LengthSweep.Plan plan, LengthSweep.Listener listener,
                                       BooleanSupplier cancelled) {
        return run(run, plan, LengthSweep.defaultPrecision(run.model().device()), listener, cancelled);
    }

    /**
     * {@link #run(LoadedRun, LengthSweep.Plan, LengthSweep.Listener, BooleanSupplier)} in {@code precision}:
     * half precision is checked against fp32 first and falls back to it (the listener hears the check).
     */
    public static List<SweepPoint> run(LoadedRun run, LengthSweep.Plan plan, Precision precision,
                                       LengthSweep.Listener listener, BooleanSupplier cancelled) {
        LengthSweep.Listener saving = new LengthSweep.Listener() {
            @Override
            public void onLengthStart(int length, int index, int count, LengthSweep.Estimate estimate) {
                listener.onLengthStart(length, index, count, estimate);
            }

            @Override
            public void onSequences(int length, int done, int total) {
                listener.onSequences(length, done, total);
            }

            @Override
            public void onPoint(SweepPoint point) {
                try {
                    run.folder().mergeSweep(List.of(point));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                listener.onPoint(point);
            }

            @Override
            public void onRefused(int length, String reason) {
                listener.onRefused(length, reason);
            }

            @Override
            public void onPrecision(LengthSweep.PrecisionCheck check) {
                listener.onPrecision(check);
            }
        };
        return LengthSweep.forDevice(run.model().device()).withPrecision(precision)
                .run(run.model(), plan, saving, cancelled);
    }

    private static Device device(boolean onGpu) {
        return onGpu ? Device.gpu() : Device.cpu();
    }
}
