package org.inductionlab.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.eval.HeadScores;
import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.lab.ShortcutProbe;
import org.inductionlab.engine.model.Autograd;
import org.inductionlab.engine.model.ForwardPass;
import org.inductionlab.engine.model.TransformerModel;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Head scores with the standard definitions, the shortcut probe's verdicts, and ablation. */
class HeadScoresTest {

    static final Path DEMOS = Path.of("resources/demo-runs");

    @Test
    void eachScoreIsOneOnTheHeadItDescribesAndNearZeroOnUniformAttention() {
        int n = 32;
        int[] tokens = HeadScores.repeatedBlock(16, n, 5);
        int len = 2 * n;
        float[] induction = new float[len * len];
        float[] duplicate = new float[len * len];
        float[] previous = new float[len * len];
        float[] uniform = new float[len * len];
        for (int i = 0; i < len; i++) {
            induction[i * len + (i >= n ? i - n + 1 : i)] = 1; // the token after the earlier copy
            duplicate[i * len + (i >= n ? i - n : i)] = 1;     // the earlier copy itself
            previous[i * len + Math.max(0, i - 1)] = 1;
            for (int j = 0; j <= i; j++) {
                uniform[i * len + j] = 1f / (i + 1);
            }
        }
        AttentionMap m = AttentionMap.of(tokens, 16, 4, new float[][] {induction, duplicate, previous, uniform}, 0, 1);
        assertEquals(1.0, HeadScores.induction(m, 0, 0, n), 1e-6);
        assertEquals(1.0, HeadScores.duplicateToken(m, 0, 1, n), 1e-6);
        assertEquals(1.0, HeadScores.previousToken(m, 0, 2), 1e-6);
        assertEquals(0.0, HeadScores.induction(m, 0, 1, n), 1e-6, "a duplicate-token head is no induction head");
        for (double s : new double[] {HeadScores.induction(m, 0, 3, n), HeadScores.duplicateToken(m, 0, 3, n),
                HeadScores.previousToken(m, 0, 3)}) {
            assertTrue(s < 0.12, "uniform attention scores near 0: " + s);
        }
    }

    @Test
    void thePositionDemoIsAShortcutAndTheInductionDemoIsInduction() {
        try (LoadedRun position = LoadedRun.open(DEMOS.resolve("demo-position"), null);
             LoadedRun induction = LoadedRun.open(DEMOS.resolve("demo-induction"), null)) {
            ShortcutProbe.Result p = ShortcutProbe.probe(position.model(), 128, null, 1);
            ShortcutProbe.Result i = ShortcutProbe.probe(induction.model(), 128, null, 1);
            assertEquals("positional shortcut", p.verdict(), p.why());
            assertEquals("induction", i.verdict(), i.why());
            assertTrue(p.accuracy("anywhere", 32) < 0.5 && p.accuracy("fixed:5", 32) >= 0.9, p.why());
            assertTrue(p.why().contains("with S moved by one"), "the table's evidence is in the sentence: " + p.why());
        }
    }

    @Test
    void ablatingNoHeadChangesNothingAndAblatingALayerChangesTheLogits() {
        Hyperparameters hp = TestConfigs.tiny();
        try (NDManager m = NDManager.newBaseManager(); TransformerModel model = new TransformerModel(hp, m);
             Autograd.Scope noGrad = Autograd.noGrad()) {
            long[] ids = TransformerModelTest.randomTokens(2, 20, hp.vocab(), 3);
            NDArray x = m.create(ids, new Shape(2, 20));
            float[] plain = model.forward(x, ForwardPass.evaluation()).toFloatArray();
            boolean[][] none = new boolean[hp.layers()][hp.heads()];
            boolean[][] layer1 = new boolean[hp.layers()][hp.heads()];
            java.util.Arrays.fill(layer1[1], true);
            assertArrayEquals(plain, model.forward(x, ForwardPass.evaluation().withAblated(none)).toFloatArray());
            float[] ablated = model.forward(x, ForwardPass.evaluation().withAblated(layer1)).toFloatArray();
            double diff = 0;
            for (int k = 0; k < plain.length; k++) {
                diff = Math.max(diff, Math.abs(plain[k] - ablated[k]));
            }
            assertTrue(diff > 1e-3, "ablating layer 1 changes the logits: " + diff);
        }
    }

    @Test
    void aBadHeadNamesItselfAndTheRange() {
        var e = assertThrows(IllegalArgumentException.class, () -> ShortcutProbe.parseHeads("1.9", TestConfigs.tiny()));
        assertEquals("ablate: '1.9' is not a head (allowed: LAYER.HEAD with LAYER 0..1 and HEAD 0..1, comma-separated)",
                e.getMessage());
    }
}
