package org.inductionlab.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.config.Preset;
import org.inductionlab.engine.config.TaskKind;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.eval.DetectHead;
import org.inductionlab.engine.eval.HeadScores;
import org.inductionlab.engine.lab.HeadKind;
import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.lab.ShortcutProbe;
import org.inductionlab.engine.model.Autograd;
import org.inductionlab.engine.model.ForwardPass;
import org.inductionlab.engine.model.TransformerModel;
import org.inductionlab.engine.task.RepeatTask;
import org.inductionlab.engine.train.ScoredLoss;
import org.inductionlab.engine.train.Trainer;
import org.inductionlab.engine.train.TrainingOutcome;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Olsson et al.'s task (task repeat) and the question of which head a run grew: the repeat task's batches,
 * the loss over its scored positions, TransformerLens's detect_head scores with their uniform baselines, and
 * the verdict on the demos.
 */
class OlssonTaskTest {

    static final Path DEMOS = Path.of("resources/demo-runs");

    @Test
    void aRepeatSequenceIsAPrefixABlockAndTheBlockAgainScoredWhereTheFirstCopyDecides() {
        RepeatTask task = new RepeatTask(64, 3);
        for (int i = 0; i < 50; i++) {
            RepeatTask.Sequence s = task.sequence(i, 64);
            int r = s.blockStart();
            int n = s.block();
            assertTrue(n >= 16 && n <= 32, "block " + n);
            assertEquals(64, r + 2 * n);
            for (int k = 0; k < n; k++) {
                assertEquals(s.tokens()[r + k], s.tokens()[r + n + k], "the second half equals the first");
            }
            for (int t : s.tokens()) {
                assertTrue(t >= 0 && t < 64, "ordinary tokens only, never S");
            }
        }
        assertArrayEquals(task.sequence(7, 64).tokens(), new RepeatTask(64, 3).sequence(7, 64).tokens());
        RepeatTask.Batch b = task.batch(10, 3, 64);
        assertEquals(63, b.inputLength());
        for (int row = 0; row < 3; row++) {
            RepeatTask.Sequence s = task.sequence(10 + row, 64);
            int scored = 0;
            for (int i = 0; i < 63; i++) {
                assertEquals(s.tokens()[i], b.inputs()[row * 63 + i]);
                assertEquals(s.tokens()[i + 1], b.next()[row * 63 + i]);
                assertEquals(i >= s.blockStart() + s.block(), b.scored()[row * 63 + i], "scored from the repeat's first token");
                scored += b.scored()[row * 63 + i] ? 1 : 0;
            }
            assertEquals(s.block() - 1, scored, "every token of the repeat but its first is predicted");
        }
    }

