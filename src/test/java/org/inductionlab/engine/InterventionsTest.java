package org.inductionlab.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.Interventions;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.lab.TrainingJob;
import org.inductionlab.engine.model.Autograd;
import org.inductionlab.engine.model.ForwardPass;
import org.inductionlab.engine.model.TransformerModel;
import org.inductionlab.engine.platform.EngineRuntime;
import org.inductionlab.engine.run.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The interventions setting: read and checked in one place, and what it does to a real model. */
class InterventionsTest {

    @TempDir
    Path tmp;

    private static String problem(String... overrides) {
        return assertThrows(InvalidConfigException.class, () -> TestConfigs.tiny(overrides)).getMessage();
    }

    @Test
    void theSettingIsReadCheckedAndWrittenBack() {
        Hyperparameters hp = TestConfigs.tiny("interventions=Clamp:L0H1:previous:0-2000, knockout:L1, freeze:L0");
        assertEquals("clamp:L0H1:previous:0-2000,knockout:L1,freeze:L0", hp.toText().get("interventions"));
        assertEquals(hp, Hyperparameters.defaults().with(hp.toText()), "config.json's text reads back the same");
        assertEquals("none", TestConfigs.tiny().toText().get("interventions"));
        assertEquals("clamp:L0H0:uniform:500-", Interventions.parse("clamp:l0h0:uniform:500-").toString());

        assertEquals("interventions: head L3H0 does not exist (allowed: L0..L1, H0..H1)",
                problem("interventions=clamp:L3H0:previous"));
        assertEquals("interventions: layer L2 does not exist (allowed: L0..L1, H0..H1)", problem("interventions=freeze:L2"));
        assertTrue(problem("interventions=clamp:L0H0:sideways").startsWith(
                "interventions: 'clamp:l0h0:sideways': the pattern 'sideways' is unknown (allowed: previous | uniform)"));
        assertTrue(problem("interventions=clamp:L0H0:previous:200-100").contains("are empty (allowed: FROM < TO)"));
        assertTrue(problem("interventions=prune:L0").startsWith("interventions: 'prune:l0' is not an intervention"
                + " (allowed: none, or comma separated clamp:LxHy:previous|uniform[:FROM-TO]"));
        assertTrue(problem("interventions=knockout:L1,clamp:L1H0:previous").contains("act on the same head"));
        assertEquals("interventions: a mamba model has no attention heads to clamp, knock out or freeze (allowed: none)",
                problem("architecture=mamba", "interventions=knockout:L0"));
    }

    private static float[] run(TransformerModel model, long[] tokens, int batch, ForwardPass pass) {
        try (Autograd.Scope s = Autograd.noGrad(); NDManager m = NDManager.newBaseManager(model.device())) {
            return model.forward(m.create(tokens, new Shape(batch, tokens.length / batch)), pass).toFloatArray();
        }
    }

    /** Each head's recorded weights, layer by layer: [layer][head] = (queries x keys) row-major. */
    private static float[][][] recorded(TransformerModel model, long[] tokens) {
        Hyperparameters hp = model.hyperparameters();
        float[][][] out = new float[hp.layers()][hp.heads()][];
        try (Autograd.Scope s = Autograd.noGrad(); NDManager m = NDManager.newBaseManager(model.device())) {
            model.forward(m.create(tokens, new Shape(1, tokens.length)), ForwardPass.recording((layer, w, b, q) -> {
                for (int h = 0; h < hp.heads(); h++) {
                    out[layer][h] = w.get(new NDIndex("0, " + h)).toFloatArray();
                }
            }));
        }
        return out;
    }

    @Test
    void aClampedHeadAttendsByItsPatternAndOnlyInItsSteps() {
        Hyperparameters hp = TestConfigs.tiny("interventions=clamp:L0H1:previous:0-100,clamp:L1H0:uniform");
        EngineRuntime.start(0);
        int n = 20;
        long[] tokens = TransformerModelTest.randomTokens(1, n, hp.vocab(), 3);
        try (NDManager m = NDManager.newBaseManager(); TransformerModel model = new TransformerModel(hp, m)) {
            model.setTrainingStep(50);
            float[][][] a = recorded(model, tokens);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(j == Math.max(0, i - 1) ? 1f : 0f, a[0][1][i * n + j], 1e-6, "previous: " + i + "," + j);
                    assertEquals(j <= i ? 1f / (i + 1) : 0f, a[1][0][i * n + j], 1e-6, "uniform: " + i + "," + j);
                }
            }
            assertNotEquals(1f, a[0][0][5 * n + 4], 1e-3, "the other head attends as it learned");
            // the clamped heads' outputs agree between the textbook pass and the efficient ones (fused and tiled)
            long[] batch = TransformerModelTest.randomTokens(3, n, hp.vocab(), 4);
            float[] full = run(model, batch, 3, ForwardPass.full());
            assertArrayEquals(full, run(model, batch, 3, ForwardPass.evaluation()), 1e-4f);
            assertArrayEquals(full, run(model, batch, 3, ForwardPass.evaluation(1).withFused(false)), 1e-4f);

