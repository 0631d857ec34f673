package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.SplittableRandom;

/**
 * Initial weights drawn in Java from the run's seed, so the same seed gives the same model on any device.
 * The distributions are PyTorch's defaults, as the reference uses.
 */
final class Initializers {
    private Initializers() {}

    /** N(0, std^2), as nn.Embedding. */
    static NDArray normal(NDManager m, Shape shape, double std, SplittableRandom rng) {
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (gaussian(rng) * std);
        }
        return m.create(v, shape);
    }

    /** U(-bound, bound), as nn.Linear with bound 1/sqrt(fan_in) for its weight and bias. */
    static NDArray uniform(NDManager m, Shape shape, double bound, SplittableRandom rng) {
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return m.create(v, shape);
    }

    static NDArray constant(NDManager m, Shape shape, float value) {
        return m.full(shape, value);
    }

    private static double gaussian(SplittableRandom rng) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
