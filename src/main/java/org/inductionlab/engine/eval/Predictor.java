package org.inductionlab.engine.eval;

import org.inductionlab.engine.model.Logits;
import org.inductionlab.engine.model.ForwardPass;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.inductionlab.engine.model.Autograd;
import org.inductionlab.engine.model.SequenceModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The model's next token for sequences of any lengths (lines of equal length share a forward pass). */
public final class Predictor {

    /** The most likely next token and its probability. */
    public record Prediction(int token, double probability) {}

    private Predictor() {}

    public static List<Prediction> predict(SequenceModel model, List<int[]> sequences) {
        Prediction[] out = new Prediction[sequences.size()];
        Map<Integer, List<Integer>> byLength = new LinkedHashMap<>();
        for (int i = 0; i < sequences.size(); i++) {
            byLength.computeIfAbsent(sequences.get(i).length, k -> new ArrayList<>()).add(i);
        }
        int vocabOut = model.hyperparameters().tokenCount();
        try (Autograd.Scope noGrad = Autograd.noGrad(); NDManager root = NDManager.newBaseManager(model.device())) {
            for (Map.Entry<Integer, List<Integer>> group : byLength.entrySet()) {
                int n = group.getKey();
                List<Integer> rows = group.getValue();
                int perPass = LengthSweep.sequencesPerPass(model.hyperparameters(), n + 1, rows.size());
                for (int from = 0; from < rows.size(); from += perPass) {
                    List<Integer> chunk = rows.subList(from, Math.min(rows.size(), from + perPass));
                    long[] ids = new long[chunk.size() * n];
                    for (int r = 0; r < chunk.size(); r++) {
                        int[] seq = sequences.get(chunk.get(r));
                        for (int j = 0; j < n; j++) {
                            ids[r * n + j] = seq[j];
                        }
                    }
                    try (NDManager pass = root.newSubManager()) {
                        NDArray tokens = pass.create(ids, new Shape(chunk.size(), n));
                        NDArray probs = model.forward(tokens, ForwardPass.evaluation()).softmax(1);
                        float[] p = probs.toFloatArray();
                        for (int r = 0; r < chunk.size(); r++) {
                            int best = Logits.argmax(p, r * vocabOut, vocabOut);
                            out[chunk.get(r)] = new Prediction(best, p[r * vocabOut + best]);
                        }
                    }
                }
            }
        }
        return List.of(out);
    }
}
