package org.inductionlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.inductionlab.engine.lab.Benchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure this machine: ms per training step, evaluation tokens/s, matmul GFLOP/s.",
                "Training steps of the course and fast presets, evaluation at 2^12 and 2^14, and the matmul, all"
                        + " measured in this one process."})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--json", description = "print one JSON object instead of lines")
    boolean json;

    @Option(names = "--steps", paramLabel = "N", description = "measured steps per preset (default 30)")
    int steps = 30;

    @Option(names = "--warmup", paramLabel = "N", description = "steps before measuring (default 5)")
    int warmup = 5;

    @Option(names = "--device", paramLabel = "D", description = "auto, cpu or gpu (default auto)")
    String device = "auto";

    @Option(names = "--threads", paramLabel = "N", description = "libtorch CPU threads (default: all cores)")
    int threads;

    @Option(names = "--python", paramLabel = "PY", description = "a Python with torch for PyTorch's figures beside"
            + " the lab's (default: INDUCTIONLAB_PYTHON, else python3; skipped with a note where torch is missing)")
    String python = org.inductionlab.engine.lab.TorchPeer.defaultPython();

    @Option(names = "--no-torch", description = "do not measure PyTorch beside the lab")
    boolean noTorch;

    @Override
    public Integer call() throws Exception {
        if (steps < 1 || steps > 100000) {
            throw new org.inductionlab.engine.config.InvalidConfigException("steps", steps + " is out of range (allowed: 1..100000)");
        }
        var settings = new Benchmark.Settings(Math.max(0, warmup), steps, EvalCommand.parseDevice(device), threads,
                noTorch ? null : python);
        Map<String, Object> r = Benchmark.run(settings, json ? line -> { } : System.out::println);
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(r));
        } else {
            System.out.println(summary(r));
        }
        return Cli.OK;
    }

    /**
     * The closing line: what the figures above were measured on, which the lines do not say, and where
     * every figure is as data. The lines printed as the benchmark ran hold the measurements.
     */
    static String summary(Map<String, Object> r) {
        return "measured on " + r.get("device") + " with libtorch " + r.get("libtorch") + " (" + r.get("flavor")
                + "), DJL " + r.get("djl") + " and the " + r.get("allocator")
                + (r.containsKey("mamba_scan") ? ", Mamba's training scan in " + r.get("mamba_scan") : "")
                + "; peak memory " + r.get("peak_rss_mib")
                + " MiB (--json gives every figure as one object)";
    }
}
