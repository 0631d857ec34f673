package org.inductionlab.ui;

import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.ui.runs.DemoRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class DemoRunTest {

    @TempDir
    Path runs;

    @Test
    void aFreshRunsFolderGetsEveryDemoAndAnOlderOneGetsOnlyTheNewDemo() throws Exception {
        DemoRun.installIfMissing(runs);
        for (String name : DemoRun.NAMES) {
            assertNotNull(RunFolder.open(runs.resolve(name)).hyperparameters(), name);
        }
        // a lab from before demo-induction-256: the user deleted demo-position; its marker held prose
        Path old = runs.resolve("old");
        Files.createDirectories(old.resolve("demo-induction"));
        Files.writeString(old.resolve(".demo-installed"), "The demo runs were copied here once; delete this file"
                + " to copy them again.\n");
        DemoRun.installIfMissing(old);
        assertFalse(Files.exists(old.resolve("demo-position")), "a demo the user deleted stays deleted");
        assertTrue(Files.exists(old.resolve("demo-induction-256").resolve(RunFolder.CHECKPOINT)), "the new demo arrives");
        assertEquals(DemoRun.NAMES.size(), Files.readAllLines(old.resolve(".demo-installed")).size());
    }
}
