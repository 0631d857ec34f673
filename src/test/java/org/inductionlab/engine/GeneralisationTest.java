package org.inductionlab.engine;

import ai.djl.ndarray.NDManager;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.eval.Generalisation;
import org.inductionlab.engine.lab.TrainingJob;
import org.inductionlab.engine.model.SequenceModel;
import org.inductionlab.engine.platform.EngineRuntime;
import org.inductionlab.engine.run.GeneralisationRow;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.train.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Generalisation while training: generalisation.csv, cut back on resume, and the 90 % announcements. */
class GeneralisationTest {

    @TempDir
    Path tmp;

    @Test
    void theHeldOutSetIsScoredAsTrainingGoesAndCutBackOnResume() throws Exception {
        Hyperparameters hp = TestConfigs.tiny("max_steps=30", "generalisation_every=10", "generalisation_budget=0", "checkpoint_every=20",
                "layout=anywhere");
        Path dir = tmp.resolve("gen");
        List<Long> heard = new ArrayList<>();
        TrainingJob.create(dir, hp, "test", false).run(new TrainingListener() {
            @Override
            public void onGeneralisation(long step, List<GeneralisationRow> rows) {
                heard.add(step);
            }
        });
        assertEquals(List.of(10L, 20L, 30L), heard);
        List<GeneralisationRow> rows = RunFolder.open(dir).readGeneralisation();
        assertEquals(Set.of(48, 96, 384), rows.stream().map(GeneralisationRow::length).collect(
                java.util.stream.Collectors.toSet()), "2x, 4x and 16x the training length of 24");
        for (long step : List.of(10L, 20L, 30L)) {
            for (int length : List.of(48, 96, 384)) {
                List<GeneralisationRow> cell = rows.stream().filter(r -> r.step() == step && r.length() == length).toList();
                assertEquals(Generalisation.SEQUENCES, cell.stream().mapToInt(GeneralisationRow::sequences).sum());
                for (GeneralisationRow r : cell) {
                    assertEquals(r.distanceMin(), Generalisation.bucket(r.distanceMin()), "a power-of-two bucket");
                    assertTrue(r.distanceMin() >= 2 && r.distanceMax() <= 2 * length && r.correct() <= r.sequences());
                }
            }
        }
        // the same held-out sequences at every step: the buckets' counts do not change
        assertEquals(rows.stream().filter(r -> r.step() == 10).map(r -> r.length() + ":" + r.distanceMin() + ":"
                + r.sequences()).toList(), rows.stream().filter(r -> r.step() == 30).map(r -> r.length() + ":"
                + r.distanceMin() + ":" + r.sequences()).toList());

        // rows after the checkpoint a resume starts from are dropped, then recorded again
        java.nio.file.Files.writeString(dir.resolve(RunFolder.GENERALISATION), "31,48,2,3,5,5\n99,48,2,3,5,5\n",
                java.nio.file.StandardOpenOption.APPEND);
        TrainingJob.resume(dir, Map.of("max_steps", "40")).run(null);
        assertEquals(List.of(10L, 20L, 30L, 40L), RunFolder.open(dir).readGeneralisation().stream()
                .map(GeneralisationRow::step).distinct().toList());
        assertEquals(rows.size() / 3 * 4, RunFolder.open(dir).readGeneralisation().size());
    }

    @Test
    void theBudgetKeepsTheScoringsToTheirShareOfTheTrainingTime() throws Exception {
        // due every step, allowed 5 % of the time: a scoring costs many tiny steps, so most are skipped
        Hyperparameters hp = TestConfigs.tiny("max_steps=40", "generalisation_every=1", "generalisation_budget=5");
        List<Long> heard = new ArrayList<>();
        new org.inductionlab.engine.train.Trainer(hp, null, new TrainingListener() {
            @Override
            public void onGeneralisation(long step, List<GeneralisationRow> rows) {
                heard.add(step);
            }
        }, null).run(false);
        assertTrue(heard.size() < 10, "most wait for the budget: " + heard);
        assertTrue(heard.isEmpty() || heard.get(0) > 1, "the first too: a scoring costs many tiny steps " + heard);
    }

