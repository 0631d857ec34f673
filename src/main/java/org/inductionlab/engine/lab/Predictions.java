package org.inductionlab.engine.lab;

import org.inductionlab.engine.config.TaskKind;
import org.inductionlab.engine.eval.Predictor;
import org.inductionlab.engine.task.TokenFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The model's next token for each line of a token file: the lines checked against the run's vocabulary,
 * the prediction and its probability per line, and, for a run of the trigger task, the lines with no S
 * (nothing to copy: a front end warns, and still shows their predictions).
 */
public record Predictions(List<Prediction> predictions, List<Integer> linesWithoutTrigger, int trigger) {

    /** The most likely next token and its probability. */
    public record Prediction(int token, double probability) {}

    /** Predicts every line of {@code file} (ids separated by spaces, the answer not included) with the run's model. */
    public static Predictions of(LoadedRun run, Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new TokenFile.TokenFileException(file + " does not exist");
        }
        int s = run.hyperparameters().vocab();
        List<int[]> lines = TokenFile.read(file, s);
        List<Integer> noTrigger = new ArrayList<>();
        boolean trigger = run.hyperparameters().task() != TaskKind.REPEAT;
        for (int i = 0; trigger && i < lines.size(); i++) { // the repeat task has no S to miss
            if (Arrays.stream(lines.get(i)).noneMatch(t -> t == s)) {
                noTrigger.add(i + 1);
            }
        }
        List<Prediction> out = Predictor.predict(run.model(), lines).stream()
                .map(p -> new Prediction(p.token(), p.probability())).toList();
        return new Predictions(out, noTrigger, s);
    }
}
