package org.inductionlab.engine.lab;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.inductionlab.engine.config.Hyperparameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The peer figure beside the lab's training step: the same Transformer at the same batch and length, trained
 * by PyTorch eager (the shipped python/bench_torch.py, with the lab's model from python/induction_lab_torch.py)
 * on the same kind of device and threads, where a Python with torch is installed.
 */
public final class TorchPeer {
    private TorchPeer() {}

    /** What PyTorch measured, or why there is no figure ({@code msPerStep} NaN). */
    public record Result(double msPerStep, String device, String torch, String unavailable) {
        static Result none(String why) {
            return new Result(Double.NaN, null, null, why);
        }

        public boolean measured() {
            return !Double.isNaN(msPerStep);
        }
    }

    /** The Python to ask: INDUCTIONLAB_PYTHON, else python3. */
    public static String defaultPython() {
        String p = System.getenv("INDUCTIONLAB_PYTHON");
        return p == null || p.isBlank() ? "python3" : p;
    }

    /** Median ms per PyTorch training step of {@code hp} on a device of {@code device}'s kind. */
    public static Result measure(String python, Hyperparameters hp, Device device, int threads, int warmup, int steps) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("inductionlab-torch-bench");
            for (String script : List.of("bench_torch.py", "induction_lab_torch.py")) {
                try (InputStream in = TorchPeer.class.getResourceAsStream("/inductionlab/python/" + script)) {
                    if (in == null) {
                        return Result.none("python/" + script + " is not in this build");
                    }
                    Files.copy(in, dir.resolve(script), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            List<String> cmd = new ArrayList<>(List.of(python, dir.resolve("bench_torch.py").toString(),
                    new ObjectMapper().writeValueAsString(hp.toText()), "--steps", Integer.toString(steps),
                    "--warmup", Integer.toString(warmup), "--device", device.isGpu() ? "cuda" : "cpu",
                    "--threads", Integer.toString(Math.max(0, threads))));
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException e) {
                return Result.none(python + " cannot be started (set INDUCTIONLAB_PYTHON to a Python with torch)");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(600, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Result.none("PyTorch's step did not finish in 10 minutes");
            }
            if (p.exitValue() != 0 || out.isEmpty()) {
                return Result.none(python + " has no torch (python3 -m pip install torch, or set INDUCTIONLAB_PYTHON)");
            }
            JsonNode r = new ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElse("{}"));
            return new Result(r.path("ms_per_step").asDouble(Double.NaN), r.path("device").asText(null),
                    r.path("torch").asText(null), null);
        } catch (IOException e) {
            return Result.none("PyTorch's figure could not be read: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.none("interrupted");
        } finally {
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException ignored) {
                    // a temp folder left behind
                }
            }
        }
    }
}
