package org.inductionlab.ui;

import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.engine.lab.study.Study;
import org.inductionlab.engine.lab.study.StudySpec;
import org.inductionlab.engine.lab.study.StudyTask;
import org.inductionlab.ui.runs.RunsViewModel;
import org.inductionlab.ui.sweep.SweepViewModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** A study opened in the window: its runs join the list and the Sweep page groups them (no FX thread). */
class StudyViewTest {

    @TempDir
    Path home;

    @Test
    void openingAStudyPlotsItsRunsGroupedBySettingWithMeanAndSpread() throws Exception {
        System.setProperty("inductionlab.home", home.resolve("home").toString());
        Path spec = home.resolve("spec.json");
        Files.writeString(spec, """
                {"preset": "tiny",
                 "set": {"train_length": 24, "d_model": 16, "heads": 2, "max_steps": 20, "device": "cpu",
                         "checkpoint_every": 10},
                 "grid": {"lr": [0.001, 0.003]}, "seeds": [0, 1],
                 "eval": {"min_exp": 5, "max_exp": 6, "sequences": 16}}""");
        Study study = Study.plan(StudySpec.load(spec.toString()), home.resolve("lrs"));
        for (int i = 0; i < 4; i++) {
            try (StudyTask t = StudyTask.claim(study, i, 0)) {
                t.run(null, new org.inductionlab.engine.eval.LengthSweep.Listener() {});
            }
        }
        LabContext ctx = new LabContext(LabSettings.load(), TaskExecutor.inline());
        SweepViewModel sweep = new SweepViewModel(ctx);
        RunsViewModel runs = new RunsViewModel(ctx);
        org.inductionlab.ui.train.StudyCurvesViewModel curves = new org.inductionlab.ui.train.StudyCurvesViewModel(ctx);
        runs.openStudy(study.path());
        // the Train page's study curves follow: a band per learning rate over its two seeds
        assertEquals(study.path(), curves.study().get());
        assertFalse(curves.error().get(), curves.message().get());
        assertEquals(List.of("lr=0.001", "lr=0.003"), curves.groups().get().stream()
                .map(org.inductionlab.engine.lab.study.StudyCurves.Group::name).toList());
        for (var g : curves.groups().get()) {
            assertEquals(List.of(0L, 1L), g.members().stream().map(m -> m.seed()).toList(), g.name());
            var acc = g.bands().get(org.inductionlab.engine.lab.study.StudyCurves.Series.RUNNING_ACCURACY);
            var last = acc.get(acc.size() - 1);
            assertEquals(20, last.step());
            assertEquals(2, last.runs());
            assertTrue(last.min() <= last.mean() && last.mean() <= last.max(), g.name() + ": " + last);
        }
        assertTrue(curves.message().get().startsWith("1: lr=0.001: 2 runs, phase change seed 0 "), curves.message().get());
        curves.open(home.resolve("spec.json"));
        assertTrue(curves.error().get(), "a file is not a study");
        assertTrue(curves.message().get().startsWith("Not a study folder: "), curves.message().get());
        assertEquals(2, curves.groups().get().size(), "what was shown stays");
        assertFalse(runs.error().get(), runs.message().get());
        assertTrue(runs.message().get().startsWith("Opened study spec: 4 runs (4 done, 0 running, 0 failed, 0 waiting)"),
                runs.message().get());
        assertTrue(ctx.runs().find("lrs/0_lr-0.001_seed-0").isPresent(), "the study's runs join the list, named"
                + " after the study: " + ctx.runs().runs());

        assertEquals(study.path(), sweep.study().get().path());
        assertEquals(List.of(SweepViewModel.EACH_RUN, "lr", "seed"), sweep.groupChoices());
        assertEquals("lr", sweep.groupBy().get(), "grouped by what varies besides the seed");
        assertEquals(4, sweep.selected().size());
        Map<String, List<SweepPoint>> points = sweep.points();
        assertEquals(List.of("lr=0.001 · fixed:5 (2 runs)", "lr=0.003 · fixed:5 (2 runs)"),
                points.keySet().stream().sorted().toList());
        for (String lr : new String[] {"0.001", "0.003"}) {
            List<SweepPoint> group = points.get("lr=" + lr + " · fixed:5 (2 runs)");
            assertEquals(2, group.size(), "2^5 and 2^6");
            for (SweepPoint g : group) {
                double[] acc = new double[2];
                int k = 0;
                for (int i = 0; i < 4; i++) {
                    if (study.runs().get(i).values().get("lr").equals(lr)) {
                        acc[k++] = RunFolder.open(study.runPath(i)).readSweep().stream()
                                .filter(p -> p.length() == g.length()).findFirst().orElseThrow().accuracy();
                    }
                }
                assertEquals((acc[0] + acc[1]) / 2, g.accuracy(), 1e-12, "the line is the mean over the seeds");
                assertEquals(Math.min(acc[0], acc[1]), g.wilsonLow(), 1e-12, "the bars run from the lowest run");
                assertEquals(Math.max(acc[0], acc[1]), g.wilsonHigh(), 1e-12, "to the highest");
            }
        }
        sweep.groupBy().set(SweepViewModel.EACH_RUN);
        assertEquals(4, sweep.points().size(), "a line per run: " + sweep.points().keySet());
        sweep.groupBy().set("seed");
        assertEquals(List.of("seed=0 · fixed:5 (2 runs)", "seed=1 · fixed:5 (2 runs)"),
                sweep.points().keySet().stream().sorted().toList());
        sweep.selected().remove(0);
        assertEquals(List.of("seed=0 · fixed:5 (1 runs)", "seed=1 · fixed:5 (2 runs)"),
                sweep.points().keySet().stream().sorted().toList(), "a group holds only the runs still selected");

        runs.openStudy(home.resolve("spec.json"));
        assertTrue(runs.error().get());
        assertTrue(runs.message().get().startsWith("Not a study folder: "), runs.message().get());
    }
}
