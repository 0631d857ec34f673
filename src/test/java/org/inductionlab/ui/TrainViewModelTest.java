package org.inductionlab.ui;

import org.inductionlab.ui.runs.RunLibrary;
import org.inductionlab.ui.train.TrainViewModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.*;

/** The view model alone, without a window: validation comes from the engine's schema. */
class TrainViewModelTest {

    @BeforeAll
    static void toolkit() throws Exception {
        System.setProperty("inductionlab.home", Files.createTempDirectory("vm-test").toString());
        try {
            javafx.application.Platform.startup(() -> { });
        } catch (IllegalStateException alreadyStarted) {
            // another test class started it
        }
    }

    @Test
    void presetsFillEveryFieldAndValidate() {
        LabSettings settings = LabSettings.load();
        TrainViewModel vm = new TrainViewModel(new RunLibrary(settings), settings);
        vm.applyPreset("course");
        assertEquals("post", vm.field("norm").get());
        assertEquals("0.0002", vm.field("lr").get());
        assertTrue(vm.problems().isEmpty());
        assertTrue(vm.canStart().get());
        assertTrue(vm.estimate().get().startsWith("69,137 parameters"), vm.estimate().get());
    }

    @Test
    void everyBadFieldIsMarkedAndTheFirstBlocksStart() {
        LabSettings settings = LabSettings.load();
        TrainViewModel vm = new TrainViewModel(new RunLibrary(settings), settings);
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
}
