package org.inductionlab.engine;

import org.inductionlab.engine.model.TransformerModel;
import org.inductionlab.engine.model.CausalAttention;
import org.inductionlab.engine.model.ForwardPass;
import org.inductionlab.engine.model.FusedAttention;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.model.Autograd;
import org.inductionlab.engine.model.ModelCost;
import org.inductionlab.engine.model.PositionLimitException;
import org.inductionlab.engine.platform.EngineRuntime;
import org.inductionlab.engine.task.InductionTask;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class TransformerModelTest {

    static long[] randomTokens(int batch, int n, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] t = new long[batch * n];
        for (int i = 0; i < t.length; i++) {
            t[i] = r.nextInt(vocab + 1);
        }
        return t;
    }

    static float[] logits(TransformerModel model, long[] tokens, int batch, ForwardPass pass) {
        try (Autograd.Scope s = Autograd.noGrad(); NDManager m = NDManager.newBaseManager(model.device())) {
            NDArray x = m.create(tokens, new Shape(batch, tokens.length / batch));
            return model.forward(x, pass).toFloatArray();
        }
    }

    /**
     * The lab's own tiled attention — what runs wherever the fused module cannot load — with fused attention
     * explicitly off, at tile sizes that cut the square layers' queries (one query per tile up to the causal
     * blocks) and the last layer's sequences, checked in values against the textbook pass.
     */
    @ParameterizedTest
    @ValueSource(strings = {"norm=pre", "norm=post", "positional=rotary", "positional=learned", "positional=none",
            "layers=3", "positional=xpos", "positional=alibi", "layer_positional=window:2,none",
            "layer_positional=alibi,window:7", "attention_scale=log_length"})
    void tiledLastQueryPathAgreesWithTheFullPath(String variant) {
        Hyperparameters hp = TestConfigs.tiny(variant, "train_length=128");
        EngineRuntime.start(0);
        try (NDManager m = NDManager.newBaseManager(); TransformerModel model = new TransformerModel(hp, m)) {
            int batch = 3;
            int n = 100;
            long[] tokens = randomTokens(batch, n, hp.vocab(), 5);
            float[] full = logits(model, tokens, batch, ForwardPass.full());
            for (long tile : new long[] {1, 700, 5_000, CausalAttention.DEFAULT_TILE_ELEMENTS}) {
                ForwardPass own = ForwardPass.evaluation(tile).withFused(false);
                assertFalse(own.usesFused());
                CausalAttention.TilePlan square = CausalAttention.TilePlan.of(batch, hp.heads(), n, n, 0, own);
                assertTrue(square.queries() < n, "tile " + tile + " splits the square's queries: " + square);
                long fusedBefore = FusedAttention.calls();
                float[] tiled = logits(model, tokens, batch, own);
                assertEquals(fusedBefore, FusedAttention.calls(), "the lab's own attention ran, not the fused module");
                assertClose(full, tiled, variant + ", tile " + tile + " (" + square + ")");
            }
            assertEquals(1, CausalAttention.TilePlan.of(batch, hp.heads(), 1, n, n - 1,
                    ForwardPass.evaluation(1).withFused(false)).sequences(), "tile 1 cuts the last query's batch too");
        }
    }

    /** The evaluation pass as it runs by default, through PyTorch's fused attention: the same logits. */
    @ParameterizedTest
    @ValueSource(strings = {"norm=pre", "positional=rotary", "positional=learned", "positional=xpos",
            "attention_scale=log_length"})
    void fusedLastQueryPathAgreesWithTheFullPath(String variant) {
        Hyperparameters hp = TestConfigs.tiny(variant, "train_length=128");
        EngineRuntime.start(0);
        try (NDManager m = NDManager.newBaseManager(); TransformerModel model = new TransformerModel(hp, m)) {
            long[] tokens = randomTokens(3, 100, hp.vocab(), 5);
            float[] full = logits(model, tokens, 3, ForwardPass.full());
            ForwardPass fused = ForwardPass.evaluation();
            assertTrue(fused.usesFused());
            long before = FusedAttention.calls();
            float[] got = logits(model, tokens, 3, fused);
            assertEquals(hp.layers(), FusedAttention.calls() - before, "every layer ran fused");
            assertClose(full, got, variant + ", fused");
        }
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4, what + ", logit " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"norm=pre", "norm=post", "positional=rotary", "positional=xpos", "positional=alibi",
            "layer_positional=window:2,none", "attention_scale=log_length"})
    void trainingPathGradientsEqualTheTextbookGradients(String variant) {
        Hyperparameters hp = TestConfigs.tiny(variant, "train_length=128");
        long[] tokens = randomTokens(4, 90, hp.vocab(), 11);
        long[] answers = {1, 5, 9, 16};
        java.util.Map<String, float[]> blocked = gradients(hp, tokens, answers, ForwardPass.training(3000)
                .withTraining(false).withFused(false));
        java.util.Map<String, float[]> textbook = gradients(hp, tokens, answers, ForwardPass.full());
        assertEquals(textbook.keySet(), blocked.keySet());
        for (String name : textbook.keySet()) {
            float[] a = textbook.get(name);
            float[] b = blocked.get(name);
            boolean any = false;
            for (float v : a) {
                any |= v != 0;
            }
            assertTrue(any, variant + ": every parameter gets a gradient, " + name + " got none");
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-4, variant + " d loss / d " + name + "[" + i + "]");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"norm=pre", "norm=post", "positional=rotary", "positional=learned"})
    void fusedTrainingGradientsEqualTheLabsOwn(String variant) {
        Hyperparameters hp = TestConfigs.tiny(variant, "train_length=128", "max_positions=128");
        long[] tokens = randomTokens(4, 90, hp.vocab(), 13);
        long[] answers = {2, 6, 16, 3};
        ForwardPass own = ForwardPass.training(3000).withFused(false);
        java.util.Map<String, float[]> expected = gradients(hp, tokens, answers, own);
        long before = org.inductionlab.engine.model.FusedAttention.calls();
        java.util.Map<String, float[]> fused = gradients(hp, tokens, answers, own.withFused(true));
        assertEquals(hp.layers(), org.inductionlab.engine.model.FusedAttention.calls() - before, "every layer ran fused");
        assertEquals(expected.keySet(), fused.keySet());
        for (String name : expected.keySet()) {
            float[] a = expected.get(name);
            float[] b = fused.get(name);
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-4 * Math.max(1, Math.abs(a[i])), variant + " d loss / d " + name + "[" + i + "]");
            }
        }
    }

    private static java.util.Map<String, float[]> gradients(Hyperparameters hp, long[] tokens, long[] answers,
                                                            ForwardPass pass) {
        java.util.Map<String, float[]> out = new java.util.TreeMap<>();
        try (NDManager m = NDManager.newBaseManager(); TransformerModel model = new TransformerModel(hp, m)) {
            try (NDManager step = m.newSubManager()) {
                NDArray x = step.create(tokens, new Shape(answers.length, tokens.length / answers.length));
                NDArray y = step.create(answers, new Shape(answers.length, 1));
                try (ai.djl.training.GradientCollector gc = EngineRuntime.engine().newGradientCollector()) {
                    NDArray loss = model.forward(x, pass).logSoftmax(1).gather(y, 1).mean().neg();
                    // A collection between forward and backward once freed tensors that libtorch had saved
                    // for backward (DJL's mul(Number)); the embedding's gradient then came out as 0.
                    System.gc();
                    gc.backward(loss);
                }
            }
            for (var e : model.parameters().entrySet()) {
                try (NDArray g = e.getValue().getGradient()) {
                    out.put(e.getKey(), g.toFloatArray());
                }
            }
        }
        return out;
    }

    @Test
    void changingLaterTokensLeavesEarlierOutputsUnchanged() {
        Hyperparameters hp = TestConfigs.tiny("positional=sinusoidal");
        try (Autograd.Scope s = Autograd.noGrad(); NDManager m = NDManager.newBaseManager();
             TransformerModel model = new TransformerModel(hp, m)) {
            int n = 20;
            int cut = 11;
            long[] a = randomTokens(1, n, hp.vocab(), 1);
            long[] b = a.clone();
            for (int i = cut + 1; i < n; i++) {
                b[i] = (a[i] + 1 + i) % (hp.vocab() + 1);
            }
            float[] outA = model.forwardEveryPosition(m.create(a, new Shape(1, n))).toFloatArray();
            float[] outB = model.forwardEveryPosition(m.create(b, new Shape(1, n))).toFloatArray();
            int v = hp.tokenCount();
            for (int pos = 0; pos < n; pos++) {
                double diff = 0;
                for (int k = 0; k < v; k++) {
                    diff = Math.max(diff, Math.abs(outA[pos * v + k] - outB[pos * v + k]));
                }
                if (pos <= cut) {
                    assertTrue(diff < 1e-5, "position " + pos + " saw the future: " + diff);
                } else {
                    assertTrue(diff > 1e-4, "position " + pos + " should see its own changed input");
                }
            }
        }
    }

    @Test
    void attentionRowsSumToOneAndAreZeroAboveTheDiagonal() {
        Hyperparameters hp = TestConfigs.tiny("dropout=0.5"); // dropout must not touch evaluation
        try (NDManager m = NDManager.newBaseManager(); TransformerModel model = new TransformerModel(hp, m)) {
            int[] seq = new InductionTask(hp.vocab(), hp.layout(), 3).sequence(0, 24).tokens();
            AttentionMap map = AttentionMap.compute(model, java.util.Arrays.copyOf(seq, 23));
            assertEquals(23, map.length());
            for (int l = 0; l < hp.layers(); l++) {
                for (int h = 0; h < hp.heads(); h++) {
                    for (int q = 0; q < 23; q++) {
                        double sum = 0;
                        for (int k = 0; k < 23; k++) {
                            float w = map.weight(l, h, q, k);
                            if (k > q) {
                                assertEquals(0f, w, "layer " + l + " head " + h + " query " + q + " key " + k);
                            }
                            assertTrue(w >= 0);
                            sum += w;
                        }
                        assertEquals(1.0, sum, 1e-5);
                    }
                }
            }
            assertEquals(5, map.triggerPosition());
            assertArrayEquals(new int[] {22, 6}, map.taskTarget());
            assertTrue(map.isInductionCell(22, 6), "the task target is an induction cell");
        }
    }

    @Test
    void inductionAndPreviousTokenScoresMeasureWhatTheySay() {
        // Hand-built heads on a sequence with period 3: a previous-token head, an induction head (each query
        // on the key after the earlier copy of its token), and uniform causal attention.
        int[] tokens = {1, 2, 3, 1, 2, 3, 1, 2};
        int n = tokens.length;
        float[] previous = new float[n * n];
        float[] induction = new float[n * n];
        float[] uniform = new float[n * n];
        for (int i = 0; i < n; i++) {
            previous[i * n + Math.max(0, i - 1)] = 1;
            induction[i * n + (i >= 3 ? i - 2 : i)] = 1; // tokens[i-3] == tokens[i]: read the one after it
            for (int j = 0; j <= i; j++) {
                uniform[i * n + j] = 1f / (i + 1);
            }
        }
        AttentionMap map = AttentionMap.of(tokens, 16, 3, new float[][] {previous, induction, uniform}, 0, 1);
        assertTrue(map.isInductionCell(3, 1));
        assertFalse(map.isInductionCell(3, 2));
        assertTrue(AttentionMap.isPreviousTokenCell(4, 3));

        assertEquals(1.0, map.previousTokenScore(0, 0), 1e-6, "a previous-token head scores 1");
        assertEquals(0.0, map.inductionScore(0, 0), 1e-6, "and is no induction head");
        assertEquals(1.0, map.inductionScore(0, 1), 1e-6, "an induction head scores 1");
        assertEquals(0.0, map.previousTokenScore(0, 1), 1e-6, "and is no previous-token head");
        double uniformPrevious = 0;
        for (int i = 1; i < n; i++) {
            uniformPrevious += 1.0 / (i + 1);
        }
        assertEquals(uniformPrevious / (n - 1), map.previousTokenScore(0, 2), 1e-6);
        assertTrue(map.inductionScore(0, 2) < 0.5 && map.previousTokenScore(0, 2) < 0.5, "uniform is neither");
    }

    @Test
    void aShorterSequenceAfterALongerOneSeesTheSamePositions() {
        Hyperparameters hp = TestConfigs.tiny("train_length=128");
        try (NDManager m = NDManager.newBaseManager();
             TransformerModel used = new TransformerModel(hp, m);
             TransformerModel fresh = new TransformerModel(hp, m)) {
            logits(used, randomTokens(1, 120, hp.vocab(), 8), 1, ForwardPass.full()); // caches 120 rows
            long[] shortInput = randomTokens(2, 40, hp.vocab(), 9);
            assertArrayEquals(logits(fresh, shortInput, 2, ForwardPass.full()),
                    logits(used, shortInput, 2, ForwardPass.full()));
        }
    }

    @Test
    void learnedPositionsRefuseLongerSequences() {
        Hyperparameters hp = TestConfigs.tiny("positional=learned");
        try (Autograd.Scope s = Autograd.noGrad(); NDManager m = NDManager.newBaseManager();
             TransformerModel model = new TransformerModel(hp, m)) {
            assertEquals(24, model.maxLength());
            NDArray tooLong = m.create(randomTokens(1, 25, hp.vocab(), 2), new Shape(1, 25));
            var e = assertThrows(PositionLimitException.class,
                    () -> model.forward(tooLong, ForwardPass.evaluation(1000)));
            assertTrue(e.getMessage().contains("cover 24 tokens"));
        }
    }

    @Test
    void parameterCountMatchesTheFormula() {
        for (String v : new String[] {"norm=pre", "norm=post", "positional=learned"}) {
            Hyperparameters hp = TestConfigs.tiny(v);
            try (NDManager m = NDManager.newBaseManager(); TransformerModel model = new TransformerModel(hp, m)) {
                assertEquals(ModelCost.parameterCount(hp), model.parameterCount(), v);
            }
        }
        // the course model: 2 layers of 8d^2 + biases and norms, embeddings and head
        assertEquals(69_137, ModelCost.parameterCount(Hyperparameters.defaults()));
    }

    @Test
    void sameSeedSameInitialWeights() {
        Hyperparameters hp = TestConfigs.tiny();
        try (NDManager m = NDManager.newBaseManager();
             TransformerModel a = new TransformerModel(hp, m);
             TransformerModel b = new TransformerModel(hp, m)) {
            long[] t = randomTokens(2, 10, hp.vocab(), 3);
            assertArrayEquals(logits(a, t, 2, ForwardPass.full()), logits(b, t, 2, ForwardPass.full()));
        }
    }
}
