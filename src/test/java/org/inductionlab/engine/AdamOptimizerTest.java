package org.inductionlab.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.inductionlab.engine.config.OptimizerKind;
import org.inductionlab.engine.platform.EngineRuntime;
import org.inductionlab.engine.train.AdamOptimizer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class AdamOptimizerTest {

    /** torch.optim.Adam / AdamW on f(w) = sum(w^2 * c), computed by hand in doubles. */
    @Test
    void matchesTheTorchFormulas() {
        EngineRuntime.start(0);
        for (OptimizerKind kind : OptimizerKind.values()) {
            double lr = 0.1;
            double wd = 0.05;
            double[] w = {1.0, -2.0, 0.5};
            double[] c = {1.0, 3.0, -1.0};
            double[] m = new double[3];
            double[] v = new double[3];
            try (NDManager mgr = NDManager.newBaseManager()) {
                NDArray p = mgr.create(new float[] {1.0f, -2.0f, 0.5f});
                p.setRequiresGradient(true);
                NDArray coef = mgr.create(new float[] {1.0f, 3.0f, -1.0f});
                try (AdamOptimizer opt = new AdamOptimizer(kind, wd, Map.of("w", p), mgr)) {
                    for (int t = 1; t <= 5; t++) {
                        try (NDManager step = mgr.newSubManager()) {
                            p.tempAttach(step);
                            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                                gc.backward(p.square().mul(coef).sum());
                            }
                        }
                        opt.step(Map.of("w", p), lr);
                        for (int i = 0; i < 3; i++) {
                            double g = 2 * w[i] * c[i];
                            if (kind == OptimizerKind.ADAM) {
                                g += wd * w[i];
                            } else {
                                w[i] *= 1 - lr * wd;
                            }
                            m[i] = 0.9 * m[i] + 0.1 * g;
                            v[i] = 0.999 * v[i] + 0.001 * g * g;
                            double mh = m[i] / (1 - Math.pow(0.9, t));
                            double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8;
                            w[i] -= lr * mh / denom;
                        }
                        float[] got = p.toFloatArray();
                        for (int i = 0; i < 3; i++) {
                            assertEquals(w[i], got[i], 1e-5, kind + " step " + t + " weight " + i);
                        }
                    }
                }
            }
        }
    }
}
