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

    public static final List<String> NAMES = List.of("demo-position", "demo-induction", "demo-induction-256",
            "demo-mamba", "demo-mamba-long", "demo-olsson");
    static final List<String> FILES = List.of("config.json", "checkpoint.zip", "metrics.csv", "sweep.csv",
            "heads.csv", "attention.bin.gz");

    private DemoRun() {}

    public static void installIfMissing(Path runsDirectory) {
        Path marker = runsDirectory.resolve(".demo-installed");
        try {
            // the marker lists the demos copied once (a demo the user deleted stays deleted); a demo added in
            // a later version of the lab is copied on its first start
            List<String> done = Files.exists(marker) ? Files.readAllLines(marker) : List.of();
            if (Files.exists(marker) && done.stream().noneMatch(NAMES::contains)) {
                done = List.of("demo-position", "demo-induction"); // the marker of the first versions held prose
            }
            Files.createDirectories(runsDirectory);
            List<String> installed = new java.util.ArrayList<>(done);
            for (String name : NAMES) {
                Path dir = runsDirectory.resolve(name);
                if (done.contains(name) || Files.exists(dir)) {
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
                    installed.add(name);
                } else {
                    try (var s = Files.list(tmp)) {
                        for (Path p : s.toList()) {
                            Files.delete(p);
                        }
                    }
                    Files.delete(tmp);
                }
            }
            Files.write(marker, installed); // delete this file to copy every demo run again
        } catch (IOException e) {
            // no demo is not worth stopping the lab for
        }
    }
}
