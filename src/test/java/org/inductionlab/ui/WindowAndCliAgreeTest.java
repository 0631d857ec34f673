package org.inductionlab.ui;

import org.inductionlab.engine.lab.RunEntry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.inductionlab.cli.Cli;
import org.inductionlab.engine.lab.Ablation;
import org.inductionlab.engine.lab.ShortcutProbe;
import org.inductionlab.ui.attention.AttentionViewModel;
import org.inductionlab.ui.runs.DemoRun;
import org.inductionlab.ui.runs.RunsViewModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A teacher's window and the students' command line give the same numbers for the same question: the
 * Runs page's "Induction or position?" and {@code probe}, the Attention page's "Ablate its layer" and
 * {@code probe --ablate}, on the shipped demo-position run (trained at length 32: seconds on a CPU).
 */
class WindowAndCliAgreeTest {

    @TempDir
    java.nio.file.Path home;
    private LabContext ctx;
    private RunEntry demo;

    @BeforeEach
    void setUp() {
        System.setProperty("inductionlab.home", home.toString());
        ctx = new LabContext(LabSettings.load(), TaskExecutor.inline());
        DemoRun.installIfMissing(ctx.runs().directory()); // what the window does on its first start
        ctx.runs().refresh();
        demo = ctx.runs().find("demo-position").orElseThrow();
    }

    @Test
    void theProbeGivesTheSameTableInTheWindowAndOnTheCommandLine() throws Exception {
        RunsViewModel runs = new RunsViewModel(ctx);
        runs.probe(demo);
        ShortcutProbe.Result window = runs.probeResult().get();
        assertNotNull(window, runs.message().get());
        JsonNode cli = probeJson("probe", "--run", demo.path().toString(), "--json");

        assertEquals(cli.get("verdict").asText(), window.verdict());
        assertEquals(ShortcutProbe.DEFAULT_SEQUENCES, cli.get("sequences").asInt(), "one default count");
        assertSameCells(window.table(), cli.get("table"), false);
        assertTrue(runs.probeText().get().contains("% of " + ShortcutProbe.DEFAULT_SEQUENCES),
                "the window shows the count: " + runs.probeText().get());
    }

    @Test
    void ablatingALayerGivesTheSameNumbersInTheWindowAndOnTheCommandLine() throws Exception {
        AttentionViewModel attention = new AttentionViewModel(ctx);
        attention.run().set(demo);
        attention.layer().set(1);
        attention.ablate(true);
        Ablation.Result window = attention.ablationResult().get();
        assertNotNull(window, attention.ablation().get());
        assertEquals("1.0,1.1,1.2,1.3", window.headList());
        assertTrue(attention.ablation().get().startsWith("With all of layer 1 ablated, at length 32 ("
                + ShortcutProbe.DEFAULT_SEQUENCES + " sequences each):"), attention.ablation().get());
        JsonNode cli = probeJson("probe", "--run", demo.path().toString(), "--ablate", window.headList(), "--json");

        assertEquals(cli.get("verdict").asText(), window.after().verdict());
        assertEquals(cli.get("verdict_before").asText(), window.before().verdict());
        assertSameCells(window.after().table(), cli.get("table"), false);
        assertSameCells(window.before().table(), cli.get("table"), true);
        assertNotEquals(window.before().accuracy("fixed:5", 32), window.after().accuracy("fixed:5", 32),
                "the ablation changed something, so agreeing is not agreeing on nothing");
    }

    @Test
    void theAttentionQueryGivesTheSamePredictionInTheWindowAndOnTheCommandLine() throws Exception {
        AttentionViewModel attention = new AttentionViewModel(ctx);
        attention.run().set(demo);
        attention.input().length().set(40);
        attention.input().seed().set(5);
        attention.compute();
        var map = attention.map().get();
        assertNotNull(map, attention.message().get());
        java.nio.file.Path out = home.resolve("a.json");
        probeJson("attention", "--run", demo.path().toString(), "--length", "40", "--seed", "5", "--out", out.toString());
        JsonNode cli = new ObjectMapper().readTree(out.toFile());
        assertEquals(cli.get("prediction").get("token").asInt(), map.predictedToken());
        assertEquals(cli.get("prediction").get("probability").asDouble(), map.predictedProbability(), 1e-9);
        String verdict = cli.get("correct").asBoolean() ? " ✓" : " ✗";
        assertTrue(attention.answer().get().endsWith("the answer is " + cli.get("answer").asInt() + verdict),
                attention.answer().get() + " vs " + cli);
    }

    private static void assertSameCells(List<ShortcutProbe.Cell> window, JsonNode cli, boolean before) {
        assertEquals(window.size(), cli.size(), "the same cells");
        for (int i = 0; i < window.size(); i++) {
            ShortcutProbe.Cell c = window.get(i);
            JsonNode row = cli.get(i);
            String where = c.layout() + " at " + c.length() + (before ? " before" : "");
            assertEquals(c.layout(), row.get("layout").asText(), where);
            assertEquals(c.length(), row.get("length").asInt(), where);
            assertEquals(c.point().sequences(), row.get("sequences").asInt(), where);
            assertEquals(c.point().correct(), row.get(before ? "correct_before" : "correct").asInt(), where);
        }
    }

    /** Runs the command line as a script would and reads its one JSON line. */
    private static JsonNode probeJson(String... args) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        StringWriter err = new StringWriter();
        int code;
        try {
            CommandLine cl = Cli.commandLine();
            cl.setErr(new PrintWriter(err));
            code = cl.execute(args);
        } finally {
            System.setOut(old);
        }
        assertEquals(Cli.OK, code, err.toString());
        return args[0].equals("attention") ? null : new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    }
}
