package org.inductionlab.ui;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.inductionlab.engine.lab.RunCatalogue;
import org.inductionlab.engine.lab.RunEntry;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The runs the lab knows: every run folder in the runs directory, plus folders opened from elsewhere
 * (a run trained on a cluster, say). Shared by every page; rescanned off the FX thread after anything
 * changes a run, and published on it.
 */
public final class RunLibrary {

    private final LabSettings settings;
    private final TaskExecutor executor;
    private final ObservableList<RunEntry> runs = FXCollections.observableArrayList();
    private final ObservableList<RunCatalogue.Unreadable> unreadable = FXCollections.observableArrayList();
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
    public ObservableList<RunCatalogue.Unreadable> unreadable() {
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
            RunCatalogue.Listing listing = scan();
            executor.ui(() -> {
                runs.setAll(listing.runs());
                unreadable.setAll(listing.unreadable());
            });
        });
    }

    /** The engine's catalogue of the runs directory and the folders opened from elsewhere. */
    RunCatalogue.Listing scan() {
        return RunCatalogue.list(directory(), settings.getList("extra_runs").stream().map(Path::of).toList());
    }

    /** Reads a run folder from outside the runs directory and remembers it; throws when it is not a run. */
    public RunEntry open(Path dir) {
        RunEntry entry = RunCatalogue.open(dir);
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
