package org.inductionlab.cli;

import org.inductionlab.engine.run.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The command line as a script would use it: exit codes, one-line errors, the commands end to end. */
class CliTest {

    @TempDir
    Path tmp;

    static final String[] TINY = {"train", "--preset", "tiny", "--set", "train_length=24", "--set", "d_model=16",
            "--set", "heads=2", "--set", "device=cpu"};

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream captured = new PrintStream(out, true, StandardCharsets.UTF_8);
        System.setOut(captured);
        try {
            CommandLine cl = Cli.commandLine();
            StringWriter err = new StringWriter();
            cl.setErr(new PrintWriter(err));
            cl.setOut(new PrintWriter(captured, true)); // help and version go through picocli's own writer
            int code = cl.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(old);
        }
    }

    /** {@link #run}, with what goes to System.err directly (picocli's own warnings) added to err. */
    static Result runCapturingStderr(String... args) {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        try {
            Result r = run(args);
            return new Result(r.code(), r.out(), r.err() + stderr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(oldErr);
        }
    }

    static String[] concat(String[] a, String... b) {
        List<String> l = new ArrayList<>(Arrays.asList(a));
        l.addAll(Arrays.asList(b));
        return l.toArray(new String[0]);
    }

    @Test
    void helpIsWholeAndEveryCommandKnowsTheVersion() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"eval", "--help"},
                new String[] {"predict", "--help"}, new String[] {"attention", "--help"}, new String[] {"train", "--help"})) {
            Result r = runCapturingStderr(args);
            assertEquals(0, r.code());
            assertFalse(r.err().contains("WARN"), String.join(" ", args) + ": " + r.err());
            for (String line : r.out().lines().toList()) {
                if (line.matches("\\s+--(run|input|out)=\\S+\\s*")) {
                    fail(String.join(" ", args) + ": an option without a description: " + line);
                }
            }
        }
        String commands = run("--help").out();
        assertTrue(commands.contains("Every head's attention weights for one sequence, written as JSON."), commands);
        assertTrue(commands.contains("Accuracy of a trained run at lengths 2^A..2^B, with Wilson 95 %"), commands);
        Result v = run("eval", "-V");
        assertTrue(v.out().startsWith("Induction Lab "), "eval -V: " + v.out());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "heads=7     | heads: 7 does not divide d_model 64 (allowed: a divisor of d_model)",
            "lr=0        | lr: 0 is out of range (allowed: 1.0e-7..1)",
            "lr=-0.01    | lr: -0.01 is out of range (allowed: 1.0e-7..1)",
            "vocab=1     | vocab: 1 is out of range (allowed: 2..1024)",
            "layout=left | layout: 'left' is not allowed (allowed: fixed:P (P >= 0), prefix:K (K >= 1) or anywhere)",
            "wings=2     | wings: unknown key (allowed: vocab, train_length,"})
    void badHyperparametersExitWithTwoAndOneLineNamingTheField(String set, String message) {
        Result r = run("train", "--set", set, "--out", tmp.resolve("x").toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("induction-lab: " + message), r.err());
        assertFalse(Files.exists(tmp.resolve("x")), "nothing is created for bad input");
    }

    @Test
    void unknownPresetLayoutAndMissingRunsAreBadInput() {
        Result preset = run("train", "--preset", "turbo", "--out", tmp.resolve("x").toString());
        assertEquals(2, preset.code());
        assertTrue(preset.err().contains("preset: unknown preset 'turbo' (allowed: "
                + String.join(", ", org.inductionlab.engine.config.Preset.BUILT_IN)), preset.err());

        Result missing = run("eval", "--run", tmp.resolve("nothing").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().startsWith("induction-lab: --run: no run folder at "), missing.err());

        Result noOut = run("train");
        assertEquals(2, noOut.code());
        assertTrue(noOut.err().contains("Missing required option: '--out=DIR'"), noOut.err());
    }

    @Test
    void trainEvalPredictAndAttentionEndToEnd() throws Exception {
        Path dir = tmp.resolve("run");
        Result train = run(concat(TINY, "--set", "max_steps=40", "--set", "target=1", "--out", dir.toString(), "--quiet"));
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("reached max_steps at step 40"), train.out());

        // a finished run is not overwritten; bad layout for eval is bad input
        Result again = run(concat(TINY, "--out", dir.toString()));
        assertEquals(2, again.code());
        assertTrue(again.err().startsWith("induction-lab: --out: " + dir + " already holds a run; use --resume to"
                + " continue it or --force to replace it"), again.err());
        assertEquals(2, run("eval", "--run", dir.toString(), "--layout", "middle").code());
        Result badRange = run("eval", "--run", dir.toString(), "--min-exp", "9", "--max-exp", "7");
        assertEquals(2, badRange.code());
        assertEquals("induction-lab: --max-exp: 7 is out of range (allowed: 9..24, at least --min-exp)",
                badRange.err().trim());
        assertEquals(2, run("eval", "--run", dir.toString(), "--seqs", "-1").code());

        Result eval = run("eval", "--run", dir.toString(), "--min-exp", "5", "--max-exp", "6", "--seqs", "16",
                "--layout", "anywhere");
        assertEquals(0, eval.code(), eval.err());
        assertEquals(2, RunFolder.open(dir).readSweep().size());
        assertTrue(eval.out().lines().anyMatch(l -> l.startsWith("estimated: 2^5 ~") && l.contains(", 2^6 ~")
                && l.contains("; in all ~")), "the time per length is estimated first: " + eval.out());
        Result badPrecision = run("eval", "--run", dir.toString(), "--precision", "bf16");
        assertEquals(2, badPrecision.code());
        assertEquals("induction-lab: --precision: 'bf16' is not a precision (allowed: fp32, fp16)",
                badPrecision.err().trim());

        Path tokens = tmp.resolve("tokens.txt");
        Files.writeString(tokens, "1 2 3 16 7 4 5 16\n3 16 9 1 2 3 4 5 6 16\n1 2 3 4\n");
        Result predict = run("predict", "--run", dir.toString(), "--input", tokens.toString());
        assertEquals(0, predict.code(), predict.err());
        assertEquals(1, predict.err().lines().count(), predict.err());
        assertTrue(predict.err().contains("line 3 has no S (token 16)"), "a line with no S is named: " + predict.err());
        List<String> lines = predict.out().lines().toList();
        assertEquals(3, lines.size(), "its answer is still printed");
        for (String line : lines) {
            String[] f = line.split(" ");
            int token = Integer.parseInt(f[0]);
            double p = Double.parseDouble(f[1]);
            assertTrue(token >= 0 && token <= 16 && p > 0 && p <= 1, line);
        }
        Files.writeString(tokens, "1 2 3\n4 99 5\n");
        Result bad = run("predict", "--run", dir.toString(), "--input", tokens.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("tokens.txt line 2, token 2: 99 is outside 0..16"), bad.err());

        Path json = tmp.resolve("a.json");
        Result att = run("attention", "--run", dir.toString(), "--length", "24", "--out", json.toString());
        assertEquals(0, att.code(), att.err());
        String text = Files.readString(json);
        assertTrue(text.contains("\"induction_cells\"") && text.contains("\"task_target\":{\"query\":22,\"key\":6}")
                || text.contains("\"task_target\":{\"key\":6,\"query\":22}"), text.substring(0, 300));
    }

    @Test
    void exportAndImportRoundTripAndABadFileIsOneLineNamingFrom() throws Exception {
        Path dir = tmp.resolve("run");
        assertEquals(0, run(concat(TINY, "--set", "max_steps=5", "--out", dir.toString(), "--quiet")).code());
        Path file = tmp.resolve("m.safetensors");
        Result out = run("export", "--run", dir.toString(), "--out", file.toString());
        assertEquals(0, out.code(), out.err());
        Result in = run("import", "--from", file.toString(), "--out", tmp.resolve("back").toString());
        assertEquals(0, in.code(), in.err());
        assertTrue(in.out().startsWith("imported "), in.out());
        assertEquals(2, run("export", "--run", dir.toString(), "--format", "onnx", "--out", file.toString()).code());

        Path junk = tmp.resolve("junk.safetensors");
        Files.write(junk, new byte[] {1, 2, 3});
        Result bad = run("import", "--from", junk.toString(), "--out", tmp.resolve("junk").toString());
        assertEquals(2, bad.code());
        assertEquals("induction-lab: --from: junk.safetensors is 3 bytes long; a safetensors file starts with an"
                + " 8-byte header length", bad.err().trim());
        assertFalse(Files.exists(tmp.resolve("junk")));
    }

    /** A real Ctrl-C (SIGTERM) in a child JVM: the checkpoint stays intact and --resume goes on from it. */
    @Test
    void interruptingTrainKeepsTheCheckpointAndResumeContinues() throws Exception {
        Path dir = tmp.resolve("interrupted");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dinductionlab.relaunch=false",
                "org.inductionlab.Main"));
        cmd.addAll(Arrays.asList(concat(TINY, "--set", "max_steps=1000000", "--set", "target=1",
                "--set", "checkpoint_every=20", "--out", dir.toString())));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile())
                .start();
        Path cp = dir.resolve(RunFolder.CHECKPOINT);
        long deadline = System.currentTimeMillis() + 120_000;
        while (!(Files.exists(cp) && RunFolder.open(dir).info().training().steps() >= 40)
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(Files.exists(cp), "a checkpoint appeared: " + Files.readString(tmp.resolve("child.log")));
        p.destroy(); // SIGTERM, like Ctrl-C: the shutdown hook stops the loop, which writes a checkpoint
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child stops");

        RunFolder folder = RunFolder.open(dir);
        assertEquals("stopped", folder.info().training().status(), Files.readString(tmp.resolve("child.log")));
        long step = folder.info().training().steps();
        assertTrue(step >= 40);
        try (var m = ai.djl.ndarray.NDManager.newBaseManager();
             RunFolder.Checkpoint c = folder.readCheckpoint(m)) {
            assertEquals(step, c.state().step(), "the checkpoint holds the step where it stopped");
        }

        Result resumed = run("train", "--out", dir.toString(), "--resume", "--set", "max_steps=" + (step + 10));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming") && resumed.out().contains("steps " + step + ".."), resumed.out());
        assertTrue(resumed.out().contains("reached max_steps at step " + (step + 10)), resumed.out());
        Result model = run("train", "--out", dir.toString(), "--resume", "--set", "d_model=32");
        assertEquals(2, model.code());
        assertTrue(model.err().contains("d_model: cannot change when resuming"), model.err());
    }
}
