package org.inductionlab.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import org.inductionlab.engine.bench.TorchPeer;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.model.CausalAttention;
import org.inductionlab.engine.model.ExecutionPlan;
import org.inductionlab.engine.model.ForwardPass;
import org.inductionlab.engine.model.TransformerModel;
import org.inductionlab.engine.platform.EngineRuntime;
import org.junit.jupiter.api.Test;

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

    @Test
    void aGpuPlansPassGivesTheCpuPlansLogits() {
        Hyperparameters hp = TestConfigs.tiny("train_length=128");
        EngineRuntime.start(0);
        try (NDManager m = NDManager.newBaseManager(); TransformerModel model = new TransformerModel(hp, m)) {
            long[] tokens = TransformerModelTest.randomTokens(3, 100, hp.vocab(), 9);
            float[] cpu = TransformerModelTest.logits(model, tokens, 3, ExecutionPlan.CPU.evaluation(700));
            float[] gpu = TransformerModelTest.logits(model, tokens, 3, ExecutionPlan.gpu(8L << 30).evaluation(700));
            float[] full = TransformerModelTest.logits(model, tokens, 3, ForwardPass.full());
            for (int i = 0; i < full.length; i++) {
                assertEquals(full[i], cpu[i], 1e-4);
                assertEquals(full[i], gpu[i], 1e-4, "one causal block, logit " + i);
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
