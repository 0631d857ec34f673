package org.inductionlab.engine.model;

import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.config.Hyperparameters;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A windowed layer is priced as the band CausalAttention computes, not as the causal square. */
class WindowCostTest {

    @Test
    void bandedScoresCountEachTilesQueriesAndTheWindowBeforeThem() {
        // tiles of 100 queries, window 2: the first tile meets 100 keys, every later one 101
        assertEquals(100L * 100 + 9L * 100 * 101, CausalAttention.bandedScores(1000, 2, 100));
    }

    @Test
    void aWindowedLayerCostsLinearlyInTheLength() {
        Hyperparameters windowed = TestConfigs.tiny("positional=none", "layer_positional=window:2,none");
        Hyperparameters open = TestConfigs.tiny("positional=none");
        ForwardPass pass = ForwardPass.evaluation(CausalAttention.CPU_SWEEP_TILE_ELEMENTS);
        double w16 = ModelCost.forwardFlops(windowed, 1 << 16, pass);
        double w12 = ModelCost.forwardFlops(windowed, 1 << 12, pass);
        double o16 = ModelCost.forwardFlops(open, 1 << 16, pass);
        assertTrue(w16 / w12 < 20, "16x the tokens, about 16x the work: " + w16 / w12);
        assertTrue(o16 > 10 * w16, "the open layer's square dominates: " + o16 / w16);
    }
}
