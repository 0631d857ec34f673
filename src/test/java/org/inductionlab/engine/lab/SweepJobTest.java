package org.inductionlab.engine.lab;

import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.config.DeviceChoice;
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.SweepPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/** Sweeps through the use-case layer: each point is saved as it is measured. */
class SweepJobTest {

    @TempDir
    Path tmp;

    @Test
    void eachPointIsInSweepCsvAsSoonAsItIsMeasuredEvenWhenCancelled() throws Exception {
        Path dir = tmp.resolve("run");
        TrainingJob.create(dir, TestConfigs.tiny("max_steps=5"), "test", false).run(null);
        AtomicBoolean cancel = new AtomicBoolean();
        int[] savedWhenHeard = new int[1];
        try (LoadedRun run = LoadedRun.open(dir, DeviceChoice.CPU)) {
            assertThrows(CancellationException.class, () -> SweepJob.run(run,
                    new LengthSweep.Plan(4, 6, run.hyperparameters().layout(), 8, 1), new LengthSweep.Listener() {
                        @Override
                        public void onPoint(SweepPoint p) {
                            try {
                                savedWhenHeard[0] = RunFolder.open(dir).readSweep().size();
                            } catch (java.io.IOException e) {
                                throw new AssertionError(e);
                            }
                            cancel.set(true); // stop after the first length
                        }
                    }, cancel::get));
        }
        assertEquals(1, savedWhenHeard[0], "saved before the listener heard of it");
        var kept = RunFolder.open(dir).readSweep();
        assertEquals(1, kept.size(), "the finished length is kept after the cancel");
        assertEquals(16, kept.get(0).length());
    }

    @Test
    void theDefaultLongestLengthFollowsTheDevice() {
        var hp = TestConfigs.tiny();
        int cpu = SweepJob.defaultMaxExponent(hp, false);
        int gpu = SweepJob.defaultMaxExponent(hp, true);
        assertTrue(cpu >= SweepJob.DEFAULT_MIN_EXPONENT && cpu <= 16, "cpu " + cpu);
        assertTrue(gpu >= cpu && gpu <= 20, "gpu " + gpu);
        assertFalse(SweepJob.onGpu(DeviceChoice.CPU, 1));
        assertTrue(SweepJob.onGpu(DeviceChoice.AUTO, 1));
        assertFalse(SweepJob.onGpu(DeviceChoice.AUTO, 0));
    }
}
