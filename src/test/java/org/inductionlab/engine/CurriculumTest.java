package org.inductionlab.engine;

import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.run.MetricsRow;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.Runs;
import org.inductionlab.engine.train.Trainer;
import org.inductionlab.engine.train.TrainingControl;
import org.inductionlab.engine.train.TrainingListener;
import org.inductionlab.engine.train.TrainingOutcome;
import org.inductionlab.engine.train.TrainingProgress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Curriculum over the training length: stages, the early stop at the final length only, resume mid-stage. */
class CurriculumTest {

    @TempDir
    Path tmp;

    static Hyperparameters curriculum(String... more) {
        List<String> o = new ArrayList<>(List.of("layout=fixed:2", "train_length=32", "curriculum_start=8",
                "curriculum_advance=0.3", "target=0.3", "window=10", "batch_size=32", "max_steps=400",
                "checkpoint_every=1000", "log_every=1"));
        o.addAll(List.of(more));
        return TestConfigs.tiny(o.toArray(new String[0]));
    }

    /** Records the stages and the length of every step. */
    static final class Stages implements TrainingListener {
        final List<long[]> stages = new ArrayList<>();
        final List<Integer> lengths = new ArrayList<>();

        @Override
        public void onCurriculumStage(long step, int length) {
            stages.add(new long[] {step, length});
        }

        @Override
        public void onProgress(TrainingProgress p) {
            lengths.add(p.trainLength());
        }
    }

    @Test
    void theLengthDoublesAtEachStageAndTheEarlyStopWaitsForTheFinalLength() throws Exception {
        Hyperparameters hp = curriculum();
        RunFolder folder = Runs.create(tmp.resolve("c"), hp, "test", false);
        Stages heard = new Stages();
        TrainingOutcome o = new Trainer(hp, folder, heard, null).run(false);

        assertEquals(List.of(16L, 32L), heard.stages.stream().map(s -> s[1]).toList(), "8 -> 16 -> 32");
        assertTrue(heard.stages.get(0)[0] < heard.stages.get(1)[0]);
        assertEquals(8, heard.lengths.get(0));
        assertEquals(32, heard.lengths.get(heard.lengths.size() - 1));
        assertEquals(TrainingOutcome.Reason.TARGET_REACHED, o.reason(), "learned: " + o.runningAccuracy());
        assertTrue(o.step() >= heard.stages.get(1)[0] + hp.window(), "a full window at the final length first");

        List<Integer> logged = RunFolder.open(folder.path()).readMetrics().stream().map(MetricsRow::trainLength)
                .distinct().toList();
        assertEquals(List.of(8, 16, 32), logged, "metrics.csv says the length of every row");
    }

    @Test
    void aRunStoppedMidStageResumesAtTheSameLengthAndMatches() throws Exception {
        Hyperparameters hp = curriculum("target=1", "max_steps=160");
        RunFolder straight = Runs.create(tmp.resolve("straight"), hp, "test", false);
        Stages whole = new Stages();
        TrainingOutcome all = new Trainer(hp, straight, whole, null).run(false);
        assertFalse(whole.stages.isEmpty(), "reached stage 2 in 160 steps");
        long stopAt = whole.stages.get(0)[0] + 3; // inside the second stage

        RunFolder split = Runs.create(tmp.resolve("split"), hp, "test", false);
        TrainingControl control = new TrainingControl();
        new Trainer(hp, split, new TrainingListener() {
            @Override
            public void onProgress(TrainingProgress p) {
                if (p.step() == stopAt) {
                    control.requestStop();
                }
            }
        }, control).run(false);
        Stages rest = new Stages();
        TrainingOutcome end = new Trainer(hp, RunFolder.open(split.path()), rest, null).run(true);
        assertEquals(whole.lengths.get((int) stopAt), rest.lengths.get(0), "the resumed step trains at the stage's length");
        assertEquals(all.step(), end.step());
        assertEquals(all.loss(), end.loss(), 1e-4, "same stages, same data: the same final loss");
    }

    @Test
    void reviewStepsRetrainTheShorterLengthsInTurnOnlyOnceAtTheFinalLength() {
        Hyperparameters hp = curriculum("curriculum_review=0.25"); // lengths 8, 16, 32; every 4th step a review
        assertEquals(4, hp.reviewPeriod());
        for (long step = 0; step < 40; step++) {
            assertEquals(0, hp.reviewLength(0, step), "no review before the final length");
            assertEquals(0, hp.reviewLength(1, step), "stage 1 is 16, not yet train_length");
        }
        List<Integer> lengths = new ArrayList<>();
        for (long step = 0; step < 16; step++) {
            lengths.add(hp.reviewLength(2, step));
        }
        assertEquals(List.of(0, 0, 0, 16, 0, 0, 0, 8, 0, 0, 0, 16, 0, 0, 0, 8), lengths,
                "every 4th step, stages 0 and 1 (8 and 16) in turn");
        assertEquals(0, curriculum().reviewPeriod(), "curriculum_review defaults to off");
        assertEquals(0, TestConfigs.tiny("curriculum_review=0.25").reviewPeriod(), "no curriculum, no review");
    }

    @Test
    void aRunWithReviewStepsStillStopsAtTheFinalLengthsTarget() throws Exception {
        Hyperparameters hp = curriculum("curriculum_review=0.5");
        RunFolder folder = Runs.create(tmp.resolve("r"), hp, "test", false);
        Stages heard = new Stages();
        TrainingOutcome o = new Trainer(hp, folder, heard, null).run(false);
        assertEquals(TrainingOutcome.Reason.TARGET_REACHED, o.reason(), "learned: " + o.runningAccuracy());
        assertEquals(32, heard.lengths.get(heard.lengths.size() - 1));
        assertTrue(o.step() >= heard.stages.get(1)[0] + 2L * hp.window(),
                "half the steps are reviews, so a full window at 32 takes twice the steps");
    }

    @Test
    void aCurriculumThatDoesNotFitIsRefusedNamingIt() {
        var e = assertThrows(InvalidConfigException.class, () -> TestConfigs.tiny("curriculum_start=64"));
        assertTrue(e.getMessage().startsWith("curriculum_start: 64 is out of range"), e.getMessage());
        var f = assertThrows(InvalidConfigException.class, () -> TestConfigs.tiny("curriculum_start=8"));
        assertTrue(f.getMessage().startsWith("curriculum_start: layout fixed:5 does not fit length 8"), f.getMessage());
    }
}
