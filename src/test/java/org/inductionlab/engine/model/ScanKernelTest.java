package org.inductionlab.engine.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.platform.EngineRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.inductionlab.engine.model.MambaModelTest.assertClose;
import static org.inductionlab.engine.model.MambaModelTest.random;
import static org.junit.jupiter.api.Assertions.*;

/** The scan written out in Java, on a tape, against the recurrence in libtorch: values and every gradient. */
class ScanKernelTest {

    @BeforeAll
    static void engine() {
        EngineRuntime.start(0);
    }

    @ParameterizedTest
    @CsvSource({"23, false, false", "23, true, false", "23, false, true", "23, true, true", "1, false, true"})
    void theKernelGivesTheRecurrencesValuesAndGradients(int n, boolean fromState, boolean lastOnly) {
        SplittableRandom r = new SplittableRandom(11);
        try (NDManager m = NDManager.newBaseManager()) {
            int batch = 3;
            int e = 5;
            int s = 4;
            NDArray[] given = {random(m, r, -1, 1, batch, n, e), random(m, r, 0.001, 1.5, batch, n, e),
                random(m, r, -4, -0.1, e, s), random(m, r, -1, 1, batch, n, s), random(m, r, -1, 1, batch, n, s)};
            NDArray h0 = fromState ? random(m, r, -1, 1, batch, e, s) : null;
            NDArray weights = random(m, r, -1, 1, batch, lastOnly ? 1 : n, e); // every output weighed differently
            NDArray[] outs = new NDArray[2];
            NDArray[][] grads = new NDArray[2][];
            for (int path = 0; path < 2; path++) {
                NDArray[] leaves = new NDArray[given.length];
                NDArray[] inputs = new NDArray[given.length]; // one op before the scan: a segment to go back into
                for (int i = 0; i < given.length; i++) {
                    leaves[i] = given[i].duplicate();
                    leaves[i].setRequiresGradient(true);
                }
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    for (int i = 0; i < given.length; i++) {
                        inputs[i] = leaves[i].mul(leaves[i]).add(leaves[i]).sub(leaves[i].mul(leaves[i]));
                    }
                    NDArray y;
                    Tape tape = new Tape();
                    if (path == 0) {
                        y = MambaModel.sequentialScan(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], h0);
                        if (lastOnly) {
                            y = y.get(new NDIndex(":, -1:, :"));
                        }
                    } else {
                        ScanKernel kernel = new ScanKernel(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], h0,
                                lastOnly);
                        NDList next = tape.cross(kernel, kernel.output(m));
                        y = next.get(0);
                        assertFalse(tape.isEmpty());
                    }
                    tape.backward(gc, y.mul(weights).sum());
                    outs[path] = y.duplicate();
                }
                grads[path] = new NDArray[given.length];
                for (int i = 0; i < given.length; i++) {
                    grads[path][i] = leaves[i].getGradient().duplicate();
                }
            }
            assertClose(outs[0], outs[1], 1e-5, "y");
            String[] names = {"u", "delta", "A", "B", "C"};
            for (int i = 0; i < given.length; i++) {
                assertClose(grads[0][i], grads[1][i], 1e-4, "d loss / d " + names[i]);
                if (n > 1 || fromState || i != 2) { // one step from zeros does not depend on A
                    assertTrue(grads[1][i].abs().sum().getFloat() > 0, "no gradient reached " + names[i]);
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"37, false", "37, true", "1, true"})
    void evaluationGivesTheChunkedScansOutputsAndLastState(int n, boolean fromState) {
        SplittableRandom r = new SplittableRandom(12);
        try (NDManager m = NDManager.newBaseManager()) {
            int batch = 3;
            NDArray u = random(m, r, -1, 1, batch, n, 6);
            NDArray delta = random(m, r, 0.001, 1.5, batch, n, 6); // Δ|A| up to 6: under the chunked scan's floor
            NDArray a = random(m, r, -4, -0.1, 6, 16);
            NDArray b = random(m, r, -1, 1, batch, n, 16);
            NDArray c = random(m, r, -1, 1, batch, n, 16);
            NDArray h0 = fromState ? random(m, r, -1, 1, batch, 6, 16) : null;
            NDList want = SelectiveScan.scan(u, delta, a, b, c, h0);
            NDList got = ScanKernel.evaluate(u, delta, a, b, c, h0);
            assertClose(want.get(0), got.get(0), 1e-5, "y");
            assertClose(want.get(1), got.get(1), 1e-5, "the last state");
            assertEquals(new Shape(batch, 6, 16), got.get(1).getShape());
        }
    }

    @Test
    void itsExpIsMathExpToTwoUlps() {
        float[] x = new float[2_000_003];
        for (int i = 0; i < x.length; i++) {
            x[i] = -87f * i / 2_000_000f; // the last three below -87.3: zero
        }
        float[] lanes = new float[x.length];
        ScanKernel.exp(x, lanes); // the vector form, and the scalar one for the tail
        double worst = 0;
        double worstLanes = 0;
        for (int i = 0; i <= 2_000_000; i++) {
            double want = Math.exp(x[i]);
            worst = Math.max(worst, Math.abs(ScanKernel.exp(x[i]) - want) / want);
            worstLanes = Math.max(worstLanes, Math.abs(lanes[i] - want) / want);
        }
        assertTrue(worst < 2.5e-7, "largest relative error " + worst);
        assertTrue(worstLanes < 2.5e-7, "largest relative error in lanes " + worstLanes);
        assertEquals(1f, ScanKernel.exp(0f));
        assertEquals(0f, ScanKernel.exp(-100f));
        float[] low = {-87.31f, -88f, -100f, -1e6f, -87.31f, -88f, -100f, -1e6f, -87.31f, -88f, -100f, -1e6f, -90f, -95f, -99f, -200f};
        float[] zero = new float[low.length];
        ScanKernel.exp(low, zero);
        assertArrayEquals(new float[low.length], zero, "below -87.3: 0 in every lane");
        assertTrue(VectorLanes.available(), "the tests' JVM has the vector API (the pom adds it)");
    }

    @Test
    void trainingOnTheTapeGivesTheLibtorchPassesLogitsAndGradients() {
        Hyperparameters hp = MambaModelTest.tinyMamba().with("layers", "3");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray tokens = TapeChecks.randomTokens(m, hp, new SplittableRandom(8), 4, 37);
            TapeChecks.tapeGivesTheLibtorchPass(hp, m, tokens, true);
        }
    }
}