    @Test
    void aScoringWaitsUntilItAndTheOnesBeforeFitTheBudget() {
        long s = 1_000_000_000L;
        // the first, priced at 8 s: it waits for 160 s of training
        assertFalse(org.inductionlab.engine.train.Trainer.withinBudget(5, 0, 8 * s, 159 * s));
        assertTrue(org.inductionlab.engine.train.Trainer.withinBudget(5, 0, 8 * s, 160 * s));
        // one scoring took 8 s: the next (priced at 8 s too) waits for 320 s of training, not 160
        assertFalse(org.inductionlab.engine.train.Trainer.withinBudget(5, 8 * s, 8 * s, 160 * s));
        assertFalse(org.inductionlab.engine.train.Trainer.withinBudget(5, 8 * s, 8 * s, 319 * s));
        assertTrue(org.inductionlab.engine.train.Trainer.withinBudget(5, 8 * s, 8 * s, 320 * s));
        assertTrue(org.inductionlab.engine.train.Trainer.withinBudget(0, 80 * s, 8 * s, s), "0: no limit");
        assertFalse(org.inductionlab.engine.train.Trainer.withinBudget(5, 8 * s, Long.MAX_VALUE, 1000 * s), "no overflow");
    }

    @Test
    void aFirstScoringIsPricedAtTheRateTheStepsRan() {
        // training did 3 TFLOP in 60 s; a scoring of 0.35 TFLOP is priced at 7 s
        assertEquals(7_000_000_000L, org.inductionlab.engine.train.Trainer.firstScoringNanos(0.35e12, 3e12, 60_000_000_000L),
                1_000);
        assertEquals(Long.MAX_VALUE, org.inductionlab.engine.train.Trainer.firstScoringNanos(1e9, 0, 0), "no steps yet: not yet");
    }

    @Test
    void aLengthPassesAtNinetyPercentOverItsBuckets() {
        List<GeneralisationRow> rows = List.of(new GeneralisationRow(100, 64, 2, 3, 10, 10),
                new GeneralisationRow(100, 64, 4, 7, 10, 8), new GeneralisationRow(100, 128, 2, 3, 20, 17),
                new GeneralisationRow(200, 128, 2, 3, 20, 18));
        assertEquals(Set.of(64, 128), Generalisation.passed(rows));
        assertEquals(Set.of(64), Generalisation.passed(rows.subList(0, 3)));
        assertEquals(0.9, Generalisation.byLength(rows.subList(0, 2)).get(64), 1e-9);
    }

    @Test
    void lengthsAreMultiplesOfTheTrainingLengthCappedAndChecked() {
        assertEquals(List.of(512, 1024, 4096), Hyperparameters.defaults().generalisationLengths().lengths(256));
        assertEquals("2x,8x", TestConfigs.tiny("generalisation_lengths=8, 2X").toText().get("generalisation_lengths"));
        var e = assertThrows(InvalidConfigException.class, () -> TestConfigs.tiny("generalisation_lengths=1x"));
        assertEquals("generalisation_lengths: '1x' is not allowed (allowed: comma separated multiples of train_length,"
                + " 2x..1024x (e.g. 2x,4x,16x))", e.getMessage());
    }

    @Test
    void aMambaIsScoredByTheSameCode() {
        Hyperparameters hp = TestConfigs.tiny("architecture=mamba", "generalisation_lengths=2x");
        EngineRuntime.start(0);
        try (NDManager m = NDManager.newBaseManager(); SequenceModel model = SequenceModel.create(hp, m)) {
            List<GeneralisationRow> rows = Generalisation.measure(model, 0);
            assertEquals(Generalisation.SEQUENCES, rows.stream().mapToInt(GeneralisationRow::sequences).sum());
            assertTrue(rows.stream().allMatch(r -> r.length() == 48));
        }
    }
}
