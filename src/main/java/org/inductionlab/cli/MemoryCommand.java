package org.inductionlab.cli;

import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.eval.MambaMemory;
import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.lab.MambaMemoryProbe;
import org.inductionlab.engine.lab.UnitNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "memory", mixinStandardHelpOptions = true,
        description = {"Where a Mamba run keeps M, and for how long.",
                "On sequences with the first S at --trigger, each channel's step size Δ where it writes M (the largest"
                        + " Δ while its convolution window holds M: large, it writes M) and on the noise after it (small: it keeps M). A channel that writes M keeps half of it"
                        + " for ln 2 / (Δ_noise · |A|min) tokens; past the longest such half-life the model"
                        + " cannot look back."})
final class MemoryCommand implements Callable<Integer> {

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "a Mamba run folder")
    Path run;

    @Option(names = "--length", paramLabel = "L", description = "sequence length (default 1024)")
    int length = 1024;

    @Option(names = "--trigger", paramLabel = "P", description = "position of the first S (default 8)")
    int trigger = 8;

    @Option(names = "--seqs", paramLabel = "N", description = "sequences averaged (default 16)")
    int sequences = 16;

    @Option(names = "--top", paramLabel = "K", description = "channels listed (default 8)")
    int top = 8;

    @Option(names = "--ratio", paramLabel = "R",
            description = "a channel writes M when its Δ at the write is at least R times its Δ on the noise (default 10)")
    double ratio = MambaMemory.WRITES_AT;

    @Override
    public Integer call() throws Exception {
        PrintStream o = System.out;
        if (trigger < 0 || trigger > 65536 - 8) {
            throw new InvalidConfigException("--trigger", trigger + " is out of range (allowed: 0..L-8)");
        }
        if (length < trigger + 8 || length > 65536) {
            throw new InvalidConfigException("--length", length + " is out of range (allowed: " + (trigger + 8) + "..65536)");
        }
        if (sequences < 1 || sequences > 256) {
            throw new InvalidConfigException("--seqs", sequences + " is out of range (allowed: 1..256)");
        }
        try (LoadedRun r = LoadedRun.open(run, null)) {
            MambaMemory mem = MambaMemoryProbe.measure(r, length, trigger, sequences);
            List<MambaMemory.Channel> carriers = mem.carriers(ratio);
            o.printf(Locale.ROOT, "run %s: %d sequences of %d tokens, first S at %d, M at %d%n", r.name(),
                    sequences, length, trigger, trigger + 1);
            o.printf(Locale.ROOT, "%d of %d channels write M (Δ at the write >= %.3gx Δ on the noise)%n", carriers.size(),
                    mem.channels().size(), ratio);
            o.println("  channel         M+k  Δ write   Δ noise   ratio  |A|min   half-life   kept after 2^12  2^16   2^20");
            List<MambaMemory.Channel> shown = carriers.isEmpty()
                    ? mem.channels().stream().sorted((a, b) -> Double.compare(b.selectivity(), a.selectivity())).toList()
                    : carriers;
            for (MambaMemory.Channel c : shown.subList(0, Math.min(top, shown.size()))) {
                o.printf(Locale.ROOT, "  %-15s %3s  %7.4f  %8.2e  %6.0f  %6.3f  %10s   %13.3f  %6.3f  %5.3f%n",
                        UnitNames.channel(r.hyperparameters(), c.layer(), c.channel()), "+" + c.writeAt(), c.deltaAtWrite(), c.deltaOnNoise(), c.selectivity(), c.slowestRate(),
                        tokens(c.halfLife()), c.keptAfter(1 << 12), c.keptAfter(1 << 16), c.keptAfter(1 << 20));
            }
            if (!carriers.isEmpty()) {
                o.printf(Locale.ROOT, "the longest-lived channel that writes M keeps half of it for %s tokens%n",
                        tokens(carriers.get(0).halfLife()));
            }
        }
        return Cli.OK;
    }

    private static String tokens(double t) {
        return t >= 1e7 ? String.format(Locale.ROOT, "%.1e", t) : String.format(Locale.ROOT, "%,.0f", t);
    }
}
