package org.inductionlab.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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

    /** Updates every parameter from its gradient at learning rate {@code lr}, then zeroes the gradients. */
    public void step(Map<String, NDArray> parameters, double lr) {
        updates++;
        double biasCorrection1 = 1 - Math.pow(BETA1, updates);
        double sqrtBiasCorrection2 = Math.sqrt(1 - Math.pow(BETA2, updates));
        try (Autograd.Scope noGrad = Autograd.noGrad(); NDManager scratch = manager.newSubManager()) {
            for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
                NDArray p = e.getValue();
                NDArray m = firstMoment.get(e.getKey());
                NDArray v = secondMoment.get(e.getKey());
                // Everything derived from these lands in scratch and is freed with it.
                p.tempAttach(scratch);
                m.tempAttach(scratch);
                v.tempAttach(scratch);
                NDArray g = p.getGradient();
                if (kind == OptimizerKind.ADAM && weightDecay > 0) {
                    g = g.add(p.mul(weightDecay));
                }
                m.muli(BETA1).addi(g.mul(1 - BETA1));
                v.muli(BETA2).addi(g.square().muli(1 - BETA2));
                if (kind == OptimizerKind.ADAMW && weightDecay > 0) {
                    p.muli(1 - lr * weightDecay);
                }
                NDArray denominator = v.sqrt().divi(sqrtBiasCorrection2).addi(EPSILON);
                p.subi(m.div(denominator).muli(lr / biasCorrection1));
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
