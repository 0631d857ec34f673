package org.inductionlab.cli;

import org.inductionlab.engine.lab.LoadedRun;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.run.AtomicFiles;
import org.inductionlab.engine.task.InductionTask;
import org.inductionlab.engine.task.TokenFile;
import org.inductionlab.engine.task.TriggerLayout;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "attention", mixinStandardHelpOptions = true,
        description = {"Every head's attention weights for one sequence, written as JSON.",
                "The JSON holds the tokens, the weights per layer and head, the induction cells, the task's target"
                        + " cell, and each head's induction and previous-token score."})
final class AttentionCommand implements Callable<Integer> {

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "the run folder whose model to read")
    Path run;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @ArgGroup(exclusive = false)
        FromFile file;
        @ArgGroup(exclusive = false)
        Generated generated;
    }

    static final class FromFile {
        @Option(names = "--input", required = true, paramLabel = "FILE", description = "a token file")
        Path input;
        @Option(names = "--line", required = true, paramLabel = "N", description = "its line to use, from 1")
        int line;
    }

    static final class Generated {
        @Option(names = "--length", required = true, paramLabel = "L", description = "generate a sequence of L tokens")
        int length;
        @Option(names = "--layout", paramLabel = "X", description = "fixed:P, prefix:K or anywhere (default: the run's)")
        String layout;
        @Option(names = "--seed", paramLabel = "S", description = "which sequence (default 1)")
        long seed = 1;
    }

    @Option(names = "--out", required = true, paramLabel = "FILE.json", description = "where to write the JSON")
    Path out;

    @Override
    public Integer call() throws Exception {
        try (LoadedRun r = LoadedRun.open(run, null)) {
            var hp = r.model().hyperparameters();
            int[] input;
            if (source.file != null) {
                if (!Files.isRegularFile(source.file.input)) {
                    throw new TokenFile.TokenFileException(source.file.input + " does not exist");
                }
                List<int[]> lines = TokenFile.read(source.file.input, hp.vocab());
                if (source.file.line < 1 || source.file.line > lines.size()) {
                    throw new InvalidConfigException("line", source.file.line + " is out of range (allowed: 1.." + lines.size() + ")");
                }
                input = lines.get(source.file.line - 1);
            } else {
                Generated g = source.generated;
                TriggerLayout layout;
                try {
                    layout = g.layout == null ? hp.layout() : TriggerLayout.parse(g.layout);
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfigException("layout", e.getMessage());
                }
                if (g.length < 8 || g.length > AttentionMap.MAX_LENGTH + 1) {
                    throw new InvalidConfigException("length", g.length + " is out of range (allowed: 8.."
                            + (AttentionMap.MAX_LENGTH + 1) + ")");
                }
                String problem = layout.problemAt(g.length);
                if (problem != null) {
                    throw new InvalidConfigException("layout", problem);
                }
                int[] full = InductionTask.evaluation(hp.vocab(), layout, g.seed).sequence(0, g.length).tokens();
                input = java.util.Arrays.copyOf(full, full.length - 1); // the model reads all but the answer
            }
            AttentionMap map = AttentionMap.compute(r.model(), input);
            Map<String, Object> json = toJson(map, r.folder().name());
            AtomicFiles.write(out, o -> new ObjectMapper().writeValue(o, json));
            System.out.printf("wrote %s: %d tokens, %d layers x %d heads; model predicts %d (p=%.3f)%n", out, map.length(),
                    map.layers(), map.heads(), map.predictedToken(), map.predictedProbability());
            return Cli.OK;
        }
    }

    static Map<String, Object> toJson(AttentionMap map, String run) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("run", run);
        j.put("tokens", map.tokens());
        j.put("induction_token", map.inductionToken());
        j.put("trigger_position", map.triggerPosition());
        int[] target = map.taskTarget();
        j.put("task_target", target == null ? null : Map.of("query", target[0], "key", target[1]));
        j.put("prediction", Map.of("token", map.predictedToken(), "probability", map.predictedProbability()));
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
