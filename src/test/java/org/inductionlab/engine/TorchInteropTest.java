package org.inductionlab.engine;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.inductionlab.engine.lab.ModelExchange;
import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.lab.TrainingJob;
import org.inductionlab.engine.model.Autograd;
import org.inductionlab.engine.model.ForwardPass;
import org.inductionlab.engine.task.InductionTask;
import org.inductionlab.engine.task.TriggerLayout;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The lab against plain PyTorch, where Python and torch are installed (INDUCTIONLAB_PYTHON, else python3):
 * the shipped loader (python/induction_lab_torch.py) reproduces an exported run's logits, and a model
 * built with PyTorch's own nn.TransformerEncoder (python/train_torch_encoder.py) imports and gives
 * PyTorch's logits in the lab. Skipped, saying so, where torch is missing.
 */
class TorchInteropTest {

    static String python;
    static boolean available;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findTorch() throws Exception {
        python = System.getenv().getOrDefault("INDUCTIONLAB_PYTHON", "python3");
        int rc;
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            rc = p.waitFor(120, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (java.io.IOException e) {
            rc = -1;
        }
        available = rc == 0;
    }

    static void needTorch() {
        Assumptions.assumeTrue(available, python + " with torch is not installed here (python3 -m pip install torch,"
                + " or set INDUCTIONLAB_PYTHON): the PyTorch loader and import are not checked against PyTorch");
    }

    /** Task sequences (answer dropped) as lines of token ids, and the same as arrays. */
    static List<int[]> sequences(int vocab, int length) {
        InductionTask task = InductionTask.evaluation(vocab, new TriggerLayout.Anywhere(), 5);
        List<int[]> out = new ArrayList<>();
        for (int s = 0; s < 6; s++) {
            out.add(java.util.Arrays.copyOf(task.sequence(s, length).tokens(), length - 1));
        }
        return out;
    }

    static Path tokenFile(Path dir, List<int[]> lines) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int[] l : lines) {
            for (int i = 0; i < l.length; i++) {
                sb.append(i == 0 ? "" : " ").append(l[i]);
            }
            sb.append('\n');
        }
        Path f = dir.resolve("tokens.txt");
        Files.writeString(f, sb);
        return f;
    }

    /** Runs a script of python/ and returns its stdout's JSON. */
    static JsonNode runPython(String script, String... args) throws Exception {
        return runScript(Path.of("python", script), args);
    }

    /** Runs a Python script and returns its stdout's JSON. */
    static JsonNode runScript(Path file, String... args) throws Exception {
        String script = file.getFileName().toString();
        List<String> cmd = new ArrayList<>(List.of(python, file.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), script + " did not finish");
        assertEquals(0, p.exitValue(), script + " failed: " + out);
        return new ObjectMapper().readTree(out.substring(out.indexOf('{')));
    }

    static float[][] labLogits(Path run, List<int[]> lines) {
        try (LoadedRun r = LoadedRun.open(run, null); Autograd.Scope noGrad = Autograd.noGrad();
             NDManager m = NDManager.newBaseManager(r.model().device())) {
            float[][] out = new float[lines.size()][];
            for (int i = 0; i < lines.size(); i++) {
                int[] l = lines.get(i);
                long[] ids = java.util.Arrays.stream(l).asLongStream().toArray();
                out[i] = r.model().forward(m.create(ids, new Shape(1, l.length)), ForwardPass.evaluation()).toFloatArray();
            }
            return out;
        }
    }

    static void assertClose(float[][] lab, JsonNode torch) {
        assertEquals(lab.length, torch.get("logits").size());
        for (int i = 0; i < lab.length; i++) {
            JsonNode row = torch.get("logits").get(i);
            assertEquals(lab[i].length, row.size());
            for (int j = 0; j < lab[i].length; j++) {
                assertEquals(row.get(j).asDouble(), lab[i][j], 1e-4, "sequence " + i + ", token " + j);
            }
        }
    }

    @Test
    void theShippedPyTorchLoaderGivesTheLabsLogits() throws Exception {
        needTorch();
        for (String norm : List.of("post", "pre")) {
            Path run = tmp.resolve("run-" + norm);
            TrainingJob.create(run, TestConfigs.tiny("max_steps=20", "norm=" + norm), "tiny", false).run(null);
            Path file = tmp.resolve(norm + ".safetensors");
            ModelExchange.export(run, file);
            List<int[]> lines = sequences(16, 24);
            assertClose(labLogits(run, lines), runPython("induction_lab_torch.py", file.toString(), "--logits",
                    tokenFile(tmp, lines).toString()));
        }
    }

    @Test
    void aPyTorchTransformerEncoderImportsAndGivesPyTorchsLogitsInTheLab() throws Exception {
        needTorch();
        List<int[]> lines = sequences(16, 40);
        Path tokens = tokenFile(tmp, lines);
        for (String norm : List.of("post", "pre")) {
            Path file = tmp.resolve("torch-" + norm + ".safetensors");
            List<String> args = new ArrayList<>(List.of("--steps", "30", "--d", "16", "--heads", "2", "--length", "24",
                    "--out", file.toString(), "--logits", tokens.toString()));
            if (norm.equals("pre")) {
                args.add("--pre-norm");
            }
            JsonNode torch = runPython("train_torch_encoder.py", args.toArray(new String[0]));
            Path run = tmp.resolve("imported-" + norm);
            ModelExchange.Imported in = ModelExchange.importFile(file, run, Map.of("heads", "2", "device", "cpu"),
                    Map.of(), false);
            assertEquals(norm, in.hyperparameters().norm().toString());
            assertClose(labLogits(run, lines), torch);
        }
    }

    /**
     * The README's TransformerLens mapping (issue 21: followed literally it left out the MLP biases, wrote d/H
     * for d // H, and gave n_ctx as the longest input, not more): src/test/python/transformer_lens_layout.py
     * reads the config and the weight table from README.md, builds every HookedTransformer parameter by those
     * formulas and runs TransformerLens's forward pass on them in plain torch; its logits must be the lab's.
     */
    @Test
    void theReadmesTransformerLensMappingGivesTheLabsLogitsOnADemoRun() throws Exception {
        needTorch();
        Path run = Path.of("resources/demo-runs/demo-induction");
        Path file = tmp.resolve("demo-induction.safetensors");
        ModelExchange.export(run, file);
        List<int[]> lines = new ArrayList<>(sequences(16, 32));
        lines.addAll(sequences(16, 64)); // longer than training: n_ctx comes from the longest input
        JsonNode tl = runScript(Path.of("src", "test", "python", "transformer_lens_layout.py"), file.toString(),
                "--readme", "README.md", "--logits", tokenFile(tmp, lines).toString());
        assertEquals("[]", tl.get("unmapped").toString(), "the README sets every parameter TransformerLens has");
        assertEquals(64, tl.get("config").get("n_ctx").asInt(), "n_ctx = longest + 1 (the inputs are 63 long)");
        assertEquals(8, tl.get("config").get("d_head").asInt());
        assertClose(labLogits(run, lines), tl);
    }

    /** bench's peer figure: the shipped python/bench_torch.py trains the lab's model in PyTorch and times it. */
    @Test
    void benchMeasuresTheSameModelInPyTorch() {
        needTorch();
        var r = org.inductionlab.engine.lab.TorchPeer.measure(python, org.inductionlab.engine.TestConfigs.tiny(),
                ai.djl.Device.cpu(), 1, 1, 3);
        Assertions.assertTrue(r.measured(), String.valueOf(r.unavailable()));
        Assertions.assertTrue(r.msPerStep() > 0 && r.msPerStep() < 60_000, "ms/step " + r.msPerStep());
        Assertions.assertEquals("CPU (1 threads)", r.device());
    }
}
