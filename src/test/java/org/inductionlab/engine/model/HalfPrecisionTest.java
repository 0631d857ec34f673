package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.config.DeviceChoice;
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.lab.SweepJob;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.engine.task.TriggerLayout;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Half precision evaluation (issue 11) on the CPU: the pass really computes in fp16, its logits stay near
 * fp32's, and a sweep asked for fp16 checks it against fp32 on a trained model before using it.
 */
class HalfPrecisionTest {

    @TempDir
    Path tmp;

    /** Whether this machine's libtorch multiplies fp16 matrices; where it cannot, the fp16 tests skip, saying so. */
    private static void assumeHalfMatmul() {
        String why = null;
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            NDArray a = m.ones(new Shape(4, 4)).toType(DataType.FLOAT16, false);
            a.matMul(a).softmax(-1).toType(DataType.FLOAT32, false).toFloatArray();
        } catch (RuntimeException e) {
            why = "this CPU's libtorch has no fp16 matrix product (" + e.getMessage() + "): fp16 checks skipped";
        }
        Assumptions.assumeTrue(why == null, why);
    }

    @Test
    void everyPositionalKindComputesInFp16AndStaysNearFp32() {
        assumeHalfMatmul();
        for (String positional : new String[] {"sinusoidal", "learned", "rotary", "none"}) {
            for (String norm : new String[] {"pre", "post"}) {
                var hp = TestConfigs.tiny("positional=" + positional, "norm=" + norm, "max_positions=64");
                try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu());
                     SequenceModel model = SequenceModel.create(hp, m)) {
                    assertTrue(model.computesIn(Precision.FP16));
                    long[] ids = new SplittableRandom(3).longs(4L * 40, 0, hp.tokenCount()).toArray();
                    NDArray tokens = m.create(ids, new Shape(4, 40));
                    // tiles of 40 scores and 4 causal blocks: the mask, tiling and blocks all run in fp16
                    ForwardPass pass = new ForwardPass(false, true, 40, 4, null);
                    float[] exact = model.forward(tokens, pass).toFloatArray();
                    NDArray halfLogits = model.forward(tokens, pass.withPrecision(Precision.FP16));
                    assertEquals(DataType.FLOAT32, halfLogits.getDataType(), "logits come back in fp32");
                    float[] half = halfLogits.toFloatArray();
                    double worst = 0;
                    double scale = 0;
                    boolean differs = false;
                    for (int i = 0; i < exact.length; i++) {
                        worst = Math.max(worst, Math.abs(exact[i] - half[i]));
                        scale = Math.max(scale, Math.abs(exact[i]));
                        differs |= exact[i] != half[i];
                    }
                    String what = positional + "/" + norm;
                    assertTrue(worst <= 0.02 * Math.max(1, scale), what + ": fp16 logits off by " + worst);
                    assertTrue(differs, what + ": fp16 logits identical to fp32: the pass did not compute in fp16");

                    // the attention itself runs in fp16: the recorder sees fp16 weights in every layer
                    List<DataType> seen = new ArrayList<>();
                    model.forward(tokens, ForwardPass.recording((layer, w, s, q) -> seen.add(w.getDataType()))
                            .withPrecision(Precision.FP16));
                    assertEquals(hp.layers(), seen.size(), what);
                    seen.forEach(t -> assertEquals(DataType.FLOAT16, t, what + ": attention weights"));

                    // ablation's mask joins in fp16 too
                    boolean[][] ablated = {{true, false}, {false, false}};
                    float[] abl32 = model.forward(tokens, pass.withAblated(ablated)).toFloatArray();
                    float[] abl16 = model.forward(tokens, pass.withAblated(ablated).withPrecision(Precision.FP16))
                            .toFloatArray();
                    for (int i = 0; i < abl32.length; i++) {
                        assertEquals(abl32[i], abl16[i], 0.02 * Math.max(1, scale), what + ": ablated");
                    }
                }
            }
        }
    }

    @Test
    void trainingRefusesHalfPrecision() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ForwardPass.training(ExecutionPlan.CPU).withPrecision(Precision.FP16));
        assertTrue(e.getMessage().startsWith("precision: "), e.getMessage());
        var bad = assertThrows(org.inductionlab.engine.config.InvalidConfigException.class,
                () -> Precision.parse("precision", "bf16"));
        assertEquals("precision: 'bf16' is not a precision (allowed: fp32, fp16)", bad.getMessage());
        assertEquals(Precision.FP16, Precision.parse("precision", "FP16"));
    }

    @Test
    void aSweepInFp16ChecksItAgainstFp32OnTheTrainedDemoFirst() throws Exception {
        assumeHalfMatmul();
        Path run = copyDemo("demo-induction-256");
        List<LengthSweep.PrecisionCheck> checks = new ArrayList<>();
        List<SweepPoint> points = sweepInFp16(run, new LengthSweep.Plan(6, 8, TriggerLayout.parse("anywhere"), 16, 1),
                checks);
        assertEquals(1, checks.size());
        var c = checks.get(0);
        assertEquals(256, c.length(), "checked at the plan's longest length below 2^12");
        assertEquals(LengthSweep.CHECK_SEQUENCES, c.sequences());
        assertTrue(c.correctFp32() >= 0.9 * c.sequences(), "the demo answers: " + c.describe());
        // fused fp16 agreed on all 256 here; the lab's own fp16 path (scores rounded to fp16) on 252-253,
        // which the rule refuses: either way only a few answers may change
        assertTrue(c.same() >= 0.95 * c.sequences(), c.describe());
        Precision expected = LengthSweep.PrecisionCheck.passes(c.same(), c.sequences()) ? Precision.FP16
                : Precision.FP32;
        assertEquals(expected, c.used(), c.describe());
        assertTrue(c.describe().endsWith("sweeping in " + expected), c.describe());
        assertEquals(3, points.size());
        points.forEach(p -> assertEquals(expected.label(), p.precision()));
        // sweep.csv says how each point was computed, and reads back
        var saved = RunFolder.open(run).readSweep();
        assertEquals(3, saved.stream().filter(p -> p.layout().equals("anywhere") && p.length() <= 256
                && p.precision().equals(checks.get(0).used().label())).count(), saved.toString());
        assertTrue(Files.readString(run.resolve(RunFolder.SWEEP)).startsWith(SweepPoint.CSV_HEADER + "\n"));
    }

    @Test
    void aModelThatComputesInFp32OnlySweepsInFp32AndSaysSo() throws Exception {
        List<LengthSweep.PrecisionCheck> checks = new ArrayList<>();
        List<SweepPoint> points = sweepInFp16(copyDemo("demo-mamba"),
                new LengthSweep.Plan(5, 5, TriggerLayout.parse("anywhere"), 8, 1), checks);
        assertEquals(Precision.FP32, checks.get(0).used());
        assertEquals("mamba computes in fp32 only; sweeping in fp32", checks.get(0).describe());
        assertEquals("fp32", points.get(0).precision());
    }

    /** Sweeps {@code run} asking for fp16; the precision checks the sweep reports go to {@code checks}. */
    private static List<SweepPoint> sweepInFp16(Path run, LengthSweep.Plan plan, List<LengthSweep.PrecisionCheck> checks) {
        try (LoadedRun r = LoadedRun.open(run, DeviceChoice.CPU)) {
            return SweepJob.run(r, plan, Precision.FP16, new LengthSweep.Listener() {
                @Override
                public void onPrecision(LengthSweep.PrecisionCheck check) {
                    checks.add(check);
                }
            }, () -> false);
        }
    }

    @Test
    void theAgreementRuleIsNinetyNinePercent() {
        assertTrue(LengthSweep.PrecisionCheck.passes(254, 256));
        assertFalse(LengthSweep.PrecisionCheck.passes(253, 256));
        assertFalse(LengthSweep.PrecisionCheck.passes(0, 0));
        // an old 8-column sweep.csv row reads as fp32
        assertEquals("fp32", SweepPoint.parseCsv("64,fixed:5,8,8,1.0,0.6,1.0,0.5").precision());
        assertEquals("fp16", SweepPoint.parseCsv(SweepPoint.of(64, "anywhere", 8, 4, 0.5, "fp16").toCsv()).precision());
    }

    private Path copyDemo(String name) throws Exception {
        Path from = Path.of("resources/demo-runs", name);
        Path to = tmp.resolve(name);
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }
}
