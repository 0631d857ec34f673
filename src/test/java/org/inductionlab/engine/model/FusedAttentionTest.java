package org.inductionlab.engine.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.config.DeviceChoice;
import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.task.InductionTask;
import org.inductionlab.engine.task.TriggerLayout;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * PyTorch's fused attention through the TorchScript module the lab ships, on the bundled libtorch: it
 * loads, and a pass through it gives the lab's own attention's logits.
 */
class FusedAttentionTest {

    @Test
    void theShippedModuleLoadsOnTheBundledEngine() {
        assertTrue(FusedAttention.available(Device.cpu()), "not available: " + FusedAttention.whyNot(Device.cpu()));
        assertTrue(FusedAttention.fits(10, 10, 0));
        assertTrue(FusedAttention.fits(1, 10, 9));
        assertFalse(FusedAttention.fits(5, 10, 5), "a block of the square that does not start at 0");
        assertFalse(FusedAttention.fits(1, 10, 5));
    }

    @Test
    void fusedGivesTheLabsOwnAttentionForEveryPositionalKindAndPass() {
        for (String positional : new String[] {"sinusoidal", "learned", "rotary", "none"}) {
            for (String norm : new String[] {"pre", "post"}) {
                var hp = TestConfigs.tiny("positional=" + positional, "norm=" + norm, "max_positions=200");
                try (NDManager m = NDManager.newBaseManager(Device.cpu());
                     SequenceModel model = SequenceModel.create(hp, m);
                     var noGrad = Autograd.noGrad()) {
                    for (int n : new int[] {7, 150}) {
                        long[] ids = new SplittableRandom(n).longs(3L * n, 0, hp.tokenCount()).toArray();
                        NDArray tokens = m.create(ids, new Shape(3, n));
                        for (boolean lastOnly : new boolean[] {true, false}) {
                            ForwardPass own = new ForwardPass(false, lastOnly, 1L << 20, 4, null);
                            String what = positional + "/" + norm + " n=" + n + " lastOnly=" + lastOnly;
                            float[] expected = model.forward(tokens, own).toFloatArray();
                            long before = FusedAttention.CALLS.get();
                            float[] fused = model.forward(tokens, own.withFused(true)).toFloatArray();
                            assertEquals(hp.layers(), FusedAttention.CALLS.get() - before, what + ": fused calls");
                            assertClose(expected, fused, 1e-4, what);
                        }
                    }
                }
            }
        }
    }

    @Test
    void theTrainedDemoAnswersTheSameFused() {
        try (LoadedRun r = LoadedRun.open(Path.of("resources/demo-runs/demo-induction-256"), DeviceChoice.CPU);
             NDManager m = NDManager.newBaseManager(Device.cpu());
             var noGrad = Autograd.noGrad()) {
            InductionTask task = InductionTask.evaluation(16, TriggerLayout.parse("anywhere"), 3);
            InductionTask.Batch b = task.batch(0, 16, 512);
            NDArray tokens = m.create(b.inputs(), new Shape(16, 511));
            ForwardPass sweep = ForwardPass.evaluation(ExecutionPlan.CPU, 16L << 20);
            assertTrue(sweep.usesFused(), "a sweep's pass is fused");
            assertClose(model(r).forward(tokens, sweep.withFused(false)).toFloatArray(),
                    model(r).forward(tokens, sweep).toFloatArray(), 1e-4, "demo at 512");
        }
    }

    private static SequenceModel model(LoadedRun r) {
        return r.model();
    }

    private static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * Math.max(1, Math.abs(expected[i])), what + " at " + i);
        }
    }
}
