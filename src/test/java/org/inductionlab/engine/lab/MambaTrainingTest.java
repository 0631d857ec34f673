package org.inductionlab.engine.lab;

import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.eval.HeadScores;
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.task.TriggerLayout;
import org.inductionlab.engine.train.TrainingOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** A tiny Mamba trained by the lab learns the task with the trigger anywhere, and its run folder works like any other. */
class MambaTrainingTest {

    @TempDir
    Path tmp;

    @Test
    void aTinyMambaLearnsTheTriggerAnywhereAndItsCheckpointScoresTheSame() throws Exception {
        Hyperparameters hp = TestConfigs.tiny("architecture=mamba", "d_model=16", "d_state=4", "layout=anywhere",
                "train_length=24", "batch_size=16", "lr=3e-3", "max_steps=1500", "target=0.92", "window=50",
                "checkpoint_every=500", "scores_every=250");
        Path dir = tmp.resolve("mamba");
        TrainingOutcome o = TrainingJob.create(dir, hp, "test", false).run(null);
        assertEquals(TrainingOutcome.Reason.TARGET_REACHED, o.reason(), "running accuracy " + o.runningAccuracy());

        try (LoadedRun run = LoadedRun.open(dir, null)) {
            double anywhere = LengthSweep.forDevice(run.model().device())
                    .measure(run.model(), new TriggerLayout.Anywhere(), 24, 256, 2, null).accuracy();
            assertTrue(anywhere > 0.9, "the checkpoint, loaded back, scores " + anywhere + " with S anywhere");
            double longer = LengthSweep.forDevice(run.model().device())
                    .measure(run.model(), new TriggerLayout.Anywhere(), 96, 128, 2, null).accuracy();
            assertTrue(longer > 0.5, "no positions to outgrow: 4x the training length still works: " + longer);
            // the hidden attention is a map like a head's: rows of shares summing to 1
            AttentionMap m = AttentionMap.compute(run.model(), HeadScores.watchedSequence(hp));
            float sum = 0;
            for (int j = 0; j < m.length(); j++) {
                sum += m.weight(1, 0, m.length() - 1, j);
            }
            assertEquals(1, sum, 1e-3);
        }
        assertFalse(RunFolder.open(dir).readHeadScores().isEmpty(), "head scores recorded for Mamba too");
    }
}
