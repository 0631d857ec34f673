package org.inductionlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.inductionlab.engine.lab.Ablation;
import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.lab.ShortcutProbe;
import org.inductionlab.engine.run.SweepPoint;
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

@Command(name = "probe", mixinStandardHelpOptions = true,
        description = {"Does a run use induction or remember a position? A verdict with the numbers behind it.",
                "Re-scores the run at its training length and at 2x and 4x with the trigger where it was trained,"
                        + " moved by one position (for a fixed trigger), in [0, 10) and anywhere. Verdicts:"
                        + " induction, positional shortcut, mixed, not learned."})
final class ProbeCommand implements Callable<Integer> {

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "the run folder to probe")
    Path run;

    @Option(names = "--seqs", paramLabel = "N", description = "sequences per cell (default "
            + ShortcutProbe.DEFAULT_SEQUENCES + ", the window's too)")
    int seqs = ShortcutProbe.DEFAULT_SEQUENCES;

    @Option(names = "--ablate", paramLabel = "L.H,...", description = "zero these heads' outputs before W_O and"
            + " show the table before and after, e.g. 1.3,1.0 (the Attention page's ablation)")
    String ablate;

    @Option(names = "--seed", paramLabel = "S", description = "seed of the probe sequences (default 1)")
    long seed = ShortcutProbe.DEFAULT_SEED;

    @Option(names = "--json", description = "print one JSON object: verdict, why and the table")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ShortcutProbe.checkSequences(seqs);
        PrintStream o = System.out;
        try (LoadedRun r = LoadedRun.open(run, null)) {
            // with --ablate: the probe before and after, the same cells the Attention page's ablation measures
            Ablation.Result ablation = ablate == null ? null
                    : Ablation.measure(r, ShortcutProbe.parseHeads(ablate, r.hyperparameters()), seqs, seed);
            ShortcutProbe.Result result = ablation == null ? ShortcutProbe.probe(r, seqs, seed)
                    : ablation.after();
            if (json) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("run", r.name());
                j.put("verdict", result.verdict());
                j.put("why", result.why());
                if (ablation != null) {
                    j.put("verdict_before", ablation.before().verdict());
                }
                if (result.heads() != null) {
                    j.put("heads", result.heads().verdict());
                    j.put("heads_why", result.heads().why());
                }
                j.put("train_length", result.trainLength());
                j.put("trained_layout", r.hyperparameters().layout().toString());
                j.put("ablated", ablate == null ? "" : ablate);
                j.put("sequences", seqs);
                j.put("seed", seed);
                List<Map<String, Object>> table = new ArrayList<>();
                for (ShortcutProbe.Cell c : result.table()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("layout", c.layout());
                    row.put("what", c.why());
                    row.put("length", c.length());
                    row.put("sequences", c.point().sequences());
                    row.put("correct", c.point().correct());
                    row.put("accuracy", c.point().accuracy());
                    row.put("wilson95", new double[] {c.point().wilsonLow(), c.point().wilsonHigh()});
                    SweepPoint before = before(ablation, c);
                    if (before != null) {
                        row.put("correct_before", before.correct());
                        row.put("accuracy_before", before.accuracy());
                    }
                    table.add(row);
                }
                j.put("table", table);
                o.println(new ObjectMapper().writeValueAsString(j));
                return Cli.OK;
            }
            o.printf(Locale.ROOT, "run %s (trained on %s at length %d)%s, seed %d%n", r.name(),
                    r.hyperparameters().layout(), result.trainLength(), ablate == null ? "" : ", heads " + ablate
                            + " ablated", seed);
            o.println("  layout       what                   length   seqs  accuracy" + (ablation == null ? ""
                    : "  before"));
            for (ShortcutProbe.Cell c : result.table()) {
                SweepPoint before = before(ablation, c);
                o.printf(Locale.ROOT, "  %-12s %-22s %6d  %5d  %s%s%n", c.layout(), c.why(), c.length(),
                        c.point().sequences(), Format.percent(c.point().accuracy()),
                        before == null ? "" : "  " + Format.percent(before.accuracy()));
            }
            o.println("verdict: " + result.verdict() + (ablation == null ? ""
                    : " (before the ablation: " + ablation.before().verdict() + ")"));
            o.println(result.why());
            if (result.heads() != null) {
                o.println("heads: " + result.heads().sentence());
            }
            return Cli.OK;
        }
    }

    /** The unablated accuracy of cell {@code c}, or null without an ablation. */
    private static SweepPoint before(Ablation.Result ablation, ShortcutProbe.Cell c) {
        if (ablation == null) {
            return null;
        }
        return ablation.rows().stream().filter(x -> x.layout().equals(c.layout()) && x.length() == c.length())
                .findFirst().map(Ablation.Row::before).orElse(null);
    }
}
