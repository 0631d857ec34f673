package org.inductionlab.engine.lab;

import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.run.RunFolderException;
import org.inductionlab.engine.run.RunStatus;
import org.inductionlab.engine.run.Runs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The run catalogue on tiny real runs: what it lists, what it cannot read, and resumable by TrainingJob's rule. */
class RunCatalogueTest {

    @TempDir
    Path tmp;

    @Test
    void resumableIsWhatTrainingJobResumeTakes() throws Exception {
        Path root = tmp.resolve("runs");
        Path finished = root.resolve("finished");
        TrainingJob.create(finished, TestConfigs.tiny("max_steps=3", "target=1"), "tiny", false).run(null);
        Path raised = root.resolve("raised");
        TrainingJob.create(raised, TestConfigs.tiny("max_steps=3", "target=1"), "tiny", false).run(null);
        TrainingJob.resume(raised, Map.of("max_steps", "6")); // config.json now says 6; the run stays at step 3
        Path planned = root.resolve("planned");
        Runs.plan(planned, TestConfigs.tiny(), "tiny");

        RunCatalogue.Listing listing = RunCatalogue.list(root, List.of());
        assertEquals(3, listing.runs().size(), listing.toString());
        for (RunEntry e : listing.runs()) {
            boolean taken;
            try {
                TrainingJob.resume(e.path(), Map.of());
                taken = true;
            } catch (RuntimeException refused) {
                taken = false;
            }
            assertEquals(taken, e.resumable(), e.name() + " (" + e.status() + ", step " + e.steps() + ")");
        }
        RunEntry r = listing.runs().stream().filter(e -> e.name().equals("raised")).findFirst().orElseThrow();
        assertEquals(RunStatus.FINISHED, r.status());
        assertTrue(r.resumable(), "finished at 3 of now 6 steps: resume goes on, so the window offers it");
        assertFalse(RunCatalogue.open(finished).resumable(), "at max_steps: nothing to resume");
        assertFalse(RunCatalogue.open(planned).resumable(), "no checkpoint");
    }

    @Test
    void listsRunsHereAndElsewhereAndNamesTheOnesItCannotRead() throws Exception {
        Path root = tmp.resolve("runs");
        Runs.plan(root.resolve("a"), TestConfigs.tiny(), "tiny");
        Path junk = Files.createDirectories(root.resolve("junk"));
        Files.writeString(junk.resolve("config.json"), "{\"format\": 1, \"hyperparameters\": {");
        Files.createDirectories(root.resolve("not-a-run"));
        Path outside = tmp.resolve("cluster").resolve("b");
        Runs.plan(outside, TestConfigs.tiny(), "tiny");

        RunCatalogue.Listing listing = RunCatalogue.list(root, List.of(outside, tmp.resolve("gone"), root.resolve("a")));
        assertEquals(List.of("a", "b"), listing.runs().stream().map(RunEntry::name).toList(),
                "the directory's runs, then those opened from elsewhere, each once");
        assertEquals(1, listing.unreadable().size());
        assertEquals(junk, listing.unreadable().get(0).path());
        assertTrue(listing.unreadable().get(0).reason().contains("is not valid run JSON"),
                listing.unreadable().get(0).reason());
        assertEquals(new RunCatalogue.Listing(List.of(), List.of()), RunCatalogue.list(tmp.resolve("none"), List.of()));

        Path renamed = RunCatalogue.rename(root.resolve("a"), "c");
        assertEquals("c", RunCatalogue.open(renamed).name());
        assertEquals("name", assertThrows(RunFolderException.class,
                () -> RunCatalogue.rename(renamed, "not-a-run")).badInputKey(), "a name in use");
        assertNotNull(RunCatalogue.nameProblem("a b"));
        RunCatalogue.delete(renamed);
        assertFalse(Files.exists(renamed));
        assertThrows(RunFolderException.class, () -> RunCatalogue.delete(root.resolve("not-a-run")),
                "a folder that is not a run is not deleted");
    }
}
