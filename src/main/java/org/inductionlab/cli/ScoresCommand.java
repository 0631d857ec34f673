package org.inductionlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.inductionlab.engine.eval.DetectHead;
import org.inductionlab.engine.eval.HeadScores;
import org.inductionlab.engine.lab.HeadKind;
import org.inductionlab.engine.lab.AttentionQuery;
import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.lab.UnitNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "scores", mixinStandardHelpOptions = true,
        description = {"Each head's scores beside uniform attention's, the lab's and TransformerLens's detect_head.",
                "The lab's own (after Olsson et al. 2022), on a block of n random tokens repeated twice: previous-token"
                        + " = mean A[i, i-1]; induction = mean over the second copy of A[i, i-n+1]; duplicate = mean"
                        + " A[i, i-n]. Target: the final S on the token after the first S, over task sequences with S"
                        + " anywhere. A perfect head scores 1. TransformerLens detect_head with its defaults (mul,"
                        + " no BOS or current-token exclusion): sum(A * pattern) / sum(A) over every row, every"
                        + " earlier occurrence marked; a perfect induction head scores about 0.5 on this input."})
final class ScoresCommand implements Callable<Integer> {

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "the run folder whose heads to score")
    Path run;

    @Option(names = "--seed", paramLabel = "S", description = "seed of the probe inputs (default 1)")
    long seed = 1;

    @Option(names = "--json", description = "print one JSON object with a row per head")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintStream o = System.out;
        try (LoadedRun r = LoadedRun.open(run, null)) {
            HeadScores s = AttentionQuery.scores(r, seed);
            HeadScores.Uniform u = HeadScores.uniform(r.hyperparameters());
            DetectHead tl = AttentionQuery.transformerLensScores(r, seed);
            if (json) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (int l = 0; l < s.layers(); l++) {
                    for (int h = 0; h < s.heads(); h++) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("layer", l);
                        row.put("head", h);
                        row.put("previous_token", s.previousToken()[l][h]);
                        row.put("induction", s.induction()[l][h]);
                        row.put("duplicate_token", s.duplicateToken()[l][h]);
                        row.put("target", s.target()[l][h]);
                        row.put("tl_previous_token", tl.previousToken()[l][h]);
                        row.put("tl_induction", tl.induction()[l][h]);
                        row.put("tl_duplicate_token", tl.duplicateToken()[l][h]);
                        rows.add(row);
                    }
                }
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("run", r.name());
                j.put("block", s.block());
                j.put("uniform", Map.of("previous_token", u.previousToken(), "induction", u.induction(),
                        "duplicate_token", u.duplicateToken(), "target", u.target()));
                j.put("tl", DetectHead.NAME);
                j.put("tl_uniform", Map.of("previous_token", tl.previousTokenUniform(), "induction",
                        tl.inductionUniform(), "duplicate_token", tl.duplicateTokenUniform()));
                HeadKind kind = HeadKind.applies(r.model()) ? HeadKind.of(r.model(), seed) : null;
                if (kind != null) {
                    j.put("kind", kind.verdict());
                    j.put("kind_why", kind.why());
                }
                j.put("heads", rows);
                o.println(new ObjectMapper().writeValueAsString(j));
                return Cli.OK;
            }
            o.printf(Locale.ROOT, "run %s: scores on a block of n = %d random tokens repeated twice (n = (train_length"
                    + " - 1) / 2, rounded down, within 8..64: the pair fits in what the model reads)%n", r.name(), s.block());
            var hp = r.hyperparameters();
            int width = Math.max(4, UnitNames.head(hp, s.layers() - 1, s.heads() - 1).length());
            o.printf(Locale.ROOT, "  %-" + width + "s  %-26s | %s%n", "", "the lab's scores", DetectHead.NAME);
            o.printf(Locale.ROOT, "  %-" + width + "s  previous  induction  duplicate  target |  previous  induction"
                    + "  duplicate%n", "head");
            for (int l = 0; l < s.layers(); l++) {
                for (int h = 0; h < s.heads(); h++) {
                    o.printf(Locale.ROOT, "  %-" + width + "s  %8.3f  %9.3f  %9.3f  %6.3f | %9.3f  %9.3f  %9.3f%n",
                            UnitNames.head(hp, l, h), s.previousToken()[l][h], s.induction()[l][h],
                            s.duplicateToken()[l][h], s.target()[l][h], tl.previousToken()[l][h],
                            tl.induction()[l][h], tl.duplicateToken()[l][h]);
                }
            }
            o.printf(Locale.ROOT, "  %-" + width + "s  %8.3f  %9.3f  %9.3f  %6.3f | %9.3f  %9.3f  %9.3f%n",
                    "uniform", u.previousToken(), u.induction(), u.duplicateToken(), u.target(),
                    tl.previousTokenUniform(), tl.inductionUniform(), tl.duplicateTokenUniform());
            o.println("(uniform: what a head attending evenly over its causal prefix scores on the same input)");
            int[] top = s.topTargetHead();
            o.printf(Locale.ROOT, "highest target score: %s (probe --ablate %d.%d tests what it does)%n",
                    UnitNames.head(hp, top[0], top[1]), top[0], top[1]);
            if (HeadKind.applies(r.model())) {
                o.println("heads: " + HeadKind.of(r.model(), seed).sentence());
            }
            String note = UnitNames.scoresNote(hp);
            if (note != null) {
                o.println(note);
            }
            return Cli.OK;
        }
    }
}
