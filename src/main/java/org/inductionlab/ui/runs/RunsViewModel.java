package org.inductionlab.ui.runs;

import org.inductionlab.engine.lab.study.Study;
import org.inductionlab.engine.lab.study.StudyProgress;
import java.util.List;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.ObservableList;
import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.lab.ShortcutProbe;
import org.inductionlab.engine.lab.RunCatalogue;
import org.inductionlab.ui.BackgroundTask;
import org.inductionlab.ui.Fx;
import org.inductionlab.ui.LabContext;
import org.inductionlab.engine.lab.RunEntry;
import org.inductionlab.ui.event.RunEvents;

import java.nio.file.Path;
import java.util.Map;
import org.inductionlab.engine.lab.ModelExchange;

/**
 * The Runs page: list, open (to Train, Sweep or Attention, by publishing an event the page that can do it
 * hears), rename and delete (the engine's, off the UI thread), and open a run folder from anywhere.
 */
public final class RunsViewModel {

    private final LabContext ctx;
    private final StringProperty message = new SimpleStringProperty("");
    private final BooleanProperty error = new SimpleBooleanProperty(false);
    private final StringProperty probeText = new SimpleStringProperty("");
    private final ReadOnlyObjectWrapper<ShortcutProbe.Result> probeResult = new ReadOnlyObjectWrapper<>();
    private final StringProperty unreadable = new SimpleStringProperty("");
    private final BackgroundTask probes;
    private final BackgroundTask actions;
    private Path probed; // the run the probe result shown is for
    private Path selected; // the run the page has selected, when it says

    public RunsViewModel(LabContext ctx) {
        this.ctx = ctx;
        this.probes = BackgroundTask.quick(ctx.executor());
        this.actions = BackgroundTask.quick(ctx.executor());
        ctx.runs().unreadable().addListener((javafx.collections.ListChangeListener<RunCatalogue.Unreadable>) c -> showUnreadable());
        showUnreadable();
    }

    /**
     * The run folders that cannot be read, one line each with the reason (shown red), or "" when every
     * folder reads: a corrupt config.json is named here rather than leaving its run silently unlisted.
     */
    public StringProperty unreadable() {
        return unreadable;
    }

    private void showUnreadable() {
        List<RunCatalogue.Unreadable> bad = List.copyOf(ctx.runs().unreadable());
        StringBuilder sb = new StringBuilder();
        if (!bad.isEmpty()) {
            sb.append(bad.size() == 1 ? "1 run folder cannot be read" : bad.size() + " run folders cannot be read")
                    .append(" (fix its config.json, or delete the folder):");
            for (RunCatalogue.Unreadable u : bad) {
                sb.append("\n").append(u.path().getFileName()).append(": ").append(u.reason());
            }
        }
        unreadable.set(sb.toString());
    }

    public ObservableList<RunEntry> runs() {
        return ctx.runs().runs();
    }

    /** What the last action did, or why it failed. */
    public StringProperty message() {
        return message;
    }

    /** Whether {@link #message()} is an error (shown red). */
    public BooleanProperty error() {
        return error;
    }

    private void say(String text, boolean isError) {
        message.set(text);
        error.set(isError);
    }

    public void refresh() {
        ctx.runs().refresh();
    }

    /** Shows the run's curve and settings on the Train page (and lets a stopped run be resumed). */
    public void openInTrain(RunEntry r) {
        if (ctx.runs().training().get() != null) {
            say("Training is running; open the run after it stops.", true);
            return;
        }
        ctx.events().publish(new RunEvents.ShowInTrain(r));
        ctx.navigate(LabContext.Page.TRAIN);
    }

    public void openInAttention(RunEntry r) {
        ctx.events().publish(new RunEvents.ShowInAttention(r));
        ctx.navigate(LabContext.Page.ATTENTION);
    }

    /** The last probe's verdict and table, as text for the page ("" before any). */
    public StringProperty probeText() {
        return probeText;
    }

    /** The last probe's result (the numbers behind {@link #probeText()}); null before any. */
    public ReadOnlyObjectProperty<ShortcutProbe.Result> probeResult() {
        return probeResult.getReadOnlyProperty();
    }

    /**
     * Induction or position? Runs the engine's shortcut probe on the run in the background (a few seconds
     * for a small model), with the command line's default sequence count and seed, and shows the verdict,
     * the sentence that says why and the table with the sequences of each cell.
     */
    public void probe(RunEntry r) {
        say("Probing " + r.name() + "…", false);
        probeText.set("");
        probeResult.set(null);
        probed = r.path();
        probes.start(request -> {
            try (LoadedRun run = LoadedRun.open(r.path(), null)) {
                return ShortcutProbe.probe(run, ShortcutProbe.DEFAULT_SEQUENCES, ShortcutProbe.DEFAULT_SEED);
            }
        }, result -> {
            StringBuilder sb = new StringBuilder(r.name() + ": " + result.verdict() + "\n" + result.why() + "\n");
            if (result.heads() != null) {
                sb.append("Heads: ").append(result.heads().sentence()).append("\n");
            }
            for (ShortcutProbe.Cell c : result.table()) {
                sb.append(String.format(java.util.Locale.ROOT, "%n%-10s %-22s L=%-6d %5.1f %% of %d", c.layout(),
                        c.why(), c.length(), 100 * c.point().accuracy(), c.point().sequences()));
            }
            say("Probed " + r.name() + ": " + result.verdict(), false);
            if (r.path().equals(probed) && (selected == null || selected.equals(r.path()))) {
                probeResult.set(result); // shown only under the run it is for
                probeText.set(sb.toString());
            }
        }, e -> say("Probe failed: " + Fx.message(e), true));
    }

