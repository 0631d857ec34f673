package org.inductionlab.engine.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.inductionlab.engine.platform.EngineRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The lab's dropout masks: dropout's law, every element written, the same masks from the same seed, its gradient. */
class DropoutMasksTest {

    @BeforeAll
    static void engine() {
        EngineRuntime.start(0);
    }

    @Test
    void keepsOneMinusPOfTheElementsScaledAndWritesEveryOne() {
        // sizes below one chunk, odd, and across chunks: the mask's memory starts uninitialised
        for (int size : new int[] {1, 7, 65_536 * 2 + 3, 1 << 20}) {
            for (double p : new double[] {0.1, 0.5}) {
                try (NDManager m = NDManager.newBaseManager()) {
                    float[] mask = DropoutMasks.seeded(size).mask(m, new Shape(size), p).toFloatArray();
                    float kept = (float) (1 / (1 - p));
                    int zeros = 0;
                    for (float v : mask) {
                        assertTrue(v == 0f || v == kept, "a mask value is 0 or 1/(1-p), got " + v);
                        zeros += v == 0f ? 1 : 0;
                    }
                    if (size >= 1 << 17) { // the binomial's sd at 2^17 and p = 0.1 is 0.0008
                        assertEquals(p, zeros / (double) size, 0.005, "dropped fraction at size " + size);
                    }
                }
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameMasksInTheSameOrder() {
        try (NDManager m = NDManager.newBaseManager()) {
            Shape shape = new Shape(4, 8, 100, 100);
            DropoutMasks a = DropoutMasks.seeded(42);
            DropoutMasks b = DropoutMasks.seeded(42);
            NDArray a1 = a.mask(m, shape, 0.1);
            NDArray a2 = a.mask(m, shape, 0.1);
            assertArrayEquals(a1.toFloatArray(), b.mask(m, shape, 0.1).toFloatArray());
            assertArrayEquals(a2.toFloatArray(), b.mask(m, shape, 0.1).toFloatArray());
            assertFalse(java.util.Arrays.equals(a1.toFloatArray(), a2.toFloatArray()), "successive masks differ");
            assertFalse(java.util.Arrays.equals(a1.toFloatArray(),
                    DropoutMasks.seeded(43).mask(m, shape, 0.1).toFloatArray()), "another seed, another mask");
        }
    }

    @Test
    void aTrainingPassDropsWithItsSourceAndTheGradientIsTheMask() {
        EngineRuntime.start(0);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomUniform(0.5f, 1.5f, new Shape(3, 50, 40));
            x.setRequiresGradient(true);
            ForwardPass pass = ForwardPass.training(ExecutionPlan.CPU).withMasks(DropoutMasks.seeded(7));
            NDArray y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                y = pass.dropout(x, 0.25);
                gc.backward(y.sum());
            }
            float[] in = x.toFloatArray();
            float[] out = y.toFloatArray();
            float[] grad = x.getGradient().toFloatArray();
            float[] expected = DropoutMasks.seeded(7).mask(m, x.getShape(), 0.25).toFloatArray();
            for (int i = 0; i < in.length; i++) {
                assertEquals(in[i] * expected[i], out[i], 1e-6, "y = x * mask at " + i);
                assertEquals(expected[i], grad[i], 1e-6, "dy/dx = mask at " + i);
            }
            NDArray same = ForwardPass.evaluation().dropout(x, 0.25);
            assertSame(x, same, "an evaluation pass does not drop");
            assertSame(x, pass.dropout(x, 0), "p = 0 does not drop");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pass.dropout(x, 1.0));
            assertTrue(e.getMessage().startsWith("dropout: must be at least 0 and below 1"), e.getMessage());
        }
    }
}
