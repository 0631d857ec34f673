package org.inductionlab.engine.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.inductionlab.engine.config.Hyperparameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.inductionlab.engine.model.MambaModelTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the kernels' tests share: a training pass on a {@link Tape} against the same pass in libtorch. */
final class TapeChecks {
    private TapeChecks() {}

    /** (batch, n) random tokens of hp's vocabulary. */
    static NDArray randomTokens(NDManager m, Hyperparameters hp, SplittableRandom r, int batch, int n) {
        long[] ids = new long[batch * n];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(hp.tokenCount());
        }
        return m.create(ids, new Shape(batch, n));
    }

    /**
     * A model of {@code hp} trained one pass without a tape and one on a tape, the same weights each time: the
     * same logits (1e-5) and every parameter's gradient (1e-4); {@code cuts} says whether the tape must have
     * run a part outside libtorch.
     */
    static void tapeGivesTheLibtorchPass(Hyperparameters hp, NDManager m, NDArray tokens, boolean cuts) {
        List<NDArray> logits = new ArrayList<>();
        List<Map<String, float[]>> grads = new ArrayList<>();
        for (boolean onTape : new boolean[] {false, true}) {
            SequenceModel model = SequenceModel.create(hp, m); // the same weights (the seed's), fresh gradients
            for (NDArray p : model.parameters().values()) {
                p.setRequiresGradient(true);
            }
            Tape tape = new Tape();
            ForwardPass pass = ForwardPass.training(Long.MAX_VALUE);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = model.forward(tokens, onTape ? pass.withTape(tape) : pass);
                assertEquals(onTape && cuts, !tape.isEmpty(), "a part ran outside libtorch (on the tape only)");
                tape.backward(gc, out.logSoftmax(1).get(new NDIndex(":, 0:3")).sum());
                logits.add(out.duplicate());
            }
            Map<String, float[]> g = new TreeMap<>();
            model.parameters().forEach((name, p) -> g.put(name, p.getGradient().toFloatArray()));
            grads.add(g);
        }
        assertClose(logits.get(0), logits.get(1), 1e-5, "logits");
        MambaModelTest.assertSameGradients(grads.get(0), grads.get(1));
    }
}
