package org.inductionlab.engine.platform;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The GPU's marketing name, from nvidia-smi when it is on the PATH (DJL does not expose it). */
final class GpuInfo {
    private GpuInfo() {}

    static String name(int index) {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=name", "--format=csv,noheader", "-i",
                    Integer.toString(index)).redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                List<String> lines = r.lines().toList();
                if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && !lines.isEmpty()) {
                    return lines.get(0).trim();
                }
            }
        } catch (Exception e) {
            // no nvidia-smi: the index alone will do
        }
        return null;
    }
}
