package org.inductionlab.engine.lab;

import ai.djl.Device;
import org.inductionlab.engine.config.DeviceChoice;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.model.Precision;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.engine.task.TriggerLayout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Sweep a run's accuracy over lengths and keep every point in its sweep.csv as soon as it is measured
 * (a cancelled or killed sweep keeps what it finished). The sweep policy lives here once, for the command
 * line, the window and study specs alike: the lengths a sweep may ask for, the defaults, where a default
 * sweep stops on a CPU and on a GPU, the plan built from what a user typed, and how wide its error bars
 * can be.
 */
public final class SweepJob {
    private SweepJob() {}

    /** Shortest and longest length a sweep may ask for: 2^3..2^24. */
    public static final int MIN_EXPONENT = LengthSweep.MIN_EXPONENT;
    public static final int MAX_EXPONENT = LengthSweep.MAX_EXPONENT;

    /** Shortest length of a default sweep: 2^6. */
    public static final int DEFAULT_MIN_EXPONENT = 6;

    /**
     * The longest length where no device can say (a study's spec, which every machine must measure alike;
     * the Sweep page before a run is chosen): 2^12.
     */
    public static final int FIXED_DEFAULT_MAX_EXPONENT = 12;

    /** A default sweep stops before the first length whose estimate exceeds this. */
    public static final double SECONDS_PER_LENGTH = 240;

    /** Where a default sweep stops at the latest on a CPU (each longer length takes hours there) and on a GPU. */
    public static final int CPU_CEILING_EXPONENT = 16;
    public static final int GPU_CEILING_EXPONENT = 20;

    /** Where the default sweep stops at the latest: 2^16 on a CPU, 2^20 (the paper's longest) on a GPU. */
    public static int ceilingExponent(boolean onGpu) {
        return onGpu ? GPU_CEILING_EXPONENT : CPU_CEILING_EXPONENT;
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

    /**
     * The plan for a run with settings {@code hp}, evaluated on a GPU or not, from what a user chose:
     * {@code layout} null or blank for the run's own, {@code maxExponent} null for {@link #defaultMaxExponent},
     * {@code sequences} 0 for the default rule. Bad values are bad input naming their setting and range
     * ({@code layout}, {@code min_exponent}, {@code max_exponent}, {@code sequences_per_length}).
     */
    public static LengthSweep.Plan plan(Hyperparameters hp, boolean onGpu, int minExponent, Integer maxExponent,
                                        String layout, int sequences, long seed) {
        TriggerLayout l;
        try {
            l = layout == null || layout.isBlank() ? hp.layout() : TriggerLayout.parse(layout);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("layout", e.getMessage());
        }
        int max = maxExponent != null ? maxExponent : defaultMaxExponent(hp, onGpu);
        return new LengthSweep.Plan(minExponent, max, l, sequences, seed);
    }

    /**
     * How far, at most, a length's Wilson 95 % interval reaches from its accuracy with {@code sequences}
     * sequences, in points: the half-width at 50 % accuracy, where the interval is widest.
     */
    public static double errorBarPoints(int sequences) {
        double[] ci = SweepPoint.wilson(sequences / 2, sequences);
        return 100 * (ci[1] - ci[0]) / 2;
    }

    /**
     * A word of advice when a CPU sweep goes past {@link #CPU_CEILING_EXPONENT} (each longer length takes
     * hours there), or null.
     */
    public static String ceilingAdvice(boolean onGpu, int maxExponent) {
        if (onGpu || maxExponent <= CPU_CEILING_EXPONENT) {
            return null;
        }
        return "On a laptop CPU stop at 2^" + (CPU_CEILING_EXPONENT - 1) + "–2^" + CPU_CEILING_EXPONENT
                + ": each longer length takes hours. Use a GPU for 2^" + GPU_CEILING_EXPONENT + ".";
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
     * {@link #run(LoadedRun, LengthSweep.Plan, LengthSweep.Listener, BooleanSupplier)} in {@code precision}
     * (null: the device's default, fp16 on a GPU and fp32 on a CPU): half precision is checked against fp32
     * first and falls back to it (the listener hears the check).
     */
    public static List<SweepPoint> run(LoadedRun run, LengthSweep.Plan plan, Precision precision,
                                       LengthSweep.Listener listener, BooleanSupplier cancelled) {
        if (precision == null) {
            precision = LengthSweep.defaultPrecision(run.model().device());
        }
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
