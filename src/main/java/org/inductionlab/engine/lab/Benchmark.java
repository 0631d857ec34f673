package org.inductionlab.engine.lab;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.inductionlab.engine.config.DeviceChoice;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.Preset;
import org.inductionlab.engine.model.Autograd;
import org.inductionlab.engine.model.ExecutionPlan;
import org.inductionlab.engine.model.ModelCost;
import org.inductionlab.engine.model.Precision;
import org.inductionlab.engine.model.SequenceModel;
import org.inductionlab.engine.platform.EngineRuntime;
import org.inductionlab.engine.platform.MachineMemory;
import org.inductionlab.engine.platform.NativeTuning;
import org.inductionlab.engine.task.InductionTask;
import org.inductionlab.engine.train.Trainer;
import org.inductionlab.engine.train.TrainingListener;
import org.inductionlab.engine.train.TrainingProgress;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Speed of this machine for the lab, all measured in one process: ms per training step for the course,
 * fast and mamba presets, evaluation tokens per second at 2^12 and 2^14, and a large matmul's GFLOP/s, so that
 * efficiency = the model's FLOP/s / the matmul's. Medians over the measured steps, after warm-up.
 */
public final class Benchmark {

    /** {@code python}: a Python with torch for the peer figures, or null for none. */
    public record Settings(int warmupSteps, int measuredSteps, DeviceChoice device, int threads, String python) {}

    private Benchmark() {}

    public static Map<String, Object> run(Settings s, Consumer<String> log) throws Exception {
        EngineRuntime.start(s.threads());
        Device device = EngineRuntime.device(s.device());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("device", EngineRuntime.describe(device));
        r.put("threads", EngineRuntime.threads());
        r.put("libtorch", EngineRuntime.libtorchVersion());
        r.put("flavor", EngineRuntime.flavor());
        r.put("djl", EngineRuntime.djlVersion());
        r.put("allocator", NativeTuning.describe());
        r.put("mamba_scan", org.inductionlab.engine.model.VectorLanes.available() ? "Java's vector API" : "libtorch");

        double matmul = matmulGflops(device, 2048);
        r.put("matmul_gflops", round(matmul, 1));
        log.accept(String.format(java.util.Locale.ROOT, "matmul 2048^3 fp32: %.1f GFLOP/s", matmul));

        for (String name : List.of("course", "fast", "mamba")) { // mamba: the paper's recipe, batch 8 at 256
            Hyperparameters hp = Preset.load(name).apply()
                    .with(Map.of("device", s.device().toString(), "threads", Integer.toString(s.threads()),
                            "max_steps", Integer.toString(s.warmupSteps() + s.measuredSteps()), "target", "1"));
            double ms = trainingStepMs(hp, s.warmupSteps());
            double gflops = ModelCost.trainingStepFlops(hp, ExecutionPlan.of(device)) / (ms / 1000) / 1e9; // as the trainer ran it
            r.put(name + "_ms_per_step", round(ms, 1));
            r.put(name + "_model_gflops", round(gflops, 2));
            r.put(name + "_efficiency", round(gflops / matmul, 3));
            log.accept(String.format(java.util.Locale.ROOT, "%s: %.1f ms/step (median of %d), %.2f GFLOP/s of model"
                    + " arithmetic = %.1f%% of matmul", name, ms, s.measuredSteps(), gflops, 100 * gflops / matmul));
            if (s.python() != null && org.inductionlab.engine.model.ModelKind.of(hp).hasTorchPeer()) {
                TorchPeer.Result peer = TorchPeer.measure(s.python(), hp, device, EngineRuntime.threads(),
                        s.warmupSteps(), s.measuredSteps());
                if (peer.measured()) {
                    r.put(name + "_torch_ms_per_step", round(peer.msPerStep(), 1));
                    log.accept(String.format(java.util.Locale.ROOT, "%s in PyTorch %s eager on %s: %.1f ms/step"
                            + " (the lab takes %.2fx as long)", name, peer.torch(), peer.device(), peer.msPerStep(),
                            ms / peer.msPerStep()));
                } else {
                    r.put("torch", peer.unavailable());
                    log.accept("no PyTorch figure: " + peer.unavailable());
                }
            }
        }
        if (device.isGpu()) {
            log.accept("on a GPU the efficiency compares with one large matmul: a small figure there means the step"
                    + " is bound by launching many small operations, not by arithmetic; ms/step beside PyTorch's is"
                    + " the figure to read");
        }

        Hyperparameters fast = Preset.load("fast").apply().with("device", s.device().toString());
        for (int exp : new int[] {12, 14}) {
            double tps = evaluationTokensPerSecond(fast, device, 1 << exp, Precision.FP32);
            double half = evaluationTokensPerSecond(fast, device, 1 << exp, Precision.FP16);
            r.put("eval_tokens_per_s_" + (1 << exp), Math.round(tps));
            r.put("eval_fp16_tokens_per_s_" + (1 << exp), Math.round(half));
            log.accept(String.format(java.util.Locale.ROOT, "eval at 2^%d: %,.0f tokens/s (attention in fp16: %,.0f)",
                    exp, tps, half));
        }
        r.put("peak_rss_mib", MachineMemory.peakResidentBytes() >> 20);
        return r;
    }

