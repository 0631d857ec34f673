package org.inductionlab.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.inductionlab.engine.config.OptimizerKind;
import org.inductionlab.engine.model.Autograd;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam (Kingma and Ba 2015) and AdamW (Loshchilov and Hutter 2019), exactly as torch.optim computes them,
 * with the moments kept here so a checkpoint can store and restore them.
 */
public final class AdamOptimizer implements AutoCloseable {

    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.999;
    public static final double EPSILON = 1e-8;

    private final OptimizerKind kind;
    private final double weightDecay;
    private final NDManager manager;
    private final Map<String, NDArray> firstMoment = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoment = new LinkedHashMap<>();
    private long updates;

    public AdamOptimizer(OptimizerKind kind, double weightDecay, Map<String, NDArray> parameters, NDManager parent) {
        this.kind = kind;
        this.weightDecay = weightDecay;
        this.manager = parent.newSubManager();
        parameters.forEach((name, p) -> {
            firstMoment.put(name, manager.zeros(p.getShape()));
            secondMoment.put(name, manager.zeros(p.getShape()));
        });
    }

    /**
     * Updates every parameter from its gradient at learning rate {@code lr}, then zeroes the gradients.
     *
     * <pre>
     *   g = grad (+ wd * w for Adam);  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
     *   w = w (1 - lr wd for AdamW) - lr / (1 - b1^t) * m / (sqrt(v / (1 - b2^t)) + eps)
     * </pre>
     * One fused libtorch call per parameter (DJL's adamUpdate), which takes the step size with both bias
     * corrections folded in; its epsilon is then added before the second correction, so it is scaled by
     * sqrt(1 - b2^t) (Kingma and Ba's "efficient version"; the difference only shows where sqrt(v) is
     * near 1e-8).
     */
    public void step(Map<String, NDArray> parameters, double lr) {
        step(parameters, lr, 1);
    }

    /**
     * As {@link #step(Map, double)} for gradients of a loss that was multiplied by {@code lossScale}: the
     * fused update divides them back (its rescale argument), so the update is that of the unscaled loss.
     */
    public void step(Map<String, NDArray> parameters, double lr, double lossScale) {
        updates++;
        double biasCorrection1 = 1 - Math.pow(BETA1, updates);
        double biasCorrection2 = 1 - Math.pow(BETA2, updates);
        float stepSize = (float) (lr * Math.sqrt(biasCorrection2) / biasCorrection1);
        try (Autograd.Scope noGrad = Autograd.noGrad()) {
            for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
                NDArray p = e.getValue();
                try (NDArray g = p.getGradient()) {
                    JniUtils.adamUpdate((PtNDArray) p, (PtNDArray) g, (PtNDArray) firstMoment.get(e.getKey()),
                            (PtNDArray) secondMoment.get(e.getKey()), (float) lr, stepSize, (float) weightDecay,
                            (float) (1 / lossScale),
                            -1f, (float) BETA1, (float) BETA2, (float) EPSILON, kind == OptimizerKind.ADAMW);
                }
                Autograd.zeroGradient(p);
            }
        }
    }

    public long updates() {
        return updates;
    }

    /** The moments as named arrays, for a checkpoint: "m/NAME" and "v/NAME". */
    public NDList state() {
        NDList list = new NDList();
        firstMoment.forEach((name, a) -> {
            a.setName("m/" + name);
            list.add(a);
        });
        secondMoment.forEach((name, a) -> {
            a.setName("v/" + name);
            list.add(a);
        });
        return list;
    }

    /** Restores moments saved by {@link #state()} and the update count. */
    public void restore(NDList saved, long updateCount) {
        Map<String, NDArray> byName = new LinkedHashMap<>();
        for (NDArray a : saved) {
            byName.put(a.getName(), a);
        }
        copyInto(firstMoment, byName, "m/");
        copyInto(secondMoment, byName, "v/");
        updates = updateCount;
    }

    private static void copyInto(Map<String, NDArray> target, Map<String, NDArray> saved, String prefix) {
        target.forEach((name, a) -> {
            NDArray s = saved.get(prefix + name);
            if (s == null || !s.getShape().equals(a.getShape())) {
                throw new IllegalArgumentException("optimizer state lacks " + prefix + name);
            }
            Autograd.assign(a, s);
        });
    }

    @Override
    public void close() {
        manager.close();
    }
}