    @Test
    void theLossIsTheMeanCrossEntropyOverTheScoredPositionsAndNoShortcutIsTaken() {
        Hyperparameters hp = TestConfigs.tiny("task=repeat", "vocab=8", "train_length=16");
        RepeatTask.Batch b = new RepeatTask(8, 1).batch(0, 3, 16);
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu());
             TransformerModel model = new TransformerModel(hp, m);
             Autograd.Scope noGrad = Autograd.noGrad()) {
            NDArray tokens = m.create(b.inputs(), new Shape(3, 15));
            NDArray logits = model.forwardEveryPosition(tokens, ForwardPass.training(1 << 20).withTraining(false));
            float[] all = logits.toFloatArray();
            float[] full = model.forwardEveryPosition(tokens).toFloatArray();
            assertArrayEquals(full, all, 1e-4f, "the training pass computes every position as the full one does");
            float[] last = model.forward(tokens, ForwardPass.evaluation()).toFloatArray();
            for (int row = 0; row < 3; row++) {
                for (int v = 0; v < 9; v++) {
                    assertEquals(last[row * 9 + v], all[(row * 15 + 14) * 9 + v], 1e-4, "last position as forward()");
                }
            }
            double sum = 0;
            int count = 0;
            int correct = 0;
            for (int p = 0; p < 45; p++) {
                if (!b.scored()[p]) {
                    continue;
                }
                double max = Double.NEGATIVE_INFINITY;
                int arg = 0;
                for (int v = 0; v < 9; v++) {
                    if (all[p * 9 + v] > max) {
                        max = all[p * 9 + v];
                        arg = v;
                    }
                }
                double z = 0;
                for (int v = 0; v < 9; v++) {
                    z += Math.exp(all[p * 9 + v] - max);
                }
                sum += max + Math.log(z) - all[p * 9 + b.next()[p]];
                count++;
                correct += arg == b.next()[p] ? 1 : 0;
            }
            assertEquals(b.scoredCount(), count);
            assertEquals(sum / count, ScoredLoss.loss(logits, b, m).getFloat(), 1e-4);
            assertEquals(correct, ScoredLoss.countCorrect(logits, b));
        }
    }

    @Test
    void aTinyModelTrainsOnTheRepeatTask() throws Exception {
        Hyperparameters hp = TestConfigs.tiny("task=repeat", "vocab=8", "train_length=16", "max_steps=30");
        TrainingOutcome o = new Trainer(hp, null, null, null).run(false);
        assertEquals(30, o.step());
        assertTrue(Double.isFinite(o.loss()) && o.loss() < Math.log(8) + 0.5, "loss " + o.loss());
    }

    @Test
    void theTaskIsValidatedAndTriggerStaysTheDefault() {
        assertEquals(TaskKind.TRIGGER, Hyperparameters.defaults().task());
        InvalidConfigException bad = assertThrows(InvalidConfigException.class,
                () -> Hyperparameters.defaults().with("task", "copy"));
        assertTrue(bad.getMessage().contains("task") && bad.getMessage().contains("trigger | repeat"), bad.getMessage());
        InvalidConfigException mamba = assertThrows(InvalidConfigException.class,
                () -> Hyperparameters.defaults().with(Map.of("task", "repeat", "architecture", "mamba")).validated());
        assertTrue(mamba.getMessage().contains("task"), mamba.getMessage());
        Hyperparameters olsson = Preset.load("olsson").apply();
        assertEquals(TaskKind.REPEAT, olsson.task());
    }

    /** tokens 1 2 1 2; head 0 a perfect induction head (row 1 split evenly), head 1 uniform. */
    static AttentionMap handMap() {
        float[] ind = {1, 0, 0, 0, .5f, .5f, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
        float[] uni = new float[16];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j <= i; j++) {
                uni[i * 4 + j] = 1f / (i + 1);
            }
        }
        return AttentionMap.of(new int[] {1, 2, 1, 2}, 8, 2, new float[][] {ind, uni}, 0, 1);
    }

    @Test
    void transformerLensScoresAreSumOfAttentionOnThePatternOverSumOfAttention() {
        DetectHead d = DetectHead.of(handMap());
        // induction cells (2,1) and (3,2): 2 of 4 rows' weight; previous: .5 + 1 + 1; duplicate: (2,0), (3,1)
        assertEquals(0.5, d.induction()[0][0], 1e-6);
        assertEquals(0.625, d.previousToken()[0][0], 1e-6);
        assertEquals(0.0, d.duplicateToken()[0][0], 1e-6);
        assertEquals((1 / 3.0 + 1 / 4.0) / 4, d.inductionUniform(), 1e-9);
        assertEquals((1 / 2.0 + 1 / 3.0 + 1 / 4.0) / 4, d.previousTokenUniform(), 1e-9);
        assertEquals((1 / 3.0 + 1 / 4.0) / 4, d.duplicateTokenUniform(), 1e-9);
        assertEquals(d.inductionUniform(), d.induction()[0][1], 1e-6, "a uniform head scores its baseline");
        assertEquals(d.previousTokenUniform(), d.previousToken()[0][1], 1e-6);
    }

    @Test
    void theLabsInductionScoreIsTwiceTransformerLensOnABlockWithoutRepeatsAndUniformBaselinesMatch() {
        int n = 16;
        int[] tokens = new int[2 * n];
        for (int i = 0; i < n; i++) {
            tokens[i] = i;
            tokens[n + i] = i;
        }
        float[] perfect = new float[4 * n * n];
        for (int i = 0; i < 2 * n; i++) {
            perfect[i * 2 * n + (i >= n ? i - n + 1 : 0)] = 1;
        }
        AttentionMap m = AttentionMap.of(tokens, 99, 1, new float[][] {perfect}, 0, 1);
        assertEquals(1.0, HeadScores.induction(m, 0, 0, n), 1e-6);
        assertEquals(0.5, DetectHead.of(m).induction()[0][0], 1e-6, "TL averages over both copies");
        HeadScores.Uniform u = HeadScores.uniform(TestConfigs.tiny("train_length=" + (2 * n + 1)));
        double second = 0;
        for (int i = n; i < 2 * n; i++) {
            second += 1.0 / (i + 1);
        }
        assertEquals(second / n, u.induction(), 1e-12);
        assertEquals(1.0 / (2 * n), u.target(), 1e-12);
    }

    @Test
    void transformerLensScoresAgreeWithAPythonReimplementation(@TempDir Path dir) throws Exception {
        String python = System.getenv().getOrDefault("INDUCTIONLAB_PYTHON", "python3");
        boolean torch;
        try {
            torch = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true).start().waitFor() == 0;
        } catch (java.io.IOException e) {
            torch = false;
        }
        Assumptions.assumeTrue(torch, python + " with torch is not installed here (set INDUCTIONLAB_PYTHON)");
        Hyperparameters hp = TestConfigs.tiny("vocab=4", "train_length=20");
        int[] tokens = HeadScores.repeatedBlock(4, 9, 2); // small vocabulary: tokens repeat inside the block too
        AttentionMap m;
        try (NDManager mgr = NDManager.newBaseManager(ai.djl.Device.cpu());
             TransformerModel model = new TransformerModel(hp, mgr)) {
            m = AttentionMap.compute(model, tokens);
        }
        ObjectMapper json = new ObjectMapper();
        float[][] maps = new float[m.layers() * m.heads()][];
        for (int l = 0; l < m.layers(); l++) {
            for (int h = 0; h < m.heads(); h++) {
                maps[l * m.heads() + h] = m.headWeights(l, h);
            }
        }
        Path in = dir.resolve("maps.json");
        json.writeValue(in.toFile(), Map.of("tokens", tokens, "maps", maps));
        Path err = dir.resolve("python.err");
        Process p = new ProcessBuilder(python, Path.of("src/test/python/tl_detect_head.py").toString(), in.toString())
                .redirectError(err.toFile()).start();
        byte[] printed = p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor(), () -> "the Python re-implementation failed: " + new String(printed)
                + readQuietly(err));
        JsonNode out = json.readTree(printed);
        DetectHead d = DetectHead.of(m);
        for (int l = 0; l < m.layers(); l++) {
            for (int h = 0; h < m.heads(); h++) {
                int k = l * m.heads() + h;
                assertEquals(out.get("previous").get(k).asDouble(), d.previousToken()[l][h], 1e-5);
                assertEquals(out.get("duplicate").get(k).asDouble(), d.duplicateToken()[l][h], 1e-5);
                assertEquals(out.get("induction").get(k).asDouble(), d.induction()[l][h], 1e-5);
            }
        }
        assertEquals(out.get("uniform_induction").asDouble(), d.inductionUniform(), 1e-5);
        assertEquals(out.get("uniform_previous").asDouble(), d.previousTokenUniform(), 1e-5);
        assertEquals(out.get("uniform_duplicate").asDouble(), d.duplicateTokenUniform(), 1e-5);
    }

    @Test
    void theInductionDemoIsTriggerSpecificAndTheOlssonDemoGeneric() {
        try (LoadedRun trigger = LoadedRun.open(DEMOS.resolve("demo-induction-256"), null)) {
            HeadKind k = HeadKind.of(trigger.model(), 1);
            assertEquals(HeadKind.TRIGGER_SPECIFIC, k.verdict(), k.why());
        }
        Assumptions.assumeTrue(Files.isDirectory(DEMOS.resolve("demo-olsson")), "demo-olsson not trained yet");
        try (LoadedRun olsson = LoadedRun.open(DEMOS.resolve("demo-olsson"), null)) {
            HeadKind k = HeadKind.of(olsson.model(), 1);
            assertEquals(HeadKind.GENERIC, k.verdict(), k.why());
            int[] top = k.tl().topInductionHead();
            assertEquals(1, top[0], "the generic induction head is in layer 1: " + k.why());
            assertTrue(k.tl().inductionRatio(top[0], top[1]) >= 5, k.why());
            ShortcutProbe.Result probe = ShortcutProbe.probe(olsson, 16, 1);
            assertEquals(HeadKind.GENERIC, probe.heads().verdict(), "the probe says the same");
        }
    }

    private static String readQuietly(Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
