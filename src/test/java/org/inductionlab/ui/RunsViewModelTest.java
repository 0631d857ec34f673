package org.inductionlab.ui;

import org.inductionlab.engine.lab.RunEntry;
import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.lab.TrainingJob;
import org.inductionlab.ui.attention.AttentionViewModel;
import org.inductionlab.ui.runs.RunsViewModel;
import org.inductionlab.ui.sweep.SweepViewModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Runs page's actions reach the other pages through the event bus only (no page holds another), with
 * every view model on the inline executor: no window, no FX thread, the real engine.
 */
class RunsViewModelTest {

    @TempDir
    Path home;

    /** Issue 21 item 11: a run whose config.json is corrupt is named, red, with its reason, not dropped silently. */
    @Test
    void aRunWhoseConfigIsCorruptIsShownWithItsReasonInsteadOfVanishing() throws Exception {
        System.setProperty("inductionlab.home", home.toString());
        LabContext ctx = new LabContext(LabSettings.load(), TaskExecutor.inline());
        RunsViewModel runs = new RunsViewModel(ctx);
        Path good = ctx.runs().directory().resolve("good");
        Path broken = ctx.runs().directory().resolve("broken");
        org.inductionlab.engine.run.Runs.plan(good, TestConfigs.tiny(), "tiny");
        org.inductionlab.engine.run.Runs.plan(broken, TestConfigs.tiny(), "tiny");
        runs.refresh();
        assertEquals(2, runs.runs().size());
        assertEquals("", runs.unreadable().get(), "nothing to report while every folder reads");

        Files.writeString(broken.resolve("config.json"), "{\"format\": 1, \"hyperparameters\": {");
        runs.refresh();
        assertEquals(List.of("good"), runs.runs().stream().map(RunEntry::name).toList(),
                "no page can open it, so it is not among the runs");
        assertEquals("1 run folder cannot be read (fix its config.json, or delete the folder):\nbroken: "
                + broken.resolve("config.json") + " is not valid run JSON: it ends at line 1, column 35 before every"
                + " { and [ is closed", runs.unreadable().get());

        Files.writeString(broken.resolve("config.json"), Files.readString(good.resolve("config.json")));
        runs.refresh();
        assertEquals(2, runs.runs().size());
        assertEquals("", runs.unreadable().get(), "mended, it is listed again and the red line goes");
    }

    @Test
    void openCompareRenameAndDeleteReachThePagesThatCare() throws Exception {
        System.setProperty("inductionlab.home", home.toString());
        LabContext ctx = new LabContext(LabSettings.load(), TaskExecutor.inline());
        SweepViewModel sweep = new SweepViewModel(ctx);
        AttentionViewModel attention = new AttentionViewModel(ctx);
        RunsViewModel runs = new RunsViewModel(ctx);
        TrainingJob.create(ctx.runs().directory().resolve("one"), TestConfigs.tiny("max_steps=3"), "tiny", false)
                .run(null);
        runs.refresh();
        RunEntry one = ctx.runs().find("one").orElseThrow();

        // a model out and back in, from the page: a new run named after the file
        Path file = home.resolve("one.safetensors");
        runs.exportModel(one, file);
        assertFalse(runs.error().get(), runs.message().get());
        assertFalse(RunsViewModel.needsHeads(file), "a lab file says its heads");
        runs.importModel(file, null);
        assertFalse(runs.error().get(), runs.message().get());
        assertTrue(runs.message().get().startsWith("Imported one-"), runs.message().get());
        assertEquals(2, ctx.runs().runs().size(), "the imported run is listed");
        Files.write(home.resolve("junk.safetensors"), new byte[40]);
        runs.importModel(home.resolve("junk.safetensors"), null);
        assertTrue(runs.error().get(), "shown red");
        assertTrue(runs.message().get().startsWith("Import failed: junk.safetensors its header length 0 is too short"),
                runs.message().get());
        for (RunEntry e : ctx.runs().runs().stream().filter(e -> !e.name().equals("one")).toList()) {
            runs.delete(e);
        }

        runs.probe(one);
        assertTrue(runs.probeText().get().startsWith("one: not learned\n"), "3 steps learn nothing: "
                + runs.probeText().get());
        assertTrue(runs.probeText().get().contains("anywhere"), "and the table is shown");

        runs.compare(one);
        assertEquals(1, sweep.selected().size(), "Compare put it on the plot");
        runs.openInAttention(one);
        assertEquals(one, attention.run().get());
        assertNotNull(attention.map().get(), "and its map was computed: " + attention.message().get());

        runs.rename(one, "two");
        assertFalse(runs.error().get(), runs.message().get());
        assertTrue(Files.exists(ctx.runs().directory().resolve("two")));
        assertNull(attention.run().get(), "the Attention page dropped the old run");
        assertNull(attention.map().get(), "and its map");
        assertTrue(sweep.selected().isEmpty(), "the plot dropped it");
        RunEntry two = ctx.runs().find("two").orElseThrow();

        runs.rename(two, "bad name");
        assertTrue(runs.error().get());
        assertTrue(runs.message().get().contains("letters, digits"), runs.message().get());

        runs.delete(two);
        assertFalse(runs.error().get(), runs.message().get());
        assertFalse(Files.exists(two.path()));
        assertTrue(ctx.runs().runs().isEmpty());
    }
}
