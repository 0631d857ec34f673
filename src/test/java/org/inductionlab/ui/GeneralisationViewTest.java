package org.inductionlab.ui;

import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.run.GeneralisationRow;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.ui.event.RunEvents;
import org.inductionlab.ui.train.GeneralisationCurves;
import org.inductionlab.ui.train.TrainViewModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Train page's generalisation chart and distance heatmap, and interventions from the window: the view
 * model alone (no window, no FX thread), on the real engine with a tiny model.
 */
class GeneralisationViewTest {

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

    @Test
    void aClampedAndKnockedOutRunTrainsFromTheWindowWithItsGeneralisationRecorded() throws Exception {
        vm.applyPreset("tiny");
        TestConfigs.tiny("max_steps=20", "generalisation_every=10", "generalisation_budget=0").toText().forEach((k, v) -> vm.field(k).set(v));
        vm.field("interventions").set("clamp:L1H5:previous");
        assertEquals("interventions: head L1H5 does not exist (allowed: L0..L1, H0..H1)",
                "interventions: " + vm.problems().get("interventions"));
        assertFalse(vm.canStart().get());
        vm.field("interventions").set("clamp:L0H0:previous:0-10, knockout:L1H1");
        assertTrue(vm.problems().isEmpty(), vm.problems().toString());
        vm.runName().set("clamped");
        vm.start();
        assertEquals(TrainViewModel.State.IDLE, vm.state().get());
        Path dir = home.resolve("runs").resolve("clamped");
        assertEquals("clamp:L0H0:previous:0-10,knockout:L1H1",
                RunFolder.open(dir).hyperparameters().toText().get("interventions"), "recorded in config.json");
        List<GeneralisationRow> live = List.copyOf(vm.curves().generalisation());
        assertEquals(List.of(10L, 20L), live.stream().map(GeneralisationRow::step).distinct().toList(),
                "heard while training");
        assertEquals(RunFolder.open(dir).readGeneralisation(), live, "what the file holds");

        vm.curves().generalisation().clear();
        ctx.events().publish(new RunEvents.ShowInTrain(ctx.runs().find("clamped").orElseThrow()));
        assertEquals(live, vm.curves().generalisation(), "read back when the run is shown");
        assertEquals("clamp:L0H0:previous:0-10,knockout:L1H1", vm.field("interventions").get());
    }

    @Test
    void aLinePerLengthAndAStepByDistanceGrid() {
        List<GeneralisationRow> rows = List.of(
                new GeneralisationRow(100, 64, 2, 3, 4, 1), new GeneralisationRow(100, 64, 32, 63, 4, 3),
                new GeneralisationRow(100, 128, 2, 3, 2, 2), new GeneralisationRow(100, 128, 64, 127, 6, 0),
                new GeneralisationRow(200, 64, 2, 3, 4, 4), new GeneralisationRow(200, 64, 32, 63, 4, 4),
                new GeneralisationRow(200, 128, 2, 3, 2, 2), new GeneralisationRow(200, 128, 64, 127, 6, 3));
        var lines = GeneralisationCurves.lines(rows);
        assertEquals(List.of(64, 128), List.copyOf(lines.keySet()));
        assertArrayEquals(new double[] {100, 50}, lines.get(64).get(0), 1e-9);
        assertArrayEquals(new double[] {200, 100}, lines.get(64).get(1), 1e-9);
        assertArrayEquals(new double[] {100, 25}, lines.get(128).get(0), 1e-9);

        GeneralisationCurves.Grid g = GeneralisationCurves.grid(rows);
        assertArrayEquals(new long[] {100, 200}, g.steps());
        assertArrayEquals(new int[] {2, 32, 64}, g.distanceMin());
        assertArrayEquals(new int[] {3, 63, 127}, g.distanceMax());
        assertEquals(3.0 / 6, g.accuracy()[0][0], 1e-9, "both lengths' sequences of a distance together");
        assertEquals(1.0, g.accuracy()[0][1], 1e-9);
        assertEquals(0.5, g.accuracy()[2][1], 1e-9);
        assertEquals(0, g.column(150));
        assertEquals(-1, g.column(50));
        assertTrue(GeneralisationCurves.grid(List.of()).isEmpty());
        assertEquals("L=512 (16×)", GeneralisationCurves.lineName(512, 32));
    }
}
