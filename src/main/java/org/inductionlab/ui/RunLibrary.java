package org.inductionlab.ui;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunFolderException;
import org.inductionlab.engine.run.Runs;

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
 * (a run trained on a cluster, say). Shared by every page; rescanned off the FX thread after anything
 * changes a run, and published on it.
 */
public final class RunLibrary {

    private final LabSettings settings;
    private final TaskExecutor executor;
    private final ObservableList<RunEntry> runs = FXCollections.observableArrayList();
    private final ObservableList<Runs.Unreadable> unreadable = FXCollections.observableArrayList();
    private final ObjectProperty<Path> training = new SimpleObjectProperty<>();

    public RunLibrary(LabSettings settings, TaskExecutor executor) {
        this.settings = settings;
        this.executor = executor;
    }

    public ObservableList<RunEntry> runs() {
        return runs;
    }

    /**
     * Folders that hold a config.json but cannot be read as runs, with the reason: not among {@link #runs()}
     * (no page can open them), but shown by the Runs page so a damaged run does not vanish unexplained.
     */
    public ObservableList<Runs.Unreadable> unreadable() {
        return unreadable;
    }

    public Path directory() {
        return settings.runsDirectory();
    }

    /** The run folder being trained now, or null: no page renames or deletes it meanwhile. */
    public ObjectProperty<Path> training() {
        return training;
    }

    public boolean isTraining(Path run) {
        return training.get() != null && training.get().equals(run);
    }

    /** Rescans in the background and publishes the list on the UI thread. */
    public void refresh() {
        executor.background(() -> {
            List<Runs.Unreadable> bad = new ArrayList<>();
            List<RunEntry> found = scan(bad);
            executor.ui(() -> {
                runs.setAll(found);
                unreadable.setAll(bad);
            });
        });
    }

    /** The readable runs; the folders that look like runs but cannot be read are added to {@code bad}. */
    List<RunEntry> scan(List<Runs.Unreadable> bad) {
        List<RunEntry> found = new ArrayList<>();
        Set<Path> seen = new LinkedHashSet<>();
        try {
            Runs.Listing listing = Runs.scan(directory());
            for (RunFolder f : listing.runs()) {
                seen.add(f.path().toAbsolutePath().normalize());
                found.add(RunEntry.of(f));
            }
            bad.addAll(listing.unreadable());
        } catch (IOException | RuntimeException e) {
            // an unreadable directory shows as no runs
        }
        for (String extra : settings.getList("extra_runs")) {
            Path p = Path.of(extra).toAbsolutePath().normalize();
            if (seen.add(p) && Files.exists(p.resolve(RunFolder.CONFIG))) {
                try {
                    found.add(RunEntry.of(RunFolder.open(p)));
                } catch (RunFolderException e) {
                    bad.add(new Runs.Unreadable(p, e.getMessage())); // damaged since it was added
                }
            }
        }
        return found;
    }

    /** Reads a run folder from outside the runs directory and remembers it; throws when it is not a run. */
    public RunEntry open(Path dir) {
        RunEntry entry = RunEntry.of(RunFolder.open(dir));
        remember(dir);
        return entry;
    }

    /** Forgets an outside folder (after it was deleted or renamed). */
    public void forget(Path dir) {
        List<String> extra = settings.getList("extra_runs");
        if (extra.remove(dir.toAbsolutePath().normalize().toString())) {
            settings.put("extra_runs", extra);
            settings.save();
        }
    }

    /** Remembers a folder outside the runs directory, so it is listed from now on. */
    public void remember(Path dir) {
        Path p = dir.toAbsolutePath().normalize();
        List<String> extra = settings.getList("extra_runs");
        // the scan lists the runs directory's own children; anything else (a study's runs too) is remembered
        if (!directory().toAbsolutePath().normalize().equals(p.getParent()) && !extra.contains(p.toString())) {
            extra.add(p.toString());
            settings.put("extra_runs", extra);
            settings.save();
        }
    }

    public Optional<RunEntry> find(String name) {
        return runs.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    public Optional<RunEntry> find(Path path) {
        return runs.stream().filter(r -> r.path().equals(path)).findFirst();
    }
}