            model.setTrainingStep(100); // past the range: layer 0's head is free, layer 1's still clamped
            float[][][] after = recorded(model, tokens);
            assertNotEquals(1f, after[0][1][5 * n + 4], 1e-3);
            assertEquals(1f / 6, after[1][0][5 * n + 2], 1e-6);
            model.setTrainingStep(-1); // after training the clamp without an end still acts, the other has ended
            float[][][] later = recorded(model, tokens);
            assertEquals(1f / 6, later[1][0][5 * n + 2], 1e-6);
            assertNotEquals(1f, later[0][1][5 * n + 4], 1e-3);
            assertFalse(java.util.Arrays.equals(full, run(model, batch, 3, ForwardPass.full())));
        }
    }

    @Test
    void aKnockedOutHeadOrLayerContributesNothing() {
        EngineRuntime.start(0);
        int n = 20;
        long[] tokens = TransformerModelTest.randomTokens(4, n, 16, 9);
        for (String what : List.of("knockout:L1H0", "knockout:L0")) {
            Hyperparameters knocked = TestConfigs.tiny("interventions=" + what);
            Hyperparameters plain = TestConfigs.tiny();
            try (NDManager m = NDManager.newBaseManager();
                 TransformerModel a = new TransformerModel(knocked, m);
                 TransformerModel b = new TransformerModel(plain, m)) {
                // by hand: zero W_O's columns that read the head (all of the layer's), as if its output were 0
                int layer = what.equals("knockout:L0") ? 0 : 1;
                int dh = plain.headDim();
                String cols = layer == 0 ? ":" : "0:" + dh;
                Map<String, NDArray> weights = new HashMap<>(b.parameters());
                NDArray wo = weights.get("layers." + layer + ".attention.out.weight").duplicate();
                wo.set(new NDIndex(":, " + cols), 0f);
                weights.put("layers." + layer + ".attention.out.weight", wo);
                b.load(weights);
                for (ForwardPass pass : List.of(ForwardPass.full(), ForwardPass.evaluation(), ForwardPass.training(1 << 20))) {
                    assertArrayEquals(run(b, tokens, 4, pass.withTraining(false)), run(a, tokens, 4, pass.withTraining(false)),
                            1e-5f, what);
                }
            }
        }
    }

    @Test
    void aFrozenLayerKeepsItsWeightsAndTheRunRecordsItsInterventions() throws Exception {
        Hyperparameters hp = TestConfigs.tiny("max_steps=15", "interventions=freeze:L0,knockout:L1H1");
        Path dir = tmp.resolve("frozen");
        TrainingJob.create(dir, hp, "test", false).run(null);
        assertEquals("freeze:L0,knockout:L1H1", RunFolder.open(dir).hyperparameters().toText().get("interventions"));
        EngineRuntime.start(0);
        try (LoadedRun run = LoadedRun.open(dir, null);
             NDManager m = NDManager.newBaseManager();
             TransformerModel fresh = new TransformerModel(hp, m)) {
            Map<String, NDArray> trained = run.model().parameters();
            for (Map.Entry<String, NDArray> e : fresh.parameters().entrySet()) {
                boolean same = e.getValue().contentEquals(trained.get(e.getKey()));
                if (e.getKey().startsWith("layers.0.")) {
                    assertTrue(same, e.getKey() + " is frozen");
                } else if (e.getKey().startsWith("layers.1.ff")) {
                    assertFalse(same, e.getKey() + " trained");
                }
            }
            // the knocked-out head's query, key and value weights get no gradient either: they stay as drawn
            int d = hp.dModel();
            int dh = hp.headDim();
            NDArray qkv = trained.get("layers.1.attention.qkv.weight");
            NDArray init = fresh.parameters().get("layers.1.attention.qkv.weight");
            NDIndex headRows = new NDIndex((2 * d + dh) + ":" + (2 * d + 2 * dh));
            assertTrue(qkv.get(headRows).contentEquals(init.get(headRows)), "W_V of L1H1 unchanged");
        }
    }

    @Test
    void thePhaseChangeStudyPlansItsVariants() {
        var spec = org.inductionlab.engine.lab.study.StudySpec.load("phase-change");
        assertEquals(12, spec.points().size(), "4 variants x 3 seeds");
        assertEquals(List.of("none", "clamp:L0H0:previous", "knockout:L1H0", "knockout:L1"), spec.points().stream()
                .map(p -> spec.hyperparameters(p.values(), p.name()).toText().get("interventions")).distinct().toList());
    }

    @Test
    void resumeKeepsTheInterventions() throws Exception {
        Path dir = tmp.resolve("resume");
        TrainingJob.create(dir, TestConfigs.tiny("max_steps=5", "interventions=clamp:L0H0:previous:0-3"), "test",
                false).run(null);
        var e = assertThrows(RuntimeException.class,
                () -> TrainingJob.resume(dir, Map.of("max_steps", "8", "interventions", "none")));
        assertTrue(e.getMessage().contains("interventions"), e.getMessage());
    }
}
