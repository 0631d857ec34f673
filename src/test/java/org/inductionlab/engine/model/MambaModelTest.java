package org.inductionlab.engine.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.platform.EngineRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** Mamba's scan against the recurrence written one step at a time, and the model's evaluation path. */
class MambaModelTest {

    @BeforeAll
    static void engine() {
        EngineRuntime.start(0);
    }

    static NDArray random(NDManager m, SplittableRandom r, double lo, double hi, long... shape) {
        float[] v = new float[(int) new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return m.create(v, new Shape(shape));
    }

    static void assertClose(NDArray want, NDArray got, double tol, String what) {
        float[] a = want.toFloatArray();
        float[] b = got.toFloatArray();
        assertEquals(a.length, b.length, what);
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], tol * Math.max(1, Math.abs(a[i])), what + " at " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2 * SelectiveScan.CHUNK + 7, 10, 1}) // whole chunks and a ragged end; one chunk; one step
    void theChunkedScanEqualsTheSequentialRecurrenceInValuesAndGradients(int n) {
        SplittableRandom r = new SplittableRandom(3);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray u = random(m, r, -1, 1, 2, n, 6);
            NDArray delta = random(m, r, 0.001, 1.5, 2, n, 6); // up to Δ|A| = 6: strong forgetting included
            NDArray a = random(m, r, -4, -0.1, 6, 4);
            NDArray b = random(m, r, -1, 1, 2, n, 4);
            NDArray c = random(m, r, -1, 1, 2, n, 4);
            NDArray[] given = {u, delta, a, b, c};
            NDArray[][] grads = new NDArray[2][];
            NDArray[] outs = new NDArray[2];
            NDArray weights = random(m, r, -1, 1, 2, n, 6); // a loss that weighs every output differently
            for (int pass = 0; pass < 2; pass++) {
                NDArray[] inputs = new NDArray[given.length]; // fresh leaves: gradients would accumulate
                for (int i = 0; i < given.length; i++) {
                    inputs[i] = given[i].duplicate();
                    inputs[i].setRequiresGradient(true);
                }
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = pass == 0
                            ? MambaModel.sequentialScan(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4])
                            : SelectiveScan.scan(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], null).get(0);
                    gc.backward(y.mul(weights).sum());
                    outs[pass] = y.duplicate();
                }
                grads[pass] = new NDArray[given.length];
                for (int i = 0; i < inputs.length; i++) {
                    grads[pass][i] = inputs[i].getGradient().duplicate();
                }
            }
            assertClose(outs[0], outs[1], 1e-4, "y");
            String[] names = {"u", "delta", "A", "B", "C"};
            for (int i = 0; i < given.length; i++) {
                assertClose(grads[0][i], grads[1][i], 1e-4, "d loss / d " + names[i]);
                // a piece that lost its gradient history would give zeros on both sides (one step from the
                // zero state does not depend on A)
                if (n > 1 || i != 2) {
                    assertTrue(grads[1][i].abs().sum().getFloat() > 0, "n=" + n + ": no gradient reached " + names[i]);
                }
            }
        }
    }

    @Test
    void theScanIsCausalAndCarryingTheStateSplitsItAnywhere() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 50;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray u = random(m, r, -1, 1, 1, n, 3);
            NDArray delta = random(m, r, 0.01, 0.5, 1, n, 3);
            NDArray a = random(m, r, -2, -0.5, 3, 2);
            NDArray b = random(m, r, -1, 1, 1, n, 2);
            NDArray c = random(m, r, -1, 1, 1, n, 2);
            NDArray whole = SelectiveScan.scan(u, delta, a, b, c, null).get(0);
            // change the inputs from step 30 on: steps 0..29 must not move
            NDArray u2 = u.duplicate();
            u2.set(new NDIndex(":, 30:, :"), 5f);
            NDArray changed = SelectiveScan.scan(u2, delta, a, b, c, null).get(0);
            assertClose(whole.get(":, 0:30, :"), changed.get(":, 0:30, :"), 1e-6, "before the change");
            assertNotEquals(whole.get(":, 30, 0").getFloat(), changed.get(":, 30, 0").getFloat());
            // two calls with the state carried from the first to the second = one call
            NDList first = SelectiveScan.scan(u.get(":, 0:21, :"), delta.get(":, 0:21, :"), a, b.get(":, 0:21, :"),
                    c.get(":, 0:21, :"), null);
            NDArray second = SelectiveScan.scan(u.get(":, 21:, :"), delta.get(":, 21:, :"), a, b.get(":, 21:, :"),
                    c.get(":, 21:, :"), first.get(1)).get(0);
            assertClose(whole, first.get(0).concat(second, 1), 1e-5, "split at 21");
        }
    }

    @Test
    void theHiddenAttentionRowsReproduceTheScanPerChannel() {
        SplittableRandom r = new SplittableRandom(11);
        int n = 45;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray u = random(m, r, -1, 1, 2, n, 5);
            NDArray delta = random(m, r, 0.01, 1.0, 2, n, 5);
            NDArray a = random(m, r, -3, -0.2, 5, 3);
            NDArray b = random(m, r, -1, 1, 2, n, 3);
            NDArray c = random(m, r, -1, 1, 2, n, 3);
            NDArray y = SelectiveScan.scan(u, delta, a, b, c, null).get(0);                // (2, n, 5)
            NDArray alpha = MambaHiddenAttention.hiddenAttention(delta, a, b, c, 0, 5);             // (2, 5, n, n)
            NDArray viaAlpha = alpha.matMul(u.transpose(0, 2, 1).expandDims(3)).squeeze(3).transpose(0, 2, 1);
            assertClose(y, viaAlpha, 1e-4, "y_i = sum_j alpha[i, j] u_j");
            assertEquals(0f, Math.abs(alpha.get("1, 2, 3, 10").getFloat()), "nothing above the diagonal");
            NDArray some = MambaHiddenAttention.hiddenAttention(delta, a, b, c, 2, 4);
            assertClose(alpha.get(":, 2:4, :, :"), some, 1e-6, "a range of channels");
        }
    }

    static Hyperparameters tinyMamba(String... more) {
        String[] o = new String[more.length + 3];
        o[0] = "architecture=mamba";
        o[1] = "d_model=16";
        o[2] = "d_state=4";
        System.arraycopy(more, 0, o, 3, more.length);
        return TestConfigs.tiny(o);
    }

    /** Every parameter's gradient in {@code got} as in {@code want}, to 1e-4 of its largest; none all zero. */
    static void assertSameGradients(java.util.Map<String, float[]> want, java.util.Map<String, float[]> got) {
        assertEquals(want.keySet(), got.keySet());
        for (String name : want.keySet()) {
            float[] w = want.get(name);
            float[] g = got.get(name);
            double scale = 0;
            for (float v : w) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertTrue(scale > 0, "no gradient reached " + name);
            for (int i = 0; i < w.length; i++) {
                assertEquals(w[i], g[i], 1e-4 * scale, "d loss / d " + name + " at " + i);
            }
        }
    }

    @Test
    void theLastBlockServingTheLastPositionGivesTheWholePassesLogitsAndGradients() {
        Hyperparameters hp = tinyMamba().with("layers", "2");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray tokens = TapeChecks.randomTokens(m, hp, new SplittableRandom(5), 3, 41);
            ForwardPass lastOnly = ForwardPass.training(Long.MAX_VALUE);
            ForwardPass every = new ForwardPass(true, false, Long.MAX_VALUE, 1, null); // every position in every block
            NDArray[] logits = new NDArray[2];
            java.util.List<java.util.Map<String, float[]>> grads = new java.util.ArrayList<>();
            for (ForwardPass pass : new ForwardPass[] {every, lastOnly}) {
                MambaModel model = new MambaModel(hp, m); // the same weights (the seed's), fresh gradients
                for (NDArray p : model.parameters().values()) {
                    p.setRequiresGradient(true);
                }
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray out = model.forward(tokens, pass);
                    gc.backward(out.logSoftmax(1).get(new NDIndex(":, 0:3")).sum());
                    logits[grads.size()] = out.duplicate();
                }
                java.util.Map<String, float[]> g = new java.util.TreeMap<>();
                model.parameters().forEach((name, p) -> g.put(name, p.getGradient().toFloatArray()));
                grads.add(g);
            }
            assertClose(logits[0], logits[1], 1e-5, "logits");
            assertSameGradients(grads.get(0), grads.get(1));
        }
    }

    @Test
    void theBlockByBlockEvaluationPassGivesTheWholePassesLogits() {
        Hyperparameters hp = tinyMamba();
        int batch = 64;
        int n = MambaEvaluation.blockLength(batch) + 300; // two blocks, the second ragged
        try (NDManager m = NDManager.newBaseManager(); MambaModel model = new MambaModel(hp, m)) {
            SplittableRandom r = new SplittableRandom(9);
            long[] ids = new long[batch * n];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = r.nextInt(hp.tokenCount());
            }
            NDArray tokens = m.create(ids, new Shape(batch, n));
            NDArray blocks;
            NDArray whole;
            try (var noGrad = Autograd.noGrad()) {
                blocks = model.forward(tokens, ForwardPass.evaluation());
                whole = model.forward(tokens, ForwardPass.training(Long.MAX_VALUE)); // every layer over all n at once
            }
            assertClose(whole, blocks, 1e-4, "logits");
            assertEquals(new Shape(batch, hp.tokenCount()), blocks.getShape());
        }
    }

    @Test
    void theParameterCountIsWhatModelCostSays() {
        Hyperparameters hp = tinyMamba("d_state=8", "expand=3", "dt_rank=5", "d_conv=3");
        try (NDManager m = NDManager.newBaseManager(); MambaModel model = new MambaModel(hp, m)) {
            assertEquals(ModelCost.parameterCount(hp), model.parameterCount());
        }
        Hyperparameters paper = Hyperparameters.defaults().with(java.util.Map.of("architecture", "mamba", "d_model", "64"));
        try (NDManager m = NDManager.newBaseManager(); MambaModel model = new MambaModel(paper, m)) {
            assertEquals(ModelCost.parameterCount(paper), model.parameterCount());
            assertTrue(model.parameterCount() > 60_000 && model.parameterCount() < 80_000,
                    "the paper's 2-layer d=64 Mamba has about 74K: " + model.parameterCount());
        }
    }

    @Test
    void theTimescalesStartWhereTheSettingsSay() {
        // the reference: A = -(1..N) in every channel, Δ = softplus(dt bias) log-uniform in [0.001, 0.1]
        checkTimescales(tinyMamba("d_state=4"), new double[] {1, 2, 3, 4}, 0.001, 0.1);
        // slow channels on purpose: Δ from 1e-6, |A| from 0.01 to 2
        checkTimescales(tinyMamba("d_state=4", "dt_min=1e-6", "dt_max=1e-2", "a_min=0.01", "a_max=2"),
                new double[] {0.01, 0.01 + 1.99 / 3, 0.01 + 2 * 1.99 / 3, 2}, 1e-6, 1e-2);
        var dt = assertThrows(org.inductionlab.engine.config.InvalidConfigException.class,
                () -> tinyMamba("dt_min=0.5", "dt_max=0.1"));
        assertTrue(dt.getMessage().startsWith("dt_min: 0.5 exceeds dt_max 0.1"), dt.getMessage());
        var a = assertThrows(org.inductionlab.engine.config.InvalidConfigException.class, () -> tinyMamba("a_min=5"));
        assertTrue(a.getMessage().startsWith("a_min: 5 exceeds a_max 4 (d_state)"), a.getMessage());
    }

    private static void checkTimescales(Hyperparameters hp, double[] rates, double dtMin, double dtMax) {
        try (NDManager m = NDManager.newBaseManager(); MambaModel model = new MambaModel(hp, m)) {
            for (int l = 0; l < hp.layers(); l++) {
                float[] aLog = model.parameters().get("layers." + l + ".A_log").toFloatArray();
                for (int i = 0; i < aLog.length; i++) {
                    assertEquals(rates[i % rates.length], Math.exp(aLog[i]), 1e-5 * rates[i % rates.length], "|A| at " + i);
                }
                float[] bias = model.parameters().get("layers." + l + ".dt_proj.bias").toFloatArray();
                double lo = Double.MAX_VALUE;
                double hi = 0;
                for (float b : bias) {
                    double dt = Math.log1p(Math.exp(b)); // softplus
                    lo = Math.min(lo, dt);
                    hi = Math.max(hi, dt);
                    assertTrue(dt >= dtMin * 0.999 && dt <= dtMax * 1.001, "Δ " + dt + " outside [" + dtMin + ", " + dtMax + "]");
                }
                assertTrue(hi / lo > Math.pow(dtMax / dtMin, 0.5), "the Δs spread over the range: " + lo + ".." + hi);
            }
        }
    }

    @Test
    void theRecurrenceFromAGivenStateIsTheChunkedScanFromIt() {
        SplittableRandom r = new SplittableRandom(5);
        int n = SelectiveScan.CHUNK + 5;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray u = random(m, r, -1, 1, 2, n, 6);
            NDArray delta = random(m, r, 0.001, 1.5, 2, n, 6);
            NDArray a = random(m, r, -4, -0.1, 6, 4);
            NDArray b = random(m, r, -1, 1, 2, n, 4);
            NDArray c = random(m, r, -1, 1, 2, n, 4);
            NDArray h0 = random(m, r, -3, 3, 2, 6, 4); // state noise: what training starts from with state_noise > 0
            assertClose(SelectiveScan.scan(u, delta, a, b, c, h0).get(0), MambaModel.sequentialScan(u, delta, a, b, c, h0),
                    1e-4, "y from h0");
            NDArray fromZero = MambaModel.sequentialScan(u, delta, a, b, c, null);
            assertTrue(fromZero.sub(MambaModel.sequentialScan(u, delta, a, b, c, h0)).abs().max().getFloat() > 1e-3,
                    "the initial state matters");
        }
    }
}
