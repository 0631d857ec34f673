package org.inductionlab.engine.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;

import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * PyTorch's fused {@code scaled_dot_product_attention}, which DJL 0.36 does not offer as an operation,
 * reached through a TorchScript module of one call (resources/torchscript/fused_attention.pt, written by
 * python/make_fused_attention.py). It never holds the square of scores: on a CPU its flash-attention
 * kernel ran a causal (1, 8, 4096, 8) attention in 52 ms where scores, mask, softmax and product took
 * 475 ms (docs/benchmarks.md), and on a GPU it picks the card's fused kernels.
 *
 * <p>No attention weights come out (a pass that records them runs the lab's own attention), it has no
 * dropout (training with attention dropout runs the lab's own), and it serves only the two shapes it is
 * right for: the whole causal square (as many queries as keys, from position 0) and the last position's
 * single query over every key. In training its backward is the kernel's own (tested against the lab's
 * gradients to 1e-4). Where the module cannot be
 * loaded, {@link #available} says false once, with the reason, and the lab's own path runs.
 */
public final class FusedAttention {
    private FusedAttention() {}

    static final String RESOURCE = "/inductionlab/torchscript/fused_attention.pt";

    /**
     * One module per device and mode: DJL switches a module between training and inference mode on the
     * call, so a training thread and a sweep thread sharing one would flip it under each other.
     */
    private static final Map<String, PtSymbolBlock> MODULES = new HashMap<>();
    private static final Map<Device, ai.djl.ndarray.NDManager> OWNERS = new HashMap<>();
    private static final Map<Device, String> UNAVAILABLE = new HashMap<>();
    /** Calls so far (tests check that the fused path really ran). */
    static final java.util.concurrent.atomic.AtomicLong CALLS = new java.util.concurrent.atomic.AtomicLong();

    /** Whether {@code attend} can run queries (at {@code firstQuery}..) against {@code keys} keys. */
    static boolean fits(int queries, int keys, int firstQuery) {
        return (firstQuery == 0 && queries == keys) || (queries == 1 && firstQuery == keys - 1);
    }

    /** Whether the module loads on {@code device}; false (and {@link #whyNot}) where it cannot. */
    public static boolean available(Device device) {
        return module(device, false) != null;
    }

    /**
     * Whether the fused path is expected on {@code device} without starting the engine (estimates run on the
     * window's thread): the module ships with the lab, and no load has failed on that device yet.
     */
    public static synchronized boolean expected(Device device) {
        return !UNAVAILABLE.containsKey(device) && FusedAttention.class.getResource(RESOURCE) != null;
    }

    /** How many attention calls have run fused in this process (tests check that the path really ran). */
    public static long calls() {
        return CALLS.get();
    }

    /** Why the fused path is off on {@code device}, or null. */
    public static synchronized String whyNot(Device device) {
        return UNAVAILABLE.get(device);
    }

    /**
     * softmax(q k^T + causal mask) v for q (batch, heads, queries, dh) already scaled by 1/sqrt(dh) and k, v
     * (batch, heads, keys, dh), in {@link #fits} shapes; the result joins q's manager. With {@code training}
     * the module runs with autograd (the kernel's own backward); without, in inference mode.
     */
    static NDArray attend(NDArray q, NDArray k, NDArray v, boolean training) {
        PtSymbolBlock module = module(q.getDevice(), training);
        if (module == null) {
            throw new IllegalStateException("fused attention unavailable: " + whyNot(q.getDevice()));
        }
        CALLS.incrementAndGet();
        NDList out = module.forward(new ParameterStore(q.getManager(), false), new NDList(q, k, v), training);
        return out.singletonOrThrow();
    }

    private static synchronized PtSymbolBlock module(Device device, boolean training) {
        if (UNAVAILABLE.containsKey(device)) {
            return null;
        }
        String key = device + (training ? "/training" : "/inference");
        PtSymbolBlock block = MODULES.get(key);
        if (block != null) {
            return block;
        }
        if (device.isGpu() && device.getDeviceId() >= org.inductionlab.engine.platform.EngineRuntime.gpuCount()) {
            UNAVAILABLE.put(device, "no " + device + " here");
            return null;
        }
        try (InputStream in = FusedAttention.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                UNAVAILABLE.put(device, RESOURCE + " is not on the class path");
                return null;
            }
            // a manager that lives as long as the process: the module is loaded once per device and mode
            ai.djl.ndarray.NDManager owner = OWNERS.computeIfAbsent(device, ai.djl.ndarray.NDManager::newBaseManager);
            block = JniUtils.loadModule((PtNDManager) owner, in, true, false);
            MODULES.put(key, block);
            return block;
        } catch (Exception | UnsatisfiedLinkError e) {
            UNAVAILABLE.put(device, "the TorchScript module did not load (" + e.getMessage() + ")");
            return null;
        }
    }
}