    /**
     * The page's selection changed: a probe result belongs to its run, so it goes when another run (or none)
     * is selected, rather than staying under a run it does not describe.
     */
    public void select(RunEntry r) {
        selected = r == null ? null : r.path();
        if (probed != null && !probed.equals(selected)) {
            probed = null;
            probeText.set("");
            probeResult.set(null);
        }
    }

    /** Adds the run to the Sweep plot, beside any already there. */
    public void compare(RunEntry r) {
        ctx.events().publish(new RunEvents.AddToPlot(r));
        ctx.navigate(LabContext.Page.SWEEP);
    }

    /** Opens a run folder from anywhere (one trained on the command line, for instance). */
    public void openFolder(Path dir) {
        actions.submit(request -> ctx.runs().open(dir), e -> {
            say("Added " + e.name() + " from " + dir, false);
            ctx.runs().refresh();
        }, e -> say("Not a run folder: " + Fx.message(e), true));
    }

    /**
     * Opens a study folder (study.json and runs/): its runs join the list, and the Sweep page shows them
     * grouped by a setting the study varies.
     */
    public void openStudy(Path dir) {
        actions.submit(request -> {
            Study study = Study.open(dir);
            List<StudyProgress.Line> lines = StudyProgress.of(study, null);
            for (int i = 0; i < study.runs().size(); i++) {
                if (RunCatalogue.looksLikeRun(study.runPath(i))) { // listed, or named as unreadable
                    ctx.runs().remember(study.runPath(i));
                }
            }
            java.util.Map<StudyProgress.State, Long> counts = lines.stream().collect(java.util.stream.Collectors
                    .groupingBy(StudyProgress.Line::state, () -> new java.util.EnumMap<>(StudyProgress.State.class),
                            java.util.stream.Collectors.counting()));
            String summary = java.util.Arrays.stream(StudyProgress.State.values())
                    .map(s -> counts.getOrDefault(s, 0L) + " " + s.word())
                    .collect(java.util.stream.Collectors.joining(", "));
            return "Opened study " + study.name() + ": " + study.runs().size() + " runs (" + summary
                    + "). The Sweep page groups them by " + String.join(", ", study.groupKeys()) + ".";
        }, text -> {
            ctx.runs().refresh();
            say(text, false);
            ctx.events().publish(new RunEvents.ShowStudy(dir));
            ctx.navigate(LabContext.Page.SWEEP);
        }, e -> say("Not a study folder: " + Fx.message(e), true));
    }

    /**
     * Whether a model file needs the number of heads from the user: a file the lab did not write carries
     * no hyperparameters, and shapes cannot tell the heads. Reads only the header.
     */
    public static boolean needsHeads(Path file) {
        return ModelExchange.needsHeads(file);
    }

    /**
     * A new run in the runs folder from a safetensors model (exported by the lab or saved from PyTorch),
     * named after the file; {@code heads} is null when the file says it.
     */
    public void importModel(Path file, Integer heads) {
        say("Importing " + file.getFileName() + "…", false);
        actions.submit(request -> {
            String stem = file.getFileName().toString().replaceFirst("\\.safetensors$", "");
            String name = RunCatalogue.freshName(ctx.runs().directory(), stem);
            var in = ModelExchange.importFile(file, ctx.runs().directory().resolve(name),
                    heads == null ? Map.of() : Map.of("heads", String.valueOf(heads)), Map.of(), false);
            return "Imported " + name + " from " + file.getFileName() + " (" + in.tensors() + " tensors, "
                    + in.scheme().words + "). Open it in Attention, probe it or sweep it like any run.";
        }, text -> {
            ctx.runs().refresh();
            say(text, false);
        }, e -> say("Import failed: " + Fx.message(e), true));
    }

    /** Writes the run's weights and hyperparameters to a safetensors file (for PyTorch: python/induction_lab_torch.py). */
    public void exportModel(RunEntry r, Path file) {
        actions.submit(request -> {
            ModelExchange.export(r.path(), file);
            return file;
        }, f -> say("Exported " + r.name() + " to " + f, false), e -> say("Export failed: " + Fx.message(e), true));
    }

    /** Renames the folder in place; refuses a name in use or a run being trained. */
    public void rename(RunEntry r, String newName) {
        if (ctx.runs().isTraining(r.path())) {
            say(r.name() + " is being trained; stop it first.", true);
            return;
        }
        actions.submit(request -> {
            Path target = RunCatalogue.rename(r.path(), newName);
            ctx.runs().forget(r.path());
            ctx.runs().remember(target);
            return target;
        }, target -> {
            ctx.events().publish(new RunEvents.Moved(r.path(), target));
            say("Renamed " + r.name() + " to " + newName, false);
            ctx.runs().refresh();
        }, e -> say("Rename failed: " + Fx.message(e), true));
    }

    /** Deletes the run folder and everything in it (the page asks first). */
    public void delete(RunEntry r) {
        if (ctx.runs().isTraining(r.path())) {
            say(r.name() + " is being trained; stop it first.", true);
            return;
        }
        actions.submit(request -> {
            RunCatalogue.delete(r.path());
            ctx.runs().forget(r.path());
            return r.path();
        }, gone -> {
            ctx.events().publish(new RunEvents.Moved(gone, null));
            say("Deleted " + r.name(), false);
            ctx.runs().refresh();
        }, e -> say("Delete failed: " + Fx.message(e), true));
    }
}
