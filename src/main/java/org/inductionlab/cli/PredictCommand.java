package org.inductionlab.cli;

import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.lab.Predictions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
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
            Predictions result = Predictions.of(r, input);
            for (int line : result.linesWithoutTrigger()) {
                spec.commandLine().getErr().printf(Locale.ROOT, "induction-lab: warning: %s line %d has no S"
                        + " (token %d), so there is nothing to copy; its prediction is printed anyway%n",
                        input, line, result.trigger());
                spec.commandLine().getErr().flush();
            }
            List<Predictions.Prediction> predictions = result.predictions();
            StringBuilder sb = new StringBuilder();
            for (Predictions.Prediction p : predictions) {
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
