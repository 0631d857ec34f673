package org.inductionlab.engine.lab;

import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.config.DeviceChoice;
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.config.Problem;
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

    @Test
    void theSweepPolicyIsOnePlanForEveryFrontEnd() throws Exception {
        var hp = TestConfigs.tiny();
        LengthSweep.Plan own = SweepJob.plan(hp, false, 5, null, null, 0, 1);
        assertEquals(hp.layout(), own.layout(), "no layout: the run's own");
        assertEquals(SweepJob.defaultMaxExponent(hp, false), own.maxExponent(), "no longest: the device's default");
        assertEquals("anywhere", SweepJob.plan(hp, false, 5, 6, "anywhere", 8, 1).layout().toString());
        assertEquals("layout", assertThrows(InvalidConfigException.class,
                () -> SweepJob.plan(hp, false, 5, 6, "middle", 0, 1)).problems().get(0).key());
        Problem range = assertThrows(InvalidConfigException.class,
                () -> SweepJob.plan(hp, false, 9, 7, null, 0, 1)).problems().get(0);
        assertEquals(new Problem.Range(7, 9, SweepJob.MAX_EXPONENT, "min_exponent", null), range.range());
        assertEquals("max_exponent: 7 is out of range (allowed: 9..24, at least min_exponent)", range.toString());

        // the error bars: the Wilson interval's half-width where it is widest, as the plot draws it
        SweepPoint half = SweepPoint.of(1 << 10, "anywhere", 64, 32, 0);
        assertEquals(100 * (half.wilsonHigh() - half.wilsonLow()) / 2, SweepJob.errorBarPoints(64), 1e-9);
        assertTrue(SweepJob.errorBarPoints(512) < SweepJob.errorBarPoints(8));

        assertNull(SweepJob.ceilingAdvice(false, SweepJob.CPU_CEILING_EXPONENT));
        assertNull(SweepJob.ceilingAdvice(true, 20));
        assertTrue(SweepJob.ceilingAdvice(false, SweepJob.CPU_CEILING_EXPONENT + 1).contains("2^16"));

        // a study spec reads its defaults and bounds from the same policy
        var spec = org.inductionlab.engine.lab.study.StudySpec.parse(new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree("{\"preset\": \"tiny\", \"eval\": {\"min_exp\": 13}}"), "s", null);
        assertEquals(13, spec.evaluation().longestExponent(), "min_exp past the fixed default: min_exp");
        assertEquals(SweepJob.FIXED_DEFAULT_MAX_EXPONENT, org.inductionlab.engine.lab.study.StudySpec.Evaluation.DEFAULT
                .longestExponent());
        assertThrows(InvalidConfigException.class, () -> org.inductionlab.engine.lab.study.StudySpec.parse(
                new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"preset\": \"tiny\", \"eval\":"
                        + " {\"max_exp\": " + (SweepJob.MAX_EXPONENT + 1) + "}}"), "s", null));
    }
}
