package org.inductionlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.lab.ShortcutProbe;
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

    @Option(names = "--seqs", paramLabel = "N", description = "sequences per cell (default 256)")
    int seqs = ShortcutProbe.DEFAULT_SEQUENCES;

    @Option(names = "--ablate", paramLabel = "L.H,...", description = "zero these heads' outputs first, e.g. 1.3,1.0")
    String ablate;

    @Option(names = "--seed", paramLabel = "S", description = "seed of the probe sequences (default 1)")
    long seed = 1;

    @Option(names = "--json", description = "print one JSON object: verdict, why and the table")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (seqs < 1 || seqs > 100_000) {
            throw new InvalidConfigException("sequences_per_length", seqs + " is out of range (allowed: 1..100000)");
        }
        PrintStream o = System.out;
        try (LoadedRun r = LoadedRun.open(run, null)) {
            boolean[][] ablated = ShortcutProbe.parseHeads(ablate, r.hyperparameters());
            ShortcutProbe.Result result = ShortcutProbe.probe(r.model(), seqs, ablated, seed);
            if (json) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("run", r.folder().name());
                j.put("verdict", result.verdict());
                j.put("why", result.why());
                j.put("train_length", result.trainLength());
                j.put("trained_layout", r.hyperparameters().layout().toString());
                j.put("ablated", ablate == null ? "" : ablate);
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
                    table.add(row);
                }
                j.put("table", table);
                o.println(new ObjectMapper().writeValueAsString(j));
                return Cli.OK;
            }
            o.printf(Locale.ROOT, "run %s (trained on %s at length %d)%s%n", r.folder().name(),
                    r.hyperparameters().layout(), result.trainLength(), ablate == null ? "" : ", heads " + ablate
                            + " ablated");
            o.println("  layout       what                   length   seqs  accuracy");
            for (ShortcutProbe.Cell c : result.table()) {
                o.printf(Locale.ROOT, "  %-12s %-22s %6d  %5d  %s%n", c.layout(), c.why(), c.length(),
                        c.point().sequences(), Format.percent(c.point().accuracy()));
            }
            o.println("verdict: " + result.verdict());
            o.println(result.why());
            return Cli.OK;
        }
    }
}
