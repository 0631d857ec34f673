package org.inductionlab.ui;

import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.lab.TrainingJob;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunStatus;
import org.inductionlab.engine.train.TrainingProgress;
import org.inductionlab.ui.event.RunEvents;
import org.inductionlab.ui.train.TrainViewModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Train view model alone: no window and no FX thread (the inline executor runs background work,
 * training and UI updates on the test's thread, in order), on the real engine with a tiny model.
 */
class TrainViewModelTest {

    @TempDir
    Path home;
    private LabContext ctx;
    private TrainViewModel vm;
    private final List<Notice> notices = new ArrayList<>();

    @BeforeEach
    void setUp() {
        System.setProperty("inductionlab.home", home.toString());
        ctx = new LabContext(LabSettings.load(), TaskExecutor.inline());
        vm = new TrainViewModel(ctx);
        vm.setNotifier(notices::add);
    }

    private void fillTiny(String... overrides) {
        vm.applyPreset("tiny");
        TestConfigs.tiny(overrides).toText().forEach((k, v) -> vm.field(k).set(v));
    }

    @Test
    void presetsFillEveryFieldAndValidate() {
        vm.applyPreset("course");
        assertEquals("post", vm.field("norm").get());
        assertEquals("0.0002", vm.field("lr").get());
        assertEquals("transformer", vm.field("architecture").get());
        assertTrue(vm.problems().isEmpty());
        assertTrue(vm.canStart().get());
        assertTrue(vm.estimate().get().startsWith("69,137 parameters"), vm.estimate().get());
    }

    @Test
    void everyBadFieldIsMarkedAndTheFirstBlocksStart() {
        vm.applyPreset("fast");
        vm.field("lr").set("0");
        vm.field("vocab").set("1");
        assertEquals(2, vm.problems().size());
        assertTrue(vm.problems().get("lr").contains("out of range"));
        assertFalse(vm.canStart().get());
        assertTrue(vm.startBlocker().get().startsWith("vocab: ") || vm.startBlocker().get().startsWith("lr: "));
        vm.field("lr").set("1e-3");
        vm.field("vocab").set("16");
        assertTrue(vm.problems().isEmpty());
        assertTrue(vm.canStart().get());
        vm.runName().set("no spaces allowed");
        assertFalse(vm.canStart().get());
        assertTrue(vm.startBlocker().get().startsWith("run name: "));
    }

    @Test
    void theEtaSaysWhatItCountsToAndDuringACurriculumOnlyWhatCanBeEstimated() {
        // the curriculum test's recipe: 8 -> 16 -> 32 in a few hundred steps of a tiny model
        fillTiny("layout=fixed:2", "train_length=32", "curriculum_start=8", "curriculum_advance=0.3", "target=0.3",
                "window=10", "batch_size=32", "max_steps=400", "checkpoint_every=1000", "log_every=1");
        vm.runName().set("curriculum");
        List<String[]> seen = new ArrayList<>(); // {stage text, ETA text} at every step the page heard
        vm.progress().addListener((o, a, p) -> seen.add(new String[] {vm.stageText().get(), vm.etaText().get()}));
        vm.start();
        assertEquals(TrainViewModel.State.IDLE, vm.state().get(), vm.status().get());
        assertFalse(seen.isEmpty());
        java.util.Set<String> stages = new java.util.LinkedHashSet<>();
        for (String[] s : seen) {
            String stage = s[0].substring(s[0].indexOf(" · ") + 3);
            stages.add(stage);
            if (!stage.equals("stage 3 of 3 (L=32)")) {
                assertFalse(s[1].contains("max_steps") || s[1].contains("early stop"),
                        "before the last stage neither can be estimated: " + String.join(" | ", s));
                assertTrue(s[1].matches("\\d+:\\d\\d to stage [23] of 3 at current pace")
                        || s[1].equals("– (ETA: none before the last stage)"), String.join(" | ", s));
            } else {
                assertTrue(s[1].matches("\\d+:\\d\\d to (max_steps|the early stop at current pace)"),
                        "at the last stage it says which: " + s[1]);
            }
        }
        assertEquals(List.of("stage 1 of 3 (L=8)", "stage 2 of 3 (L=16)", "stage 3 of 3 (L=32)"), List.copyOf(stages));
        // a shorter stage whose accuracy rises towards the next: that ETA, and which stage it is to
        vm.progress().set(new TrainingProgress(300, 20000, 300.0 / 8192, 1.2, 0.6, 0.7, 1e-3, 5000, 30, 9, 42,
                TrainingProgress.Eta.NEXT_STAGE, 64, 1, 4));
        assertEquals("epoch 0.04 of 2.44 · stage 2 of 4 (L=64)", vm.stageText().get());
        assertEquals("0:42 to stage 3 of 4 at current pace", vm.etaText().get());
        // past an hour in hours: "20:50:46" beside the elapsed clock reads as a time of day
        vm.progress().set(new TrainingProgress(26, 100000, 0.0, 2.8, 0.05, 0.05, 1e-3, 1322, 751, 16, 75046,
                TrainingProgress.Eta.MAX_STEPS, 32));
        assertEquals("20.8 h to max_steps", vm.etaText().get());

        fillTiny("max_steps=20"); // no curriculum: the length, and an ETA that says which
        vm.runName().set("plain");
        seen.clear();
        vm.start();
        assertTrue(seen.stream().allMatch(s -> s[0].endsWith(" · L=24") && s[1].matches("\\d+:\\d\\d to (max_steps|the"
                + " early stop at current pace)")), () -> String.join(" | ", seen.get(seen.size() - 1)));
    }

    @Test
    void startTrainsARunFolderAndReportsTheEnd() {
        fillTiny("max_steps=12");
        vm.runName().set("vm-run");
        vm.start();
        assertEquals(TrainViewModel.State.IDLE, vm.state().get());
        assertFalse(vm.isTraining());
        RunFolder folder = RunFolder.open(home.resolve("runs").resolve("vm-run"));
        assertEquals(RunStatus.FINISHED, folder.info().training().runStatus());
        assertEquals(12, folder.info().training().steps());
        assertEquals(12, vm.progress().get().step(), "the last step reached the view");
        assertEquals("Training finished", notices.get(notices.size() - 1).title());
        assertFalse(vm.curves().accuracy().points().isEmpty());
        assertNotEquals("vm-run", vm.runName().get(), "a fresh name is proposed for the next run");
        assertTrue(ctx.runs().find("vm-run").isPresent(), "the run list was refreshed");
    }

    @Test
    void aForbiddenChangeOnResumeGetsTheSameAnswerAsTheCommandLine() throws Exception {
        fillTiny("max_steps=6");
        vm.runName().set("to-resume");
        vm.start();
        Path dir = home.resolve("runs").resolve("to-resume");
        // stop it "by hand": mark it stopped with more steps allowed, then show it on the Train page
        var info = RunFolder.open(dir).info();
        RunFolder.open(dir).writeInfo(info.withTraining(new org.inductionlab.engine.run.RunInfo.Training(
                RunStatus.STOPPED.word(), 6, 0, 0.1, 2.0, 1, null, null)).withHyperparameters(
                TestConfigs.tiny("max_steps=12").toText()));
        ctx.runs().refresh();
        ctx.events().publish(new RunEvents.ShowInTrain(ctx.runs().find("to-resume").orElseThrow()));
        assertTrue(vm.resumable().get());
        String configBefore = java.nio.file.Files.readString(dir.resolve(RunFolder.CONFIG));

        vm.field("d_model").set("32");
        vm.start();
        String cli = assertThrows(IllegalArgumentException.class,
                () -> TrainingJob.resume(dir, Map.of("d_model", "32"))).getMessage();
        Notice last = notices.get(notices.size() - 1);
        assertTrue(last.error());
        assertEquals(cli, last.text(), "the window and the command line say the same");
        assertTrue(cli.startsWith("d_model: cannot change when resuming"), cli);
        assertEquals(configBefore, java.nio.file.Files.readString(dir.resolve(RunFolder.CONFIG)), "nothing written");

        vm.field("d_model").set("16");
        vm.field("lr").set("0.001");
        vm.start();
        RunFolder resumed = RunFolder.open(dir);
        assertEquals(12, resumed.info().training().steps(), "resumed to the new max_steps");
        assertEquals(0.001, resumed.hyperparameters().lr(), 1e-12, "the allowed change was kept");
    }

    @Test
    void thePhaseChangeMarkedLiveIsTheOneReadBackFromTheRun() {
        fillTiny("max_steps=2500", "target=0.9", "batch_size=32", "window=30");
        vm.runName().set("phase");
        vm.start();
        long live = vm.curves().phaseChangeStep().get();
        assertTrue(live > 0, "the jump to the answer is marked while training");
        ctx.events().publish(new RunEvents.ShowInTrain(ctx.runs().find("phase").orElseThrow()));
        long fromCsv = vm.curves().phaseChangeStep().get();
        assertTrue(fromCsv >= live && fromCsv - live < 5, "metrics.csv logs every 5 steps: " + fromCsv + " vs " + live);
    }
}
