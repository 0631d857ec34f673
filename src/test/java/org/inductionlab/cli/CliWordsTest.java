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
                    : org.inductionlab.engine.study.StudySpec.BUILT_IN).stream().sorted().toList();
            assertEquals(shipped, known, c[0] + " and the lab's list of them");
            String help = run((c[1] + " --help").split(" ")).out().replaceAll("\\s+", " ");
            assertTrue(help.contains(String.join(", ", c[1].equals("train")
                    ? org.inductionlab.engine.config.Preset.BUILT_IN
                    : org.inductionlab.engine.study.StudySpec.BUILT_IN)), c[1] + " --help: " + help);
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
}
