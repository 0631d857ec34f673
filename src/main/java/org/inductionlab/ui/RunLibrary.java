package org.inductionlab.ui.runs;

import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunFolderException;
import org.inductionlab.engine.run.Runs;
import org.inductionlab.ui.Fx;
import org.inductionlab.ui.LabSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The runs the lab knows: every run folder in the runs directory, plus folders opened from elsewhere
 * (a run trained on a cluster, say). Shared by every page; refreshed after anything changes a run.
 */
public final class RunLibrary {

    private final LabSettings settings;
    private final ObservableList<RunEntry> runs = FXCollections.observableArrayList();

    public RunLibrary(LabSettings settings) {
        this.settings = settings;
    }

    public ObservableList<RunEntry> runs() {
        return runs;
    }

    public Path directory() {
        return settings.runsDirectory();
    }

    /** Rescans on the calling thread and publishes on the FX thread. */
    public List<RunEntry> refresh() {
        List<RunEntry> found = scan();
        Fx.run(() -> runs.setAll(found));
        return found;
    }

    List<RunEntry> scan() {
        List<RunEntry> found = new ArrayList<>();
        Set<Path> seen = new LinkedHashSet<>();
        try {
            for (RunFolder f : Runs.list(directory())) {
                seen.add(f.path().toAbsolutePath().normalize());
                found.add(RunEntry.of(f));
            }
        } catch (IOException | RuntimeException e) {
            // an unreadable directory shows as no runs
        }
        for (String extra : settings.getList("extra_runs")) {
            Path p = Path.of(extra).toAbsolutePath().normalize();
            if (seen.add(p) && Files.exists(p.resolve(RunFolder.CONFIG))) {
                try {
                    found.add(RunEntry.of(RunFolder.open(p)));
                } catch (RunFolderException e) {
                    // damaged since it was added: leave it out
                }
            }
        }
        return found;
    }

    /** Adds a run folder from outside the runs directory; throws a clear error when it is not a run. */
    public RunEntry open(Path dir) {
        RunEntry entry = RunEntry.of(RunFolder.open(dir));
        List<String> extra = settings.getList("extra_runs");
        String p = dir.toAbsolutePath().normalize().toString();
        if (!extra.contains(p) && !dir.toAbsolutePath().normalize().startsWith(directory().toAbsolutePath().normalize())) {
            extra.add(p);
            settings.put("extra_runs", extra);
            settings.save();
        }
        refresh();
        return entry;
    }

    /** Forgets an outside folder (after it was deleted or renamed). */
    void forget(Path dir) {
        List<String> extra = settings.getList("extra_runs");
        if (extra.remove(dir.toAbsolutePath().normalize().toString())) {
            settings.put("extra_runs", extra);
            settings.save();
        }
    }

    void remember(Path dir) {
        if (!dir.toAbsolutePath().normalize().startsWith(directory().toAbsolutePath().normalize())) {
            List<String> extra = settings.getList("extra_runs");
            extra.add(dir.toAbsolutePath().normalize().toString());
            settings.put("extra_runs", extra);
            settings.save();
        }
    }

    public Optional<RunEntry> find(String name) {
        return runs.stream().filter(r -> r.name().equals(name)).findFirst();
    }
}
