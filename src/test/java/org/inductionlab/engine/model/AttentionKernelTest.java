package org.inductionlab.engine.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
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
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.inductionlab.engine.model.MambaModelTest.assertClose;
import static org.inductionlab.engine.model.MambaModelTest.random;
import static org.junit.jupiter.api.Assertions.*;

/** Causal attention written out in Java, on a tape, against the lab's attention in libtorch: values and gradients. */
class AttentionKernelTest {

    @BeforeAll
    static void engine() {
        EngineRuntime.start(0);
    }

    @ParameterizedTest
    @CsvSource({"1, 2, 8, 1", "7, 2, 8, 1", "8, 2, 8, 1", "9, 3, 8, 1", "37, 2, 4, 1", "64, 1, 16, 1",
        "33, 3, 3, 1", "40, 2, 8, 12"})
    void theKernelGivesLibtorchsAttentionAndGradients(int n, int heads, int dh, double spread) {
        SplittableRandom r = new SplittableRandom(n * 31L + dh);
        try (NDManager m = NDManager.newBaseManager()) {
            int batch = 3;
            int d = heads * dh;
            // spread 12: scores in the hundreds, weights near one-hot (the row maximum must be taken out)
            NDArray given = NDArrays.concat(new NDList(random(m, r, -spread, spread, batch, n, d),
                    random(m, r, -2, 2, batch, n, d), random(m, r, -1, 1, batch, n, d)), 2);
            NDArray weights = random(m, r, -1, 1, batch, n, d); // every output weighed differently
            NDArray[] outs = new NDArray[2];
            NDArray[] grads = new NDArray[2];
            for (int path = 0; path < 2; path++) {
                NDArray leaf = given.duplicate();
                leaf.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray qkv = leaf.add(leaf).sub(leaf); // one op before: a segment to go back into (not mul(2): see Autograd.scale)
                    NDArray o;
                    Tape tape = new Tape();
                    if (path == 0) {
                        NDList parts = qkv.split(3, 2);
                        NDArray q = heads(parts.get(0), heads, dh).mul(m.full(new Shape(), (float) (1 / Math.sqrt(dh))));
                        o = CausalAttention.attend(q, heads(parts.get(1), heads, dh), heads(parts.get(2), heads, dh), 0, 0,
                                ForwardPass.full(), 0).transpose(0, 2, 1, 3).reshape(batch, n, d);
                    } else {
                        AttentionKernel kernel = new AttentionKernel(qkv, heads);
                        NDList next = tape.cross(kernel, kernel.output(m));
                        o = next.get(0);
                        assertFalse(tape.isEmpty());
                    }
                    tape.backward(gc, o.mul(weights).sum());
                    outs[path] = o.duplicate();
                }
                grads[path] = leaf.getGradient().duplicate();
            }
            assertEquals(outs[0].getShape(), outs[1].getShape());
            assertClose(outs[0], outs[1], 1e-5, "o");
            String[] names = {"q", "k", "v"};
            for (int part = 0; part < 3; part++) {
                NDIndex cols = new NDIndex(":, :, " + part * d + ":" + (part + 1) * d);
                NDArray want = grads[0].get(cols);
                NDArray got = grads[1].get(cols);
                assertClose(want, got, 1e-4, "d loss / d " + names[part]);
                if (n > 1 || part == 2) { // one key alone: its weight is 1 whatever q and k are
                    assertTrue(got.abs().sum().getFloat() > 0, "no gradient reached " + names[part]);
                }
            }
        }
    }

    private static NDArray heads(NDArray x, int heads, int dh) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, dh).transpose(0, 2, 1, 3);
    }

    @ParameterizedTest
    @CsvSource({"pre, sinusoidal, standard, true", "post, sinusoidal, standard, true", "pre, learned, standard, true",
        "post, none, standard, true", "pre, rotary, standard, false", "pre, sinusoidal, log_length, false"})
    void trainingOnTheTapeGivesTheLibtorchPassesLogitsAndGradients(String norm, String positional, String scale,
                                                                    boolean kernel) {
        Hyperparameters hp = TestConfigs.tiny("norm=" + norm, "positional=" + positional, "attention_scale=" + scale,
                "heads=2", "layers=3", "max_positions=64");
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray tokens = TapeChecks.randomTokens(m, hp, new SplittableRandom(8), 4, 23);
            TapeChecks.tapeGivesTheLibtorchPass(hp, m, tokens, kernel);
        }
    }

    @Test
    void itServesOnlyThePlainWholeSquareOfATrainingPassOnATapeWithoutDropout() {
        ForwardPass training = ForwardPass.training(Long.MAX_VALUE).withTape(new Tape());
        Device cpu = Device.cpu();
        assertTrue(AttentionKernel.serves(training, cpu, 10, 10, 0, 0, true));
        assertFalse(AttentionKernel.serves(ForwardPass.training(Long.MAX_VALUE), cpu, 10, 10, 0, 0, true), "no tape");
        assertFalse(AttentionKernel.serves(training, cpu, 1, 10, 9, 0, true), "the last query alone");
        assertFalse(AttentionKernel.serves(training, cpu, 10, 10, 0, 0.1, true), "attention dropout");
        assertFalse(AttentionKernel.serves(training, cpu, 10, 10, 0, 0, false), "positions, a bias or a scale at work");
        assertFalse(AttentionKernel.serves(training.withTraining(false), cpu, 10, 10, 0, 0, true), "evaluation");
        assertFalse(AttentionKernel.serves(training, Device.gpu(), 10, 10, 0, 0, true), "a GPU");
    }
}
