package org.inductionlab.ui.runs;

import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.ObservableList;
import org.inductionlab.engine.run.RunFolderException;
import org.inductionlab.ui.LabContext;
import org.inductionlab.ui.attention.AttentionViewModel;
import org.inductionlab.ui.sweep.SweepViewModel;
import org.inductionlab.ui.train.TrainViewModel;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/** The Runs page: list, open (to Train, Sweep or Attention), compare on the plot, rename and delete. */
public final class RunsViewModel {

    private final LabContext ctx;
    private final TrainViewModel train;
    private final SweepViewModel sweep;
    private final AttentionViewModel attention;
    private final StringProperty message = new SimpleStringProperty("");

    public RunsViewModel(LabContext ctx, TrainViewModel train, SweepViewModel sweep, AttentionViewModel attention) {
        this.ctx = ctx;
        this.train = train;
        this.sweep = sweep;
        this.attention = attention;
    }

    public ObservableList<RunEntry> runs() {
        return ctx.runs().runs();
    }

    public StringProperty message() {
        return message;
    }

    public void refresh() {
        ctx.worker().submit(ctx.runs()::refresh);
    }

    /** Shows the run's curve and settings on the Train page (and lets a stopped run be resumed). */
    public void openInTrain(RunEntry r) {
        if (train.isTraining()) {
            message.set("Training is running; open the run after it stops.");
            return;
        }
        train.loadRun(r);
        ctx.navigate(LabContext.Page.TRAIN);
    }

    public void openInAttention(RunEntry r) {
        attention.run().set(r);
        attention.compute();
        ctx.navigate(LabContext.Page.ATTENTION);
    }

    /** Adds the run to the Sweep plot, beside any already there. */
    public void compare(RunEntry r) {
        sweep.add(r);
        ctx.navigate(LabContext.Page.SWEEP);
    }

    /** Opens a run folder from anywhere (one trained on the command line, for instance). */
    public RunEntry openFolder(Path dir) {
        RunEntry e = ctx.runs().open(dir);
        message.set("Added " + e.name() + " from " + dir);
        return e;
    }

    private boolean busy(RunEntry r) {
        return train.isTraining() && r.path().equals(train.activeRun());
    }

    /** Renames the folder (atomically, in place); refuses a name in use or a run being trained. */
    public void rename(RunEntry r, String newName) throws IOException {
        if (busy(r)) {
            throw new RunFolderException(r.name() + " is being trained; stop it first");
        }
        if (newName == null || !newName.matches("[A-Za-z0-9._-]+") || newName.startsWith(".")) {
            throw new RunFolderException("name: use letters, digits, '.', '_' and '-' only");
        }
        Path target = r.path().resolveSibling(newName);
        if (Files.exists(target)) {
            throw new RunFolderException("name: " + newName + " is taken");
        }
        try {
            Files.move(r.path(), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(r.path(), target);
        }
        ctx.runs().forget(r.path());
        ctx.runs().remember(target);
        attention.forgetModel();
        ctx.runs().refresh();
        message.set("Renamed " + r.name() + " to " + newName);
    }

    /** Deletes the run folder and everything in it (the page asks first). */
    public void delete(RunEntry r) throws IOException {
        if (busy(r)) {
            throw new RunFolderException(r.name() + " is being trained; stop it first");
        }
        Files.walkFileTree(r.path(), new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
        ctx.runs().forget(r.path());
        attention.forgetModel();
        sweep.selected().removeIf(x -> x.path().equals(r.path()));
        ctx.runs().refresh();
        message.set("Deleted " + r.name());
    }
}
