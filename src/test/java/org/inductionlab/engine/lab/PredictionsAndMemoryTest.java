package org.inductionlab.engine.lab;

import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.eval.MambaMemory;
import org.inductionlab.engine.task.TokenFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The lab's predict and memory workflows on tiny real runs: what the command line used to do with the model itself. */
class PredictionsAndMemoryTest {

    @TempDir
    Path tmp;

    @Test
    void predictionsNameTheLinesWithNoTriggerAndAgreeWithTheAttentionQuery() throws Exception {
        Path dir = tmp.resolve("run");
        TrainingJob.create(dir, TestConfigs.tiny("max_steps=3"), "tiny", false).run(null);
        Path file = tmp.resolve("tokens.txt");
        Files.writeString(file, "1 2 3 16 7 4 5 16\n1 2 3 4\n");
        try (LoadedRun run = LoadedRun.open(dir, null)) {
            Predictions p = Predictions.of(run, file);
            assertEquals(2, p.predictions().size());
            assertEquals(List.of(2), p.linesWithoutTrigger());
            assertEquals(16, p.trigger());
            AttentionQuery.Answer a = AttentionQuery.ask(run, new AttentionQuery.FileLine(file, 1));
            assertEquals(a.predicted(), p.predictions().get(0).token(), "one model, one answer");
            assertEquals(a.probability(), p.predictions().get(0).probability(), 1e-5);
            assertThrows(TokenFile.TokenFileException.class, () -> Predictions.of(run, tmp.resolve("none.txt")));

            InvalidConfigException notMamba = assertThrows(InvalidConfigException.class,
                    () -> MambaMemoryProbe.measure(run, 64, 8, 2));
            assertEquals("run_folder", notMamba.problems().get(0).key(), "the run is the wrong kind: named as the run");
        }
    }

    @Test
    void aMambaRunsMemoryIsMeasuredThroughTheLab() throws Exception {
        Path dir = tmp.resolve("mamba");
        TrainingJob.create(dir, TestConfigs.tiny("architecture=mamba", "d_state=4", "max_steps=2"), "tiny", false)
                .run(null);
        try (LoadedRun run = LoadedRun.open(dir, null)) {
            MambaMemory m = MambaMemoryProbe.measure(run, 40, 8, 2);
            assertEquals(40, m.length());
            assertFalse(m.channels().isEmpty());
            assertTrue(m.channels().stream().allMatch(c -> c.halfLife() > 0), "every channel keeps M a while");
        }
    }
}
