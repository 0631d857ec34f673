package org.inductionlab.cli;

import org.inductionlab.engine.lab.AttentionQuery;
import org.inductionlab.engine.lab.LoadedRun;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.run.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "attention", mixinStandardHelpOptions = true,
        customSynopsis = {"induction-lab attention [-hV] --run=DIR --out=FILE.json",
                "    (--input=FILE --line=N | --length=L [--layout=X] [--seed=S])"},
        description = {"Every head's attention weights for one sequence, written as JSON.",
                "The JSON holds the tokens, the weights per layer and head, the induction cells, the task's target"
                        + " cell, and each head's induction and previous-token score."})
final class AttentionCommand implements Callable<Integer>, Cli.FlagNames {

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "the run folder whose model to read")
    Path run;

    // One sequence, read or generated: --input with --line, or --length with --layout and --seed. Checked
    // in call() rather than by a picocli group, so a mix is named as the conflict it is.
    @Option(names = "--input", paramLabel = "FILE", description = "a token file (with --line)")
    Path input;

    @Option(names = "--line", paramLabel = "N", description = "the line of --input to use, from 1")
    Integer line;

    @Option(names = "--length", paramLabel = "L", description = "generate a sequence of L tokens, the answer included"
            + " (8..1025: the model reads up to 1024 of them)")
    Integer length;

    @Option(names = "--layout", paramLabel = "X", description = "with --length: fixed:P, prefix:K or anywhere"
            + " (default: the run's)")
    String layout;

    @Option(names = "--seed", paramLabel = "S", description = "with --length: which sequence (default 1)")
    Long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE.json", description = "where to write the JSON")
    Path out;

    /** The engine's settings this command's flags set, for its error messages. */
    @Override
    public Map<String, String> flagNames() {
        return Map.of("length", "--length", "layout", "--layout", "line", "--line", "file", "--input", "seed", "--seed");
    }

    /**
     * The sequence options that go together, and what of the sequence can be checked before the run is
     * loaded (the engine's {@link AttentionQuery#check}); a mix is bad input naming the conflict.
     */
    AttentionQuery.Source checkSource() {
        if (input != null && length != null) {
            throw new InvalidConfigException("--input", "cannot be used with --length: read a line of a file"
                    + " (--input FILE --line N) or generate a sequence (--length L), not both");
        }
        if (input == null && length == null) {
            throw new InvalidConfigException("--input or --length", "missing (read a line of a file with --input FILE"
                    + " --line N, or generate a sequence with --length L)");
        }
        if (input != null) {
            if (line == null) {
                throw new InvalidConfigException("--line", "missing (which line of " + input + " to use, from 1)");
            }
            if (layout != null || seed != null) {
                throw new InvalidConfigException(layout != null ? "--layout" : "--seed", "goes with --length,"
                        + " not with --input (a file's line is used as it is)");
            }
        } else if (line != null) {
            throw new InvalidConfigException("--line", "goes with --input FILE, not with --length");
        }
        AttentionQuery.Source source = input != null ? new AttentionQuery.FileLine(input, line)
                : new AttentionQuery.Generated(length, layout, seed == null ? AttentionQuery.DEFAULT_SEED : seed);
        AttentionQuery.check(source);
        return source;
    }

    @Override
    public Integer call() throws Exception {
        AttentionQuery.Source source = checkSource();
        try (LoadedRun r = LoadedRun.open(run, null)) {
            AttentionQuery.Answer answer = AttentionQuery.ask(r, source);
            AttentionMap map = answer.map();
            Map<String, Object> json = toJson(answer, r.name());
            AtomicFiles.write(out, o -> new ObjectMapper().writeValue(o, json));
            System.out.printf("wrote %s: %d tokens, %d layers x %d heads; model predicts %d (p=%.3f); %s%n", out,
                    map.length(), map.layers(), map.heads(), map.predictedToken(), map.predictedProbability(),
                    answer.correct() == null ? answer.input().noAnswer()
                            : "the answer is " + answer.input().answer() + (answer.correct() ? " (right)" : " (wrong)"));
            return Cli.OK;
        }
    }

    static Map<String, Object> toJson(AttentionQuery.Answer answer, String run) {
        AttentionMap map = answer.map();
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("run", run);
        j.put("tokens", map.tokens());
        j.put("induction_token", map.inductionToken());
        j.put("trigger_position", map.triggerPosition());
        int[] target = map.taskTarget();
        j.put("task_target", target == null ? null : Map.of("query", target[0], "key", target[1]));
        j.put("prediction", Map.of("token", map.predictedToken(), "probability", map.predictedProbability()));
        j.put("answer", answer.input().answer()); // null where the line defines none: no_answer says why
        j.put("correct", answer.correct());
        j.put("no_answer", answer.input().noAnswer());
        j.put("induction_cells", map.inductionCells());
        List<Map<String, Object>> heads = new ArrayList<>();
        int n = map.length();
        for (int l = 0; l < map.layers(); l++) {
            for (int h = 0; h < map.heads(); h++) {
                Map<String, Object> head = new LinkedHashMap<>();
                head.put("layer", l);
                head.put("head", h);
                head.put("induction_score", map.inductionScore(l, h));
                head.put("previous_token_score", map.previousTokenScore(l, h));
                head.put("target_weight", target == null ? null : map.targetWeight(l, h));
                float[] w = map.headWeights(l, h);
                List<float[]> rows = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    float[] row = new float[i + 1]; // keys 0..i; the rest is masked (zero)
                    for (int k = 0; k <= i; k++) {
                        row[k] = Math.round(w[i * n + k] * 1e5f) / 1e5f;
                    }
                    rows.add(row);
                }
                head.put("weights", rows);
                heads.add(head);
            }
        }
        j.put("weights_note", "weights[query] lists keys 0..query; keys after the query are masked (0)");
        j.put("heads", heads);
        return j;
    }
}
