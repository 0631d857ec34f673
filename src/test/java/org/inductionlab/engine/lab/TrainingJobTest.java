package org.inductionlab.engine.lab;

import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunFolderException;
import org.inductionlab.engine.run.RunInfo;
import org.inductionlab.engine.run.RunStatus;
import org.inductionlab.engine.run.Runs;
import org.inductionlab.engine.train.TrainingListener;
import org.inductionlab.engine.train.TrainingOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The one rule for creating and resuming runs, which the CLI and the window both call. */
class TrainingJobTest {

    @TempDir
    Path tmp;

    private Path trained(String name, Hyperparameters hp) throws Exception {
        TrainingJob job = TrainingJob.create(tmp.resolve(name), hp, "test", false);
        assertFalse(job.resumed());
        job.run(null);
        return tmp.resolve(name);
    }

    /** Marks a finished run as stopped, as Stop would have left it. */
    private static void markStopped(Path dir) throws Exception {
        RunFolder f = RunFolder.open(dir);
        RunInfo.Training t = f.info().training();
        f.updateTraining(new RunInfo.Training(RunStatus.STOPPED.word(), t.steps(), t.epoch(), t.runningAccuracy(),
                t.lastLoss(), t.wallSeconds(), null, t.updated()));
    }

    @Test
    void resumingWithoutACheckpointIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path dir = tmp.resolve("fresh");
        Runs.create(dir, TestConfigs.tiny(), "test", false);
        String before = Files.readString(dir.resolve(RunFolder.CONFIG));
        var e = assertThrows(RunFolderException.class, () -> TrainingJob.resume(dir, Map.of("lr", "0.01")));
        assertTrue(e.getMessage().contains("has no checkpoint"), e.getMessage());
        assertEquals("run_folder", e.badInputKey());
        assertEquals(before, Files.readString(dir.resolve(RunFolder.CONFIG)), "config.json untouched");
    }

    @Test
    void aTaskOrModelChangeIsRefusedNamingItAndAnEqualValueIsNoChange() throws Exception {
        Path dir = trained("run", TestConfigs.tiny("max_steps=4"));
        markStopped(dir);
        String before = Files.readString(dir.resolve(RunFolder.CONFIG));
        var e = assertThrows(InvalidConfigException.class, () -> TrainingJob.resume(dir, Map.of("heads", "4")));
        assertEquals("heads", e.problems().get(0).key());
        assertTrue(e.getMessage().startsWith("heads: cannot change when resuming"), e.getMessage());
        assertEquals(before, Files.readString(dir.resolve(RunFolder.CONFIG)), "nothing written");

        // the run's own values are no change; a raised max_steps and a new lr are allowed and recorded
        TrainingJob job = TrainingJob.resume(dir, Map.of("heads", "2", "d_model", "16", "max_steps", "8", "lr", "0.002"));
        assertTrue(job.resumed());
        assertEquals(0.002, RunFolder.open(dir).hyperparameters().lr(), 1e-12);
        TrainingOutcome o = job.run(null);
        assertEquals(8, o.step());
        assertEquals(TrainingOutcome.Reason.MAX_STEPS, o.reason());
    }

    @Test
    void aFinishedRunSaysSoInsteadOfTrainingZeroSteps() throws Exception {
        Path dir = trained("done", TestConfigs.tiny("max_steps=3"));
        String before = Files.readString(dir.resolve(RunFolder.CONFIG));
        var e = assertThrows(InvalidConfigException.class, () -> TrainingJob.resume(dir, Map.of()));
        assertEquals("max_steps: the run already finished at step 3 of 3; raise max_steps to train further",
                e.getMessage());
        assertEquals(before, Files.readString(dir.resolve(RunFolder.CONFIG)));
        assertEquals(4, TrainingJob.resume(dir, Map.of("max_steps", "4")).run(null).step());
    }

    @Test
    void theJobReportsThePhaseChangeOnce() throws Exception {
        Hyperparameters hp = TestConfigs.tiny("max_steps=400", "batch_size=32", "window=30", "target=0.9");
        List<Long> heard = new ArrayList<>();
        TrainingJob job = TrainingJob.create(tmp.resolve("phase"), hp, "test", false);
        TrainingOutcome o = job.run(new TrainingListener() {
            @Override
            public void onPhaseChange(long step) {
                heard.add(step);
            }
        });
        assertTrue(o.runningAccuracy() > 0.6, "the tiny model learns: " + o.runningAccuracy());
        assertEquals(1, heard.size(), "once: " + heard);
        assertTrue(heard.get(0) > 0 && heard.get(0) <= o.step());
    }

    @Test
    void headScoresAreRecordedAsTrainingGoesAndContinueOnResume() throws Exception {
        Hyperparameters hp = TestConfigs.tiny("max_steps=30", "scores_every=10", "checkpoint_every=20");
        Path dir = tmp.resolve("heads");
        List<Long> heard = new ArrayList<>();
        TrainingJob.create(dir, hp, "test", false).run(new TrainingListener() {
            @Override
            public void onHeadScores(long step, org.inductionlab.engine.eval.HeadScores scores) {
                heard.add(step);
                assertEquals(hp.heads(), scores.heads());
            }
        });
        assertEquals(List.of(10L, 20L, 30L), heard);
        var rows = RunFolder.open(dir).readHeadScores();
        assertEquals(3 * hp.layers() * hp.heads(), rows.size(), "a row per head per recording");
        assertTrue(rows.stream().allMatch(r -> r.target() >= 0 && r.target() <= 1 && r.induction() >= 0));

        // stopped at 30 with its last checkpoint at... 30 (the end always checkpoints): resume to 40
        TrainingJob.resume(dir, Map.of("max_steps", "40")).run(null);
        assertEquals(List.of(10L, 20L, 30L, 40L), RunFolder.open(dir).readHeadScores().stream()
                .map(org.inductionlab.engine.run.HeadScoreRow::step).distinct().toList());

        // and the watched sequence's attention at each of those steps; the last is the final model's
        var frames = org.inductionlab.engine.run.AttentionFrame.read(dir);
        assertEquals(List.of(10L, 20L, 30L, 40L), frames.stream().map(f -> f.step()).toList());
        try (LoadedRun run = LoadedRun.open(dir, null)) {
            var now = org.inductionlab.engine.eval.AttentionMap.compute(run.model(),
                    org.inductionlab.engine.eval.HeadScores.watchedSequence(hp));
            var kept = org.inductionlab.engine.eval.AttentionMap.of(frames.get(3), hp.inductionToken());
            assertArrayEquals(now.tokens(), kept.tokens());
            assertEquals(now.predictedToken(), kept.predictedToken());
            for (int l = 0; l < hp.layers(); l++) {
                for (int h = 0; h < hp.heads(); h++) {
                    float[] a = now.headWeights(l, h);
                    float[] b = kept.headWeights(l, h);
                    for (int c = 0; c < a.length; c++) {
                        assertEquals(a[c], b[c], 0.5 / 255 + 1e-6, "L" + l + " H" + h + " cell " + c);
                    }
                }
            }
        }
    }

    @Test
    void aFolderWithARunIsReplacedOnlyWhenAsked() throws Exception {
        Path dir = trained("keep", TestConfigs.tiny("max_steps=2"));
        var e = assertThrows(RunFolderException.class,
                () -> TrainingJob.create(dir, TestConfigs.tiny(), "test", false));
        assertTrue(e.holdsRun());
        TrainingJob replaced = TrainingJob.create(dir, TestConfigs.tiny(), "test", true);
        assertNotNull(replaced.replacedRun());
        assertTrue(Files.exists(replaced.replacedRun().resolve(RunFolder.CHECKPOINT)), "the old run is kept aside");
    }
}
