package org.inductionlab.ui;

import org.inductionlab.engine.lab.RunEntry;
import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.lab.TrainingJob;
import org.inductionlab.engine.train.TrainingProgress;
import org.inductionlab.ui.attention.AttentionViewModel;
import org.inductionlab.ui.sweep.SweepViewModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** What a new user hit on the Sweep and Attention pages, checked on their view models (no window). */
class PageViewModelsTest {

    @TempDir
    Path home;
    private LabContext ctx;
    private RunEntry run;

    @BeforeEach
    void setUp() throws Exception {
        System.setProperty("inductionlab.home", home.toString());
        ctx = new LabContext(LabSettings.load(), TaskExecutor.inline());
        TrainingJob.create(ctx.runs().directory().resolve("r"), TestConfigs.tiny("max_steps=3"), "tiny", false).run(null);
        ctx.runs().refresh();
        run = ctx.runs().find("r").orElseThrow();
    }

    @Test
    void theAttentionMapClearsWhenTheInputChangesAndNamesItsRun() {
        AttentionViewModel vm = new AttentionViewModel(ctx);
        vm.run().set(run);
        vm.compute();
        assertNotNull(vm.map().get(), vm.message().get());
        assertTrue(vm.message().get().startsWith("r · "), "the caption names the run: " + vm.message().get());
        assertNotNull(vm.scores().get(), "the grid gets each head's standard scores");
        assertEquals(run.hyperparameters().heads(), vm.scores().get().heads());
        vm.ablate(true);
        assertTrue(vm.ablation().get().startsWith("With all of layer "), vm.ablation().get());
        assertTrue(vm.ablation().get().contains("(was "), "before and after: " + vm.ablation().get());
        vm.input().seed().set(vm.input().seed().get() + 1);
        assertNull(vm.map().get(), "another sequence: the old map must go");
        assertEquals("", vm.ablation().get(), "and the ablation result");
        assertNull(vm.scores().get(), "and the scores shown beside it");
        assertEquals("", vm.answer().get(), "and its verdict");
        vm.compute();
        assertNotNull(vm.map().get());
        vm.input().length().set(40);
        assertNull(vm.map().get());

        vm.input().typed().set("1 2 99");
        vm.input().source().set(AttentionViewModel.Source.TYPED);
        vm.compute();
        assertNull(vm.map().get());
        assertTrue(vm.error().get(), "an error is flagged (shown red)");
        assertTrue(vm.message().get().startsWith("r: tokens"), vm.message().get());
    }

    @Test
    void typedAndFileInputsSayWhetherTheModelIsRightWhereTheTaskDefinesTheAnswerAndWhyNotElsewhere() throws Exception {
        AttentionViewModel vm = new AttentionViewModel(ctx);
        vm.run().set(run);
        vm.compute(); // the generated sequence: the reference for the same tokens typed
        String generated = vm.answer().get();
        java.util.regex.Matcher g = java.util.regex.Pattern
                .compile("The model says (\\d+) \\(p = [0-9.]+\\); the answer is (\\d+) ([✓✗])").matcher(generated);
        assertTrue(g.matches(), generated);
        int[] tokens = vm.map().get().tokens();

        vm.input().source().set(AttentionViewModel.Source.TYPED);
        vm.input().typed().set(java.util.Arrays.stream(tokens).mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining(" ")));
        vm.compute();
        assertFalse(vm.error().get(), vm.message().get());
        assertEquals(generated, vm.answer().get(), "typed, the same sequence is checked against the same answer");

        int s = run.hyperparameters().inductionToken();
        vm.input().typed().set("3 " + s + " 7 1 2 " + s);
        vm.compute();
        int said = vm.map().get().predictedToken();
        assertTrue(vm.answer().get().endsWith("; the answer is 7 " + (said == 7 ? "✓" : "✗")), vm.answer().get());

        vm.input().typed().set("3 4 7 1 2 " + s);
        vm.compute();
        assertFalse(vm.error().get(), "an input without an answer is still shown: " + vm.message().get());
        assertNotNull(vm.map().get());
        assertTrue(vm.answer().get().startsWith("The model says " + vm.map().get().predictedToken() + " (p = "),
                vm.answer().get());
        assertTrue(vm.answer().get().endsWith("; no answer to check: there is only one S, and the task's answer is"
                + " the token after an earlier one."), "said plainly: " + vm.answer().get());

