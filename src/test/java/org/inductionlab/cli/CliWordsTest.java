package org.inductionlab.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.inductionlab.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The command line's words (issue 21, "Words (polish)"): each checked with commands that start no engine
 * and train nothing, so the whole class runs in seconds.
 */
class CliWordsTest {

    @TempDir
    Path tmp;

    /** The one line of stderr, after checking there is exactly one. */
    private static String oneLine(CliTest.Result r) {
        assertEquals(1, r.err().strip().lines().count(), r.err());
        return r.err().strip();
    }

    @Test
    void aJunkConfigJsonIsOneLineNamingTheFileAndWhereItBreaks() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("junk"));
        Files.writeString(run.resolve("config.json"), "{\"format\": 1, \"hyperparameters\": {\"heads\": 2");
        CliTest.Result r = run("eval", "--run", run.toString());
        assertEquals(1, r.code());
        assertEquals("induction-lab: error: " + run.resolve("config.json") + " is not valid run JSON: it ends at line 1,"
                + " column 45 before every { and [ is closed", oneLine(r));

        Files.writeString(run.resolve("config.json"), "{\"format\": 1, \"hyperparameters\": {\"heads\": [2]}}");
        assertTrue(oneLine(run("predict", "--run", run.toString(), "--input", "x")).endsWith(
                "config.json is not valid run JSON: hyperparameters.heads should be text in quotes"));
    }

    /** The presets and example studies --help lists are every one that ships, and only those. */
    @Test
    void helpListsEveryPresetAndExampleStudyThatShips() throws Exception {
        for (String[] c : new String[][] {{"resources/presets", "train"}, {"resources/studies", "study plan"}}) {
            java.util.List<String> shipped;
            try (var files = Files.list(Path.of(c[0]))) {
                shipped = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json"))
                        .map(n -> n.substring(0, n.length() - 5)).sorted().toList();
            }
            java.util.List<String> known = (c[1].equals("train") ? org.inductionlab.engine.config.Preset.BUILT_IN
                    : org.inductionlab.engine.lab.study.StudySpec.BUILT_IN).stream().sorted().toList();
            assertEquals(shipped, known, c[0] + " and the lab's list of them");
            String help = run((c[1] + " --help").split(" ")).out().replaceAll("\\s+", " ");
            assertTrue(help.contains(String.join(", ", c[1].equals("train")
                    ? org.inductionlab.engine.config.Preset.BUILT_IN
                    : org.inductionlab.engine.lab.study.StudySpec.BUILT_IN)), c[1] + " --help: " + help);
        }
    }

    /** A command list shows each command's first description line only: it must be a whole sentence. */
    @Test
    void everyCommandsFirstDescriptionLineIsAWholeSentence() {
        java.util.ArrayDeque<picocli.CommandLine> todo = new java.util.ArrayDeque<>(java.util.List.of(Cli.commandLine()));
        int seen = 0;
        while (!todo.isEmpty()) {
            picocli.CommandLine c = todo.pop();
            todo.addAll(c.getSubcommands().values());
            String[] d = c.getCommandSpec().usageMessage().description();
            String name = c.getCommandSpec().qualifiedName();
            assertTrue(d.length > 0, name + " has a description");
            assertTrue(d[0].strip().matches("(?s).*[.?)]"), name + ": its first line stops mid-sentence: " + d[0]);
            assertTrue(d[0].length() <= 160, name + ": its first line is a summary, not a paragraph: " + d[0]);
            seen++;
        }
        assertTrue(seen >= 18, "every command and subcommand was looked at: " + seen);
    }

    /** attention reads a file's line or generates a sequence; a mix is named as the conflict, before any work. */
    @Test
    void attentionNamesAConflictOfItsInputsAndSaysWhy1025() {
        String[] base = {"attention", "--run", tmp.resolve("no-run").toString(), "--out", tmp.resolve("a.json").toString()};
        String[][] cases = {
                {"--length 64 --input F", "--input: cannot be used with --length: read a line of a file (--input FILE"
                        + " --line N) or generate a sequence (--length L), not both"},
                {"--input F --length 64 --line 2", "--input: cannot be used with --length"},
                {"--input F", "--line: missing (which line of F to use, from 1)"},
                {"--line 2 --length 30", "--line: goes with --input FILE, not with --length"},
                {"--input F --line 1 --layout anywhere", "--layout: goes with --length, not with --input"},
                {"", "--input or --length: missing (read a line of a file with --input FILE --line N, or generate"
                        + " a sequence with --length L)"},
                {"--length 2000", "--length: 2000 is out of range (allowed: 8..1025, the answer included: the model"
                        + " reads at most 1024 tokens)"}};
        for (String[] c : cases) {
            CliTest.Result r = run(CliTest.concat(base, c[0].isEmpty() ? new String[0] : c[0].split(" ")));
            assertEquals(2, r.code(), c[0] + ": " + r.err());
            assertTrue(oneLine(r).startsWith("induction-lab: " + c[1]), c[0] + ": " + r.err());
        }
        assertTrue(run("attention", "--help").out().contains("(--input=FILE --line=N | --length=L [--layout=X]"
                + " [--seed=S])"), "the synopsis shows the two ways");
    }

    @Test
    void aSetWithoutEqualsSaysSoOnce() {
        CliTest.Result r = run("train", "--set", "foo", "--out", tmp.resolve("x").toString());
        assertEquals(2, r.code());
        assertEquals("induction-lab: --set: 'foo' is not KEY=VALUE (e.g. --set heads=4) (see 'induction-lab train"
                + " --help')", oneLine(r));
        assertEquals("induction-lab: --map: 'a' is not OLD=NEW (see 'induction-lab import --help')",
                oneLine(run("import", "--from", "m.safetensors", "--map", "a", "--out", tmp.resolve("y").toString())));
    }

    /** import cannot resume: onto a folder that holds a run it offers --force or another folder. */
    @Test
    void importOntoARunSuggestsForceOrAnotherFolderNotResume() throws Exception {
        Path held = tmp.resolve("held");
        org.inductionlab.engine.run.Runs.plan(held, org.inductionlab.engine.TestConfigs.tiny(), "tiny");
        Path file = tmp.resolve("m.safetensors");
        Path source = tmp.resolve("src");
        assertEquals(0, run(CliTest.concat(CliTest.TINY, "--set", "max_steps=1", "--out", source.toString(),
                "--quiet")).code());
        assertEquals(0, run("export", "--run", source.toString(), "--out", file.toString()).code());
        CliTest.Result r = run("import", "--from", file.toString(), "--out", held.toString());
        assertEquals(2, r.code());
        assertEquals("induction-lab: --out: " + held + " already holds a run; use --force to replace it, or choose"
                + " another folder (the old run is moved aside, not deleted)", oneLine(r));
    }

    /** --from names what the file is (text, missing, a folder), not what its first bytes say as a length. */
    @Test
    void importSaysATextFileIsNotSafetensorsAndAMissingOneDoesNotExist() throws Exception {
        Path text = tmp.resolve("config.json");
        Files.writeString(text, "{\n  \"format\" : 1,\n  \"preset\" : \"tiny\"\n}\n");
        String[][] cases = {
                {text.toString(), "config.json is not a safetensors file: it is text, and a safetensors file starts"
                        + " with an 8-byte header length"},
                {tmp.resolve("missing.safetensors").toString(), "missing.safetensors does not exist"},
                {tmp.toString(), tmp.getFileName() + " is a folder, not a safetensors file"}};
        for (String[] c : cases) {
            CliTest.Result r = run("import", "--from", c[0], "--out", tmp.resolve("out").toString());
            assertEquals(2, r.code(), r.err());
            assertEquals("induction-lab: --from: " + c[1], oneLine(r));
        }
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    /** bench's last line says what it measured on in words, not a Map's toString. */
    @Test
    void benchEndsWithALineNotAMap() {
        java.util.Map<String, Object> r = new java.util.LinkedHashMap<>();
        r.put("device", "CPU (2 threads)");
        r.put("threads", 2);
        r.put("libtorch", "2.7.1");
        r.put("flavor", "cpu");
        r.put("djl", "0.36.0");
        r.put("allocator", "tuned allocator");
        r.put("mamba_scan", "Java's vector API");
        r.put("matmul_gflops", 40.1);
        r.put("peak_rss_mib", 812L);
        String line = BenchCommand.summary(r);
        assertEquals("measured on CPU (2 threads) with libtorch 2.7.1 (cpu), DJL 0.36.0 and the tuned allocator,"
                + " Mamba's training scan in Java's vector API; peak memory 812 MiB (--json gives every figure as one object)", line);
        assertFalse(line.contains("{") || line.contains("="), line);
    }

    /** study plan onto a folder in use refuses before it prints the plan, so nothing reads as planned. */
    @Test
    void studyPlanOntoAnExistingFolderRefusesBeforePrintingThePlan() throws Exception {
        Path taken = Files.createDirectories(tmp.resolve("taken"));
        Files.writeString(taken.resolve("notes.txt"), "mine");
        CliTest.Result r = run("study", "plan", "tiny-lr-seeds", "--out", taken.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("", r.out(), "no plan printed");
        assertEquals("induction-lab: --out: " + taken + " already exists; choose a new folder for the study", oneLine(r));
    }

    /** presets and presets --keys: every column starts where the one above it does, mamba-fast included. */
    @Test
    void presetsColumnsAlign() {
        java.util.List<String> presets = java.util.Arrays.asList(run("presets").out().split("\\R"));
        int column = presets.get(0).indexOf("Grows");
        assertTrue(column > "mamba-fast".length(), presets.get(0));
        for (String line : presets) {
            // a preset's name, or nothing, then its text from the column on
            assertTrue(line.length() > column && line.charAt(column) != ' ' && line.charAt(column - 1) == ' ',
                    "off the column: " + line);
            assertTrue(line.length() <= PresetsCommand.WIDTH, "wrapped: " + line);
        }
        assertTrue(presets.stream().anyMatch(l -> l.startsWith("mamba-fast ")), presets.toString());

        java.util.List<String> rows = run("presets", "--keys").out().lines().filter(l -> l.startsWith("  ")).toList();
        assertEquals(org.inductionlab.engine.config.HyperparameterSchema.FIELDS.size(), rows.size());
        for (String word : new String[] {" default ", " allowed "}) {
            assertEquals(1, rows.stream().mapToInt(l -> l.indexOf(word)).distinct().count(),
                    "'" + word.strip() + "' is one column: " + rows);
        }
    }

    /** Issue 21 item 12 as the command line says it: a config.json edited away from its weights, one line. */
    @Test
    void aConfigEditedAwayFromItsWeightsIsRefusedInOneLineNamingTheSetting() throws Exception {
        Path dir = tmp.resolve("run");
        assertEquals(0, run(CliTest.concat(CliTest.TINY, "--set", "max_steps=1", "--out", dir.toString(), "--quiet"))
                .code());
        Path config = dir.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"heads\" : \"2\"", "\"heads\" : \"4\""));
        assertTrue(Files.readString(config).contains("\"heads\" : \"4\""), "edited");
        for (String[] args : new String[][] {{"attention", "--run", dir.toString(), "--length", "24", "--out",
                tmp.resolve("a.json").toString()}, {"train", "--out", dir.toString(), "--resume"}}) {
            CliTest.Result r = run(args);
            assertEquals(1, r.code(), r.err());
            assertEquals("induction-lab: error: " + config + ": heads is 4 but the checkpoint was trained with 2 (set it"
                    + " back: the weights belong to the settings they were trained with)", oneLine(r));
        }
    }
}
