package org.inductionlab.engine.model;

import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.Preset;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The cost model prices the pass the trainer runs: {@link ForwardPass#training(ExecutionPlan)}, fused where it fits. */
class ModelCostTest {

    /** fast: no dropout, so training runs layer 0 fused; 255 queries in four causal blocks would be 40,641 scores. */
    @Test
    void aFusedTrainingLayerIsPricedAtTheCausalHalf() {
        Hyperparameters fast = Preset.load("fast").apply();
        int n = fast.trainLength() - 1;
        ForwardPass trainer = ForwardPass.training(ExecutionPlan.CPU);
        double fused = ModelCost.forwardFlops(fast, n, trainer);
        double own = ModelCost.forwardFlops(fast, n, trainer.withFused(false));
        long half = (long) n * (n + 1) / 2;
        long blocks = CausalAttention.TilePlan.scores(n, 0, (n + 3) / 4);
        assertEquals(40_641, blocks);
        assertEquals((blocks - half) * 2 * 2 * fast.headDim() * fast.heads(), own - fused, 1e-6);
        assertEquals(3 * fast.batchSize() * fused, ModelCost.trainingStepFlops(fast), 1e-6);
        assertEquals(1.409, ModelCost.trainingStepFlops(fast) / 1e9, 5e-4, "fast's GFLOP per step");
    }

    /** Attention dropout, a score bias (ALiBi, a window): the fused module takes none, so the lab's tiles are priced. */
    @Test
    void withDropoutOrAScoreBiasTheLabsOwnAttentionIsPriced() {
        for (Hyperparameters hp : new Hyperparameters[] {Preset.load("course").apply(),
                Preset.load("fast").apply().with("positional", "alibi")}) {
            int n = hp.trainLength() - 1;
            ForwardPass trainer = ForwardPass.training(ExecutionPlan.CPU);
            assertEquals(ModelCost.forwardFlops(hp, n, trainer.withFused(false)), ModelCost.forwardFlops(hp, n, trainer),
                    1e-6, hp.toText().get("positional") + ", dropout " + hp.dropout());
        }
    }

    /** Mamba's last block serves the last position: its C h and out projection are priced there alone. */
    @Test
    void mambasLastBlockIsPricedAtTheLastPositionOnly() {
        Hyperparameters mamba = Preset.load("mamba").apply();
        int n = mamba.trainLength() - 1;
        double e = mamba.expand() * mamba.dModel();
        double whole = ModelCost.forwardFlops(mamba, n, ForwardPass.full());
        double last = ModelCost.forwardFlops(mamba, n, ForwardPass.training(ExecutionPlan.CPU));
        assertEquals((n - 1) * 2 * e * (mamba.dModel() + mamba.dState()), whole - last, 1e-6);
    }
}
