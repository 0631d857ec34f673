package org.inductionlab.engine.lab;

import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.eval.HeadScores;
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.task.TriggerLayout;
import org.inductionlab.engine.train.TrainingOutcome;
import org.inductionlab.engine.eval.MambaCarriers;
import org.inductionlab.engine.task.InductionTask;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** A tiny Mamba trained by the lab learns the task with the trigger anywhere, and its run folder works like any other. */
class MambaTrainingTest {

    @TempDir
    static Path tmp;
    private static Hyperparameters hp;
    private static Path dir;
    private static TrainingOutcome o;

    @BeforeAll
    static void train() throws Exception {
        hp = TestConfigs.tiny("architecture=mamba", "d_model=16", "d_state=4", "layout=anywhere",
                "train_length=24", "batch_size=16", "lr=3e-3", "max_steps=1500", "target=0.92", "window=50",
                "checkpoint_every=500", "scores_every=250");
        dir = tmp.resolve("mamba");
        o = TrainingJob.create(dir, hp, "test", false).run(null);
    }

    @Test
    void aTinyMambaLearnsTheTriggerAnywhereAndItsCheckpointScoresTheSame() throws Exception {
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

    @Test
    void theChannelsThatCarryMWriteItAtMAndZeroingThemCostsTheAnswerWhatTheLabSays() throws Exception {
        assertEquals(TrainingOutcome.Reason.TARGET_REACHED, o.reason(), "running accuracy " + o.runningAccuracy());
        try (LoadedRun run = LoadedRun.open(dir, null)) {
            // the first of the sequences with S at 6 that the model answers with some confidence
            InductionTask.Sequence s = null;
            AttentionQuery.Input in = null;
            for (int seed = 0; seed < 50 && in == null; seed++) {
                s = InductionTask.evaluation(hp.vocab(), new TriggerLayout.Fixed(6), seed).sequence(0, 24);
                AttentionQuery.Answer a = AttentionQuery.ask(run, new AttentionQuery.Typed(String.join(" ",
                        Arrays.stream(s.tokens()).limit(23).mapToObj(Integer::toString).toList())));
                in = a.correct() && a.probability() > 0.8 ? a.input() : null;
            }
            assertNotNull(in, "a model at 92 % answers some of 50 sequences with p > 0.8");
            assertEquals(s.answer(), in.answer());
            MambaCarriers c = MambaMemoryProbe.carriers(run, in);
            int e = hp.expand() * hp.dModel();
            assertEquals(6, c.trigger());
            assertEquals(7, c.memory());
            assertEquals(e, c.channels());
            assertEquals(23, c.length());
            assertTrue(c.rankedByLogit(), "32 channels: each can be zeroed alone");
            assertFalse(c.carriers().isEmpty(), "a model that learned the task writes M somewhere: " + c.writers());
            assertTrue(c.answerProbability() > 0.8, "the same p as the query: " + c.answerProbability());

            MambaCarriers.Carrier top = c.carriers().get(0);
            for (MambaCarriers.Carrier k : c.carriers()) {
                assertTrue(k.logitDrop() <= top.logitDrop(), "ranked by what zeroing costs the answer");
                assertTrue(k.selectivity() >= 10, "only channels that write at M: " + k);
                assertTrue(k.writeAt() >= c.memory() && k.writeAt() < c.memory() + hp.dConv(),
                        "written while the convolution window holds M: " + k.writeAt());
                assertEquals(k.deltaAtWrite(), c.delta(k.layer(), k.writeAt(), k.channel()), 1e-9);
                assertEquals(UnitNames.group(hp, k.channel()), k.group());
            }
            assertTrue(top.logitDrop() > 0.5, "the top carrier matters to the answer: " + top);
            assertArrayEquals(new int[] {top.layer(), top.group()}, c.focus(), "the page opens on its group");

            // an input without an answer: Δ along it all the same (causal: the same prefix, the same Δ), no carriers
            AttentionQuery.Input none = AttentionQuery.withTaskAnswer(Arrays.copyOf(in.tokens(), 20),
                    hp.inductionToken(), "no second S");
            MambaCarriers plain = MambaMemoryProbe.carriers(run, none);
            assertFalse(plain.hasAnswer());
            assertTrue(plain.carriers().isEmpty(), "no answer, nothing to carry");
            assertNull(plain.focus());
            for (int l = 0; l < hp.layers(); l++) {
                for (int t = 0; t < 20; t++) {
                    assertEquals(c.delta(l, t, 5), plain.delta(l, t, 5), 1e-6, "causal: the same prefix, the same Δ");
                }
            }
            // zeroing a channel's output is zeroing its column of the out-projection: the same drop, another way
            // (last: this changes the model)
            String w = "layers." + top.layer() + ".out_proj.weight";
            float[] weights = run.model().parameters().get(w).toFloatArray();
            float[] cut = weights.clone();
            for (int row = 0; row < hp.dModel(); row++) {
                cut[row * e + top.channel()] = 0;
            }
            Map<String, ai.djl.ndarray.NDArray> values = new HashMap<>(run.model().parameters());
            try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
                values.put(w, m.create(cut, run.model().parameters().get(w).getShape()));
                run.model().load(values);
                AttentionQuery.Answer without = AttentionQuery.ask(run, new AttentionQuery.Typed(String.join(" ",
                        Arrays.stream(in.tokens()).mapToObj(Integer::toString).toList())));
                double pAfter = without.predicted() == s.answer() ? without.probability() : Double.NaN;
                if (!Double.isNaN(pAfter)) {
                    assertEquals(top.probabilityAfter(), pAfter, 1e-4, "p of the answer with the channel zeroed");
                } else {
                    assertTrue(top.probabilityAfter() < 0.5, "the answer is no longer the top token: "
                            + top.probabilityAfter());
                }
            }
        }
    }
}