    /** Median wall time of a training step, measured between successive progress callbacks. */
    static double trainingStepMs(Hyperparameters hp, int warmup) throws Exception {
        List<Double> times = new ArrayList<>();
        long[] last = {0};
        new Trainer(hp, null, new TrainingListener() {
            @Override
            public void onStart(TrainingStart start) {
                last[0] = System.nanoTime();
            }

            @Override
            public void onProgress(TrainingProgress p) {
                long now = System.nanoTime();
                if (p.step() > warmup) {
                    times.add((now - last[0]) / 1e6);
                }
                last[0] = now;
            }
        }, null).run(false);
        return median(times);
    }

    /** Input tokens per second of the memory-bounded evaluation pass at one length (random weights). */
    static double evaluationTokensPerSecond(Hyperparameters hp, Device device, int length, Precision precision) {
        int sequences = Math.max(1, (1 << 15) / length);
        InductionTask task = InductionTask.evaluation(hp.vocab(), hp.layout(), 1);
        try (Autograd.Scope noGrad = Autograd.noGrad();
             NDManager root = NDManager.newBaseManager(device);
             SequenceModel model = SequenceModel.create(hp, root)) {
            List<Double> rates = new ArrayList<>();
            for (int rep = 0; rep < 3; rep++) {
                InductionTask.Batch b = task.batch(rep * 1000L, sequences, length);
                long t0 = System.nanoTime();
                try (NDManager pass = root.newSubManager()) {
                    NDArray tokens = pass.create(b.inputs(), new Shape(sequences, length - 1));
                    model.forward(tokens, org.inductionlab.engine.eval.LengthSweep.forDevice(device)
                            .withPrecision(precision).pass(hp, length)).toFloatArray();
                }
                double s = (System.nanoTime() - t0) / 1e9;
                if (rep > 0) {
                    rates.add(sequences * (length - 1) / s);
                }
            }
            return median(rates);
        }
    }

    /**
     * GFLOP/s of an n x n x n float32 matmul on the device: the best of 10 after 3 warm-ups. The best,
     * not the median, because this is the machine's capability (on a shared VM the median wandered from
     * 100 to 180); it also makes the efficiency figure conservative.
     */
    public static double matmulGflops(Device device, int n) {
        try (NDManager m = NDManager.newBaseManager(device)) {
            NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
            NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 13; i++) {
                long t0 = System.nanoTime();
                try (NDArray c = a.matMul(b)) {
                    c.getFloat(0, 0); // wait for the device
                }
                if (i >= 3) {
                    best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                }
            }
            return 2.0 * n * n * (double) n / best / 1e9;
        }
    }

    static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length == 0 ? Double.NaN : a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