        Path file = home.resolve("tokens.txt");
        java.nio.file.Files.writeString(file, "1 2 3\n5 " + s + " 9 4 4 " + s + "\n");
        vm.input().source().set(AttentionViewModel.Source.FILE);
        vm.input().file().set(file);
        vm.input().line().set(2);
        vm.compute();
        said = vm.map().get().predictedToken();
        assertTrue(vm.answer().get().endsWith("; the answer is 9 " + (said == 9 ? "✓" : "✗")), vm.answer().get());
        vm.input().line().set(1);
        vm.compute();
        assertTrue(vm.answer().get().contains("; no answer to check: there is no S (" + s + ")"), vm.answer().get());
    }

    @Test
    void aMambaOpensOnTheChannelGroupThatCarriesMAndSaysWhatZeroingItCosts() throws Exception {
        org.inductionlab.ui.runs.DemoRun.installIfMissing(ctx.runs().directory());
        ctx.runs().refresh();
        RunEntry mamba = ctx.runs().find("demo-mamba").orElseThrow();
        AttentionViewModel vm = new AttentionViewModel(ctx);
        vm.run().set(mamba);
        vm.input().length().set(64);
        vm.input().layout().set("anywhere");
        vm.compute();
        assertFalse(vm.error().get(), vm.message().get());
        var c = vm.carriers().get();
        assertNotNull(c, "a Mamba gets its carriers");
        assertTrue(c.hasAnswer());
        assertFalse(c.carriers().isEmpty(), vm.carriersText());
        var top = c.carriers().get(0);
        assertTrue(top.logitDrop() > 0, "the channel listed first matters to the answer: " + top);
        assertArrayEquals(c.focus(), new int[] {vm.layer().get(), vm.head().get()},
                "the page opens on the group of the channel the answer needs most, not on the first or the tgt one");
        assertEquals(top.group(), vm.head().get());
        var hp = mamba.hyperparameters();
        String text = vm.carriersText();
        assertTrue(text.matches("(?s)\\d+ of " + hp.layers() * hp.expand() * hp.dModel() + " channels write M.*"), text);
        assertTrue(text.contains("\n" + org.inductionlab.engine.lab.UnitNames.channel(hp, top.layer(), top.channel())
                + ": writes at "), "the top channel, named as the CLI names it: " + text);
        assertTrue(text.contains(String.format(java.util.Locale.ROOT, "the logit of %d and its p (now %.2f)", c.answer(),
                c.answerProbability())), text);
        assertTrue(text.contains(String.format(java.util.Locale.ROOT, "; zeroed: logit −%.2f, p %.2f", top.logitDrop(),
                top.probabilityAfter())), "what zeroing the top channel costs: " + text);

        vm.input().source().set(AttentionViewModel.Source.TYPED);
        assertNull(vm.carriers().get(), "another input: the carriers go with the map");
        vm.input().typed().set("1 2 3 4 5 6 7 8");
        vm.compute();
        assertNotNull(vm.carriers().get(), "Δ is still shown");
        assertFalse(vm.carriers().get().hasAnswer());
        assertTrue(vm.carriersText().startsWith("This input defines no answer"), vm.carriersText());

        vm.run().set(run); // a Transformer has no carriers
        vm.input().source().set(AttentionViewModel.Source.GENERATED);
        vm.compute();
        assertNotNull(vm.map().get());
        assertNull(vm.carriers().get());
        assertEquals("", vm.carriersText());
    }

    @Test
    void theTrainingStepsSourceScrubsThroughTheRecordedMapsAndKeepsTheChosenHead() throws Exception {
        TrainingJob.create(ctx.runs().directory().resolve("watched"),
                TestConfigs.tiny("max_steps=30", "scores_every=10"), "tiny", false).run(null);
        ctx.runs().refresh();
        AttentionViewModel vm = new AttentionViewModel(ctx);
        vm.run().set(run); // trained 3 steps, never recorded
        vm.input().source().set(AttentionViewModel.Source.HISTORY);
        assertTrue(vm.error().get(), "no recording is said, in red");
        assertTrue(vm.message().get().startsWith("r has no recorded attention"), vm.message().get());
        assertNull(vm.map().get());

        vm.run().set(ctx.runs().find("watched").orElseThrow()); // loads straight away
        assertFalse(vm.error().get(), vm.message().get());
        assertEquals(3, vm.history().count().get());
        assertEquals(2, vm.history().index().get(), "opens at the last recorded step");
        assertTrue(vm.answer().get().startsWith("At step 30 the model says"), vm.answer().get());
        var last = vm.map().get();
        assertNotNull(vm.scores().get(), "the grid's scores are heads.csv's at that step");
        int layer = 1 - vm.layer().get(); // not the head chosen on opening (the best target head)
        int head = 1 - vm.head().get();
        vm.layer().set(layer);
        vm.head().set(head);
        vm.history().index().set(0);
        assertNotSame(last, vm.map().get());
        assertTrue(vm.message().get().contains("at step 10 (recording 1 of 3, last at step 30)"), vm.message().get());
        assertEquals(layer, vm.layer().get(), "scrubbing keeps the head the user chose");
        assertEquals(head, vm.head().get());
        vm.ablate(false);
        assertEquals("", vm.ablation().get(), "a recorded step cannot be ablated (its model is not kept)");

        vm.input().source().set(AttentionViewModel.Source.GENERATED);
        assertNull(vm.map().get(), "another source: the recorded map goes");
        assertEquals(0, vm.history().count().get());
    }

    @Test
    void aBadSweepRangeIsCaughtAsTypedInThePagesWordsAndClearsWhenFixed() {
        SweepViewModel vm = new SweepViewModel(ctx);
        vm.add(run);
        vm.minExp().set(9);
        vm.maxExp().set(7);
        assertEquals("Longest: 2^7 is out of range (allowed: 2^9..2^24, at least Shortest)", vm.problem().get());
        assertEquals("", vm.estimateText().get(), "no estimate for a range that is not one");
        vm.maxExp().set(10);
        assertEquals("", vm.problem().get());
        assertTrue(vm.estimateText().get().startsWith("About "), vm.estimateText().get());
        vm.layout().set("middle");
        assertTrue(vm.problem().get().startsWith("Layout: "), vm.problem().get());
    }

    @Test
    void theEstimateAddsUpEveryRunAtItsOwnSize() throws Exception {
        TrainingJob.create(ctx.runs().directory().resolve("big"), TestConfigs.tiny("max_steps=1", "d_model=64",
                "heads=4"), "tiny", false).run(null);
        ctx.runs().refresh();
        SweepViewModel one = new SweepViewModel(ctx);
        one.add(run);
        one.minExp().set(10);
        one.maxExp().set(12);
        SweepViewModel two = new SweepViewModel(ctx);
        two.add(run);
        two.add(ctx.runs().find("big").orElseThrow());
        two.minExp().set(10);
        two.maxExp().set(12);
        assertTrue(one.estimateText().get().contains("for 1 run "), one.estimateText().get());
        assertTrue(two.estimateText().get().contains("for 2 runs "), two.estimateText().get());
        assertTrue(one.estimateText().get().contains("2^12: ~"), "the costly lengths are listed");
        assertTrue(one.estimateText().get().contains("error bars up to ±"), one.estimateText().get());
        int seqs = org.inductionlab.engine.eval.LengthSweep.defaultSequences(1 << 12);
        assertTrue(one.estimateText().get().contains(String.format(java.util.Locale.ROOT, "%d sequences (error bars up"
                + " to ±%.0f points)", seqs, org.inductionlab.engine.lab.SweepJob.errorBarPoints(seqs))),
                "the engine's Wilson width: " + one.estimateText().get());
    }

    @Test
    void theEpochTextForARunShorterThanAnEpoch() {
        TrainingProgress p = new TrainingProgress(100, 600, 100.0 / 8192, 1, 0, 0, 1e-3, 0, 10, 1, 5,
                TrainingProgress.Eta.MAX_STEPS, 256);
        assertEquals("epoch 0.01 of 0.07", p.epochText());
        TrainingProgress long_ = new TrainingProgress(8192, 25 * 8192, 1, 1, 0, 0, 1e-3, 0, 10, 1, 5,
                TrainingProgress.Eta.MAX_STEPS, 256);
        assertEquals("epoch 1.00 of 25", long_.epochText());
    }
}
