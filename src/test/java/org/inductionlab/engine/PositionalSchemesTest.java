package org.inductionlab.engine;

import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.config.LayerPositions;
import org.inductionlab.engine.lab.ModelExchange;
import org.inductionlab.engine.lab.TrainingJob;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * xPos, ALiBi, hard local windows per layer and the log-length scale: checked against a textbook computation
 * written independently in plain PyTorch (python/induction_lab_torch.py computes xPos's decay per pair of
 * dimensions and distance in float64, ALiBi's slopes with the paper's get_slopes, the window as a mask on the
 * square), on trained tiny models exported and loaded there; and the settings' checks.
 */
class PositionalSchemesTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void findTorch() throws Exception {
        TorchInteropTest.findTorch();
    }

    @ParameterizedTest
    @ValueSource(strings = {"positional=xpos", "positional=alibi", "positional=rotary",
            "layer_positional=window:2,none", "layer_positional=alibi,window:5|attention_scale=log_length",
            "positional=alibi|d_model=24|heads=6|layers=1", "positional=xpos|attention_scale=log_length"})
    void theLabsSchemesGiveTheTextbooksLogitsInPyTorch(String variant) throws Exception {
        TorchInteropTest.needTorch();
        String[] overrides = variant.split("\\|");
        String[] all = java.util.Arrays.copyOf(overrides, overrides.length + 1);
        all[overrides.length] = "max_steps=15";
        Path run = tmp.resolve("run");
        TrainingJob.create(run, TestConfigs.tiny(all), "tiny", false).run(null);
        Path file = tmp.resolve("model.safetensors");
        ModelExchange.export(run, file);
        List<int[]> lines = TorchInteropTest.sequences(16, 40); // longer than training (24) and than the windows
        TorchInteropTest.assertClose(TorchInteropTest.labLogits(run, lines), TorchInteropTest.runPython(
                "induction_lab_torch.py", file.toString(), "--logits", TorchInteropTest.tokenFile(tmp, lines).toString()));
    }

    /** A file exported with per-layer positions and the log-length scale imports as the same model, same logits. */
    @Test
    void perLayerPositionsSurviveExportAndImport() throws Exception {
        Path run = tmp.resolve("run");
        TrainingJob.create(run, TestConfigs.tiny("positional=none", "layer_positional=window:3,alibi",
                "attention_scale=log_length", "max_steps=10"), "tiny", false).run(null);
        Path file = tmp.resolve("model.safetensors");
        ModelExchange.export(run, file);
        Path back = tmp.resolve("imported");
        ModelExchange.Imported in = ModelExchange.importFile(file, back, Map.of(), Map.of(), false);
        assertEquals("window:3,alibi", in.hyperparameters().layerPositional().toString());
        assertEquals("log_length", in.hyperparameters().attentionScale().toString());
        List<int[]> lines = TorchInteropTest.sequences(16, 40);
        float[][] before = TorchInteropTest.labLogits(run, lines);
        float[][] after = TorchInteropTest.labLogits(back, lines);
        for (int i = 0; i < before.length; i++) {
            assertArrayEquals(before[i], after[i], 1e-6f, "sequence " + i);
        }
    }

    @Test
    void perLayerPositionsAreCheckedAndReadBack() {
        Hyperparameters hp = TestConfigs.tiny("layer_positional=window:2, none", "positional=none");
        assertEquals("window:2,none", hp.toText().get("layer_positional"));
        assertEquals(LayerPositions.Kind.WINDOW, hp.attentionPositions(0).kind());
        assertEquals(2, hp.attentionPositions(0).window());
        assertEquals(LayerPositions.Kind.NONE, hp.attentionPositions(1).kind());
        assertEquals(hp, Hyperparameters.defaults().with(hp.toText()), "config.json's text reads back the same");

        assertProblem("layer_positional", "3 entries for 2 layers", "layer_positional=alibi,none,none");
        assertProblem("positional", "allowed with layer_positional: sinusoidal, learned or none",
                "layer_positional=window:2,none", "positional=rotary");
        assertProblem("layer_positional", "needs an even head width", "layer_positional=xpos,none", "d_model=24",
                "heads=8");
        InvalidConfigException bad = assertThrows(InvalidConfigException.class,
                () -> Hyperparameters.defaults().with("layer_positional", "window:0,none"));
        assertEquals("layer_positional", bad.problems().get(0).key());
        assertTrue(bad.getMessage().contains("window:W (W 1..65536)"), bad.getMessage());
        InvalidConfigException scale = assertThrows(InvalidConfigException.class,
                () -> Hyperparameters.defaults().with("attention_scale", "log"));
        assertTrue(scale.getMessage().contains("standard | log_length"), scale.getMessage());
    }

    private static void assertProblem(String key, String words, String... overrides) {
        Map<String, String> v = new java.util.LinkedHashMap<>(TestConfigs.tiny().toText());
        for (String o : overrides) {
            v.put(o.substring(0, o.indexOf('=')), o.substring(o.indexOf('=') + 1));
        }
        var parsed = org.inductionlab.engine.config.HyperparameterSchema.parse(v);
        assertFalse(parsed.ok(), String.join(" ", overrides) + " is refused");
        assertTrue(parsed.problems().stream().anyMatch(p -> p.key().equals(key) && p.message().contains(words)),
                String.join(" ", overrides) + ": " + parsed.problems());
    }
}
