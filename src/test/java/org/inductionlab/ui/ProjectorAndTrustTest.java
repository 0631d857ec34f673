package org.inductionlab.ui;

import org.inductionlab.engine.lab.RunEntry;
import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.lab.TrainingJob;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.ui.runs.RunsViewModel;
import org.inductionlab.ui.sweep.SeriesColours;
import org.inductionlab.ui.sweep.SweepPage;
import org.inductionlab.ui.sweep.SweepViewModel;
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
 * Issue 21, what a student would misread or a teacher would trip on, checked on the view models (no window,
 * the inline executor, the real engine with a tiny model).
 */
class ProjectorAndTrustTest {

    @TempDir
    Path home;
    private LabContext ctx;

    @BeforeEach
    void setUp() {
        System.setProperty("inductionlab.home", home.toString());
        ctx = new LabContext(LabSettings.load(), TaskExecutor.inline());
    }

    private RunEntry trained(String name, String... overrides) throws Exception {
        TrainingJob.create(ctx.runs().directory().resolve(name), TestConfigs.tiny(overrides), "tiny", false).run(null);
        ctx.runs().refresh();
        return ctx.runs().find(name).orElseThrow();
    }

    /** Item 7: a run keeps its colour whatever else is ticked, and no run takes the paper's colours. */
    @Test
    void aSeriesKeepsItsColourWhileOthersAreTickedAndUnticked() {
        SeriesColours colours = new SeriesColours();
        Map<String, String> abc = colours.assign(List.of("a · fixed:5", "b · fixed:5", "c · anywhere"));
        assertEquals(3, Map.copyOf(abc).values().stream().distinct().count(), "three series, three colours");
        Map<String, String> ac = colours.assign(List.of("a · fixed:5", "c · anywhere"));
        assertEquals(abc.get("a · fixed:5"), ac.get("a · fixed:5"), "unticking b leaves a as it was");
        assertEquals(abc.get("c · anywhere"), ac.get("c · anywhere"), "and c");
        Map<String, String> acd = colours.assign(List.of("0 first by name", "a · fixed:5", "c · anywhere"));
        assertEquals(ac.get("a · fixed:5"), acd.get("a · fixed:5"), "a new series sorting first moves nobody");
        assertEquals(ac.get("c · anywhere"), acd.get("c · anywhere"));
        assertNotEquals(acd.get("a · fixed:5"), acd.get("0 first by name"));
        assertNotEquals(acd.get("c · anywhere"), acd.get("0 first by name"));
        Map<String, String> back = colours.assign(List.of("a · fixed:5", "b · fixed:5", "c · anywhere"));
        assertEquals(abc, back, "b comes back to its own colour, which nobody took");
        for (String paper : org.inductionlab.ui.sweep.ReferenceResults.table11().keySet()) {
            assertFalse(SeriesColours.PALETTE.contains(org.inductionlab.ui.sweep.ReferenceResults.colour(paper)),
                    "no run is drawn in " + paper + "'s colour");
        }
    }

    /** Item 14: the spinners take typing; the estimate names its run; the study note only with a study run ticked. */
    @Test
    void theSweepFormReadsTypedLengthsAndSaysWhichRunItsLinesAreFor() throws Exception {
        assertEquals(10, SweepPage.parseExponent("2^10"));
        assertEquals(10, SweepPage.parseExponent("2^10 = 1,024"));
        assertEquals(10, SweepPage.parseExponent("10"));
        assertEquals(10, SweepPage.parseExponent("1024"));
        assertEquals(10, SweepPage.parseExponent("1,024"));
        assertNull(SweepPage.parseExponent("1000"), "not a power of two");
        assertNull(SweepPage.parseExponent("long"));

        RunEntry first = trained("first", "max_steps=2");
        RunEntry second = trained("second", "max_steps=2");
        SweepViewModel vm = new SweepViewModel(ctx);
        vm.add(first);
        vm.add(second);
        vm.minExp().set(6);
        vm.maxExp().set(8);
        String text = vm.estimateText().get();
        assertTrue(text.contains("\nFor first (the first ticked run):\n2^8: ~"), text);
        assertTrue(text.contains("Default longest length for first here: 2^"), text);
        assertFalse(vm.studyPlotted().get(), "no study open: no study note, no Group by");
    }

    /** Item 16: a probe result stays only under the run it is for. */
    @Test
    void aProbeResultGoesWhenAnotherRunIsSelected() throws Exception {
        RunEntry probed = trained("probed", "max_steps=2");
        RunEntry other = trained("other", "max_steps=2");
        RunsViewModel runs = new RunsViewModel(ctx);
        runs.select(probed);
        runs.probe(probed);
        assertTrue(runs.probeText().get().startsWith("probed: "), runs.probeText().get());
        runs.select(probed); // reselected after a refresh: still its result
        assertFalse(runs.probeText().get().isEmpty());
        runs.select(other);
        assertEquals("", runs.probeText().get(), "another run selected: the old verdict goes");
        assertNull(runs.probeResult().get());
    }

    /** Item 17: fields the architecture does not read, and fields a resume may not change, are not editable. */
    @Test
    void theEditorOffersOnlyTheFieldsThatApply() {
        TrainViewModel vm = new TrainViewModel(ctx);
        vm.applyPreset("course");
        assertTrue(vm.editable("dropout").get());
        assertTrue(vm.editable("positional").get());
        assertFalse(vm.editable("d_state").get(), "a Transformer has no state size");
        vm.applyPreset("mamba-fast");
        assertEquals("mamba", vm.field("architecture").get());
        for (String key : List.of("dropout", "norm", "positional", "ff_mult", "max_positions")) {
            assertFalse(vm.editable(key).get(), "a Mamba does not read " + key);
        }
        assertTrue(vm.editable("d_state").get());
        assertTrue(vm.editable("lr").get());

        vm.applyPreset("course");
        vm.resumable().set(true); // a stopped run shown for Resume: its weights fix the task and the model
        for (String key : List.of("heads", "d_model", "train_length", "layout", "vocab")) {
            assertFalse(vm.editable(key).get(), key + " cannot change on resume");
        }
        for (String key : List.of("lr", "max_steps", "target", "batch_size")) {
            assertTrue(vm.editable(key).get(), key + " may change on resume");
        }
    }

    /** Polish: a run that reaches its target is a success, and says so. */
    @Test
    void reachingTheTargetIsCalledFinishedNotStopped() {
        TrainViewModel vm = new TrainViewModel(ctx);
        List<Notice> notices = new ArrayList<>();
        vm.setNotifier(notices::add);
        vm.applyPreset("tiny");
        TestConfigs.tiny("max_steps=40", "window=1", "target=0.01").toText().forEach((k, v) -> vm.field(k).set(v));
        vm.runName().set("quick");
        vm.start();
        assertEquals(1, notices.size(), notices.toString());
        assertEquals("Training finished: target reached", notices.get(0).title());
        assertTrue(notices.get(0).text().contains("reached the early-stop target"), notices.get(0).text());
        assertFalse(notices.get(0).error());
    }

    /** The shown run's sweep is drawn from its file: a helper for the window test. */
    static void writeSweep(Path run) throws Exception {
        RunFolder.open(run).mergeSweep(List.of(SweepPoint.of(32, "fixed:5", 64, 40, 0.1),
                SweepPoint.of(64, "fixed:5", 64, 20, 0.1)));
    }
}
