package org.inductionlab.engine.platform;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import org.inductionlab.engine.config.DeviceChoice;

/**
 * The one place that starts DJL's PyTorch engine and answers what it runs on: libtorch version, device,
 * CPU threads. Everything else asks here instead of touching Engine directly.
 */
public final class EngineRuntime {

    public static final String ENGINE = "PyTorch";
    private static volatile Engine engine;

    private EngineRuntime() {}

    /** Starts the engine once. {@code threads} > 0 fixes libtorch's CPU threads (0 leaves all cores). */
    public static synchronized Engine start(int threads) {
        if (engine == null) {
            if (threads > 0) {
                // Read by DJL when the engine starts; later changes go through setThreads.
                System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            }
            System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
            engine = Engine.getEngine(ENGINE);
        } else if (threads > 0 && threads != JniUtils.getNumThreads()) {
            JniUtils.setNumThreads(threads);
        }
        return engine;
    }

    public static Engine engine() {
        return start(0);
    }

    /** libtorch's intra-op thread count. */
    public static int threads() {
        engine();
        return JniUtils.getNumThreads();
    }

    public static String djlVersion() {
        return Engine.getDjlVersion();
    }

    public static String libtorchVersion() {
        return engine().getVersion();
    }

    public static int gpuCount() {
        return engine().getGpuCount();
    }

    /** The device for a choice; {@code gpu} without a visible GPU is a {@link DeviceUnavailableException}. */
    public static Device device(DeviceChoice choice) {
        int gpus = gpuCount();
        return switch (choice) {
            case CPU -> Device.cpu();
            case AUTO -> gpus > 0 ? Device.gpu() : Device.cpu();
            case GPU -> {
                if (gpus == 0) {
                    throw new DeviceUnavailableException("device: gpu asked for, but DJL sees no CUDA GPU (libtorch "
                            + libtorchVersion() + " " + flavor() + "); use device=cpu or auto, or install the"
                            + " CUDA build as the README's GPU section says");
                }
                yield Device.gpu();
            }
        };
    }

    /**
     * Which libtorch build DJL loaded: "cpu", or the CUDA flavour ("cu128", "cu130"…) as PYTORCH_FLAVOR
     * (or the ai.djl.pytorch.flavor property) names it; "cuda" when a GPU is seen and nothing names it.
     */
    public static String flavor() {
        String named = System.getProperty("ai.djl.pytorch.flavor", System.getenv("PYTORCH_FLAVOR"));
        if (named != null && !named.isBlank()) {
            return named.trim();
        }
        return gpuCount() > 0 ? "cuda" : "cpu";
    }

    /** "libtorch 2.7.1 (cpu)": the build, for status bars, `info` and run folders. */
    public static String build() {
        return "libtorch " + libtorchVersion() + " (" + flavor() + ")";
    }

    /** Human words for a device: "CPU (2 threads)" or "GPU 0 (NVIDIA H100 80GB HBM3)". */
    public static String describe(Device device) {
        if (device.isGpu()) {
            String name = GpuInfo.name(device.getDeviceId());
            return "GPU " + device.getDeviceId() + (name == null ? "" : " (" + name + ")");
        }
        return "CPU (" + threads() + " threads)";
    }
}
