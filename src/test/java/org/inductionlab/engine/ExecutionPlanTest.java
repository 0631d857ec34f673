package org.inductionlab.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import org.inductionlab.engine.lab.TorchPeer;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.model.CausalAttention;
import org.inductionlab.engine.model.ExecutionPlan;
import org.inductionlab.engine.model.ForwardPass;
import org.inductionlab.engine.model.FusedAttention;
import org.inductionlab.engine.model.TransformerModel;
import org.inductionlab.engine.platform.EngineRuntime;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The device-dependent plan, checked on the CPU: its numbers, and that a GPU's cut gives the same logits. */
class ExecutionPlanTest {

    @Test
    void theCpuPlanIsWhatTheLabAlwaysDidAndAGpusFollowsItsFreeMemory() {
        assertEquals(new ExecutionPlan(4, 64L << 20, 16L << 20), ExecutionPlan.CPU);
        assertEquals(ExecutionPlan.CPU, ExecutionPlan.of(Device.cpu()));
        ExecutionPlan h100 = ExecutionPlan.gpu(78L << 30);
        assertEquals(1, h100.causalBlocks(), "one block on a GPU: launches cost more than the masked half");
        assertEquals(1L << 30, h100.sweepTileElements(), "capped at 1G scores (4 GiB)");
        ExecutionPlan small = ExecutionPlan.gpu(8L << 30);
        assertEquals(128L << 20, small.sweepTileElements(), "a sixteenth of 8 GiB, in floats");
        assertEquals(64L << 20, ExecutionPlan.gpu(256L << 20).sweepTileElements(), "never below 64M");
        assertEquals(1L << 30, ExecutionPlan.gpu(Long.MAX_VALUE).sweepTileElements(), "unknown memory: the cap");
        assertTrue(h100.trainingTileElements() >= CausalAttention.TRAINING_TILE_ELEMENTS);

        Hyperparameters fast = org.inductionlab.engine.config.Preset.load("fast").apply();
        LengthSweep onCard = new LengthSweep(h100, 5e12);
        assertEquals(1L << 30, onCard.tileElements(fast, 1 << 20), "2^20 in tiles of 1G scores: 128 queries each");
        assertEquals(CausalAttention.CPU_SWEEP_TILE_ELEMENTS,
                LengthSweep.forDevice(Device.cpu()).tileElements(fast, 1 << 20));
    }

    /**
     * Each plan's sweep pass with the lab's own attention (fused explicitly off): the CPU's four causal
     * blocks, the GPU's single causal block holding the whole square, and both cut into small tiles; then
     * the same passes as a sweep runs them, fused. Every one gives the textbook pass's logits.
     */
    @Test
    void aGpuPlansPassGivesTheCpuPlansLogits() {
        Hyperparameters hp = TestConfigs.tiny("train_length=128");
        EngineRuntime.start(0);
        int batch = 3;
        int n = 100;
        try (NDManager m = NDManager.newBaseManager(); TransformerModel model = new TransformerModel(hp, m)) {
            long[] tokens = TransformerModelTest.randomTokens(batch, n, hp.vocab(), 9);
            float[] full = TransformerModelTest.logits(model, tokens, batch, ForwardPass.full());
            ExecutionPlan gpu = ExecutionPlan.gpu(8L << 30);
            for (ExecutionPlan plan : List.of(ExecutionPlan.CPU, gpu)) {
                String name = plan == gpu ? "GPU plan" : "CPU plan";
                for (long tile : new long[] {700, plan.sweepTileElements()}) {
                    ForwardPass own = ForwardPass.evaluation(plan, tile).withFused(false);
                    CausalAttention.TilePlan square = CausalAttention.TilePlan.of(batch, hp.heads(), n, n, 0, own);
                    if (tile == 700) {
                        assertTrue(square.queries() < 10 && square.sequences() == 1, name + " at 700: " + square);
                    } else if (plan == gpu) {
                        assertEquals(new CausalAttention.TilePlan(batch, n), square,
                                "the GPU's sweep tile holds the whole square: one causal block");
                    } else {
                        assertEquals(new CausalAttention.TilePlan(batch, n / 4), square,
                                "the CPU's sweep tile: four causal blocks");
                    }
                    long fusedBefore = FusedAttention.calls();
                    float[] got = TransformerModelTest.logits(model, tokens, batch, own);
                    assertEquals(fusedBefore, FusedAttention.calls(), name + ": the lab's own attention ran");
                    TransformerModelTest.assertClose(full, got, name + ", tile " + tile + " (" + square + ")");
                }
                ForwardPass sweep = ForwardPass.evaluation(plan, 700);
                assertTrue(sweep.usesFused(), "a sweep runs fused where it fits");
                long before = FusedAttention.calls();
                float[] fused = TransformerModelTest.logits(model, tokens, batch, sweep);
                assertEquals(hp.layers(), FusedAttention.calls() - before, name + ": every layer ran fused");
                TransformerModelTest.assertClose(full, fused, name + ", fused");
            }
        }
    }

    @Test
    void withoutAPythonWithTorchBenchSaysWhyItHasNoPeerFigure() {
        TorchPeer.Result r = TorchPeer.measure("/nonexistent/python3", TestConfigs.tiny(), Device.cpu(), 1, 1, 2);
        assertFalse(r.measured());
        assertTrue(r.unavailable().contains("cannot be started"), r.unavailable());
    }
}
