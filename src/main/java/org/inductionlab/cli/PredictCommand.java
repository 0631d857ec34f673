package org.inductionlab.cli;

import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.eval.Predictor;
import org.inductionlab.engine.task.TokenFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Predict the next token of each line of a token file (ids separated by spaces).",
                "Prints one line per input line: the predicted token id, a space, its probability."})
final class PredictCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "the run folder whose model predicts")
    Path run;

    @Option(names = "--input", required = true, paramLabel = "FILE",
            description = "a token file: one sequence per line, ids separated by spaces, the answer not included")
    Path input;

    @Option(names = "--output", paramLabel = "FILE", description = "write here instead of standard output")
    Path output;

    @Override
    public Integer call() throws Exception {
        try (LoadedRun r = LoadedRun.open(run, null)) {
            if (!Files.isRegularFile(input)) {
                throw new TokenFile.TokenFileException(input + " does not exist");
            }
            int vocab = r.model().hyperparameters().vocab();
            List<int[]> lines = TokenFile.read(input, vocab);
            for (int i = 0; i < lines.size(); i++) {
                if (java.util.Arrays.stream(lines.get(i)).noneMatch(t -> t == vocab)) {
                    spec.commandLine().getErr().printf(Locale.ROOT, "induction-lab: warning: %s line %d has no S"
                            + " (token %d), so there is nothing to copy; its prediction is printed anyway%n",
                            input, i + 1, vocab);
                    spec.commandLine().getErr().flush();
                }
            }
            List<Predictor.Prediction> predictions = Predictor.predict(r.model(), lines);
            StringBuilder sb = new StringBuilder();
            for (Predictor.Prediction p : predictions) {
                sb.append(p.token()).append(' ').append(String.format(Locale.ROOT, "%.6f", p.probability())).append('\n');
            }
            if (output == null) {
                PrintStream o = System.out;
                o.print(sb);
                o.flush();
            } else {
                org.inductionlab.engine.run.AtomicFiles.writeString(output, sb.toString());
            }
            return Cli.OK;
        }
    }
}
