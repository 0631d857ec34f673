package org.inductionlab.ui.runs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The small trained runs that ship with the lab (trained by our own {@code train} command, see
 * resources/demo-runs/README.md), copied into the runs folder on first launch so the Attention and Sweep
 * pages have something to show in a classroom straight away. A run the user deleted is not restored.
 */
public final class DemoRun {

    public static final List<String> NAMES = List.of("demo-position", "demo-induction");
    static final List<String> FILES = List.of("config.json", "checkpoint.zip", "metrics.csv", "sweep.csv");

    private DemoRun() {}

    public static void installIfMissing(Path runsDirectory) {
        Path marker = runsDirectory.resolve(".demo-installed");
        if (Files.exists(marker)) {
            return;
        }
        try {
            Files.createDirectories(runsDirectory);
            for (String name : NAMES) {
                Path dir = runsDirectory.resolve(name);
                if (Files.exists(dir)) {
                    continue;
                }
                Path tmp = Files.createTempDirectory(runsDirectory, "." + name);
                boolean complete = true;
                for (String f : FILES) {
                    try (InputStream in = DemoRun.class.getResourceAsStream("/inductionlab/demo-runs/" + name + "/" + f)) {
                        if (in == null) {
                            complete = !f.equals("config.json") && !f.equals("checkpoint.zip") && complete;
                            continue;
                        }
                        Files.copy(in, tmp.resolve(f));
                    }
                }
                if (complete) {
                    Files.move(tmp, dir);
                } else {
                    try (var s = Files.list(tmp)) {
                        for (Path p : s.toList()) {
                            Files.delete(p);
                        }
                    }
                    Files.delete(tmp);
                }
            }
            Files.writeString(marker, "The demo runs were copied here once; delete this file to copy them again.\n");
        } catch (IOException e) {
            // no demo is not worth stopping the lab for
        }
    }
}
