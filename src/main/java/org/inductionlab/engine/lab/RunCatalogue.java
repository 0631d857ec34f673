package org.inductionlab.engine.lab;

import org.inductionlab.engine.lab.study.Study;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunFolderException;
import org.inductionlab.engine.run.RunNames;
import org.inductionlab.engine.run.Runs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The runs a user has: every run folder in a runs directory and any opened from elsewhere, listed with the
 * folders that look like runs but cannot be read (and why), renamed, deleted, and named. Whether a listed
 * run can be resumed is {@link TrainingJob}'s rule ({@link RunEntry#resumable()}), not a second one.
 */
public final class RunCatalogue {
    private RunCatalogue() {}

    /** A folder that holds a config.json but cannot be opened as a run, and why, in one line. */
    public record Unreadable(Path path, String reason) {}

    /** The runs, newest first, and the folders that look like runs but cannot be read. */
    public record Listing(List<RunEntry> runs, List<Unreadable> unreadable) {}

    /**
     * Run folders directly under {@code root}, newest first, then each of {@code elsewhere} (folders outside
     * it, opened before) that still holds a config.json; beside them every such folder that does not open
     * (corrupt JSON, a bad value, settings the checkpoint was not trained with) with the reason, so a front
     * end shows it rather than letting it vanish. A root that cannot be listed lists no runs.
     */
    public static Listing list(Path root, Collection<Path> elsewhere) {
        List<RunFolder> folders = new ArrayList<>();
        List<Unreadable> bad = new ArrayList<>();
        Set<Path> seen = new LinkedHashSet<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.list(root)) {
                for (Path p : s.filter(Files::isDirectory).sorted().toList()) {
                    if (Files.exists(p.resolve(RunFolder.CONFIG))) {
                        seen.add(p.toAbsolutePath().normalize());
                        open(p, folders, bad);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // an unreadable directory shows as no runs
            }
        }
        folders.sort(Comparator.comparing((RunFolder f) -> String.valueOf(f.info().created())).reversed());
        List<RunEntry> runs = new ArrayList<>(folders.stream().map(RunEntry::of).toList());
        for (Path extra : elsewhere) {
            Path p = extra.toAbsolutePath().normalize();
            if (seen.add(p) && Files.exists(p.resolve(RunFolder.CONFIG))) {
                List<RunFolder> one = new ArrayList<>();
                open(p, one, bad); // damaged since it was opened: named, not dropped
                one.forEach(f -> runs.add(RunEntry.of(f)));
            }
        }
        return new Listing(runs, bad);
    }

    private static void open(Path dir, List<RunFolder> runs, List<Unreadable> bad) {
        try {
            runs.add(RunFolder.open(dir));
        } catch (RunFolderException e) {
            bad.add(new Unreadable(dir, e.getMessage()));
        }
    }

    /** Whether {@code dir} holds a config.json: a run, or one the catalogue names as unreadable. */
    public static boolean looksLikeRun(Path dir) {
        return Files.exists(dir.resolve(RunFolder.CONFIG));
    }

    /** The run in {@code dir}, listed; a folder that is not a readable run throws, saying why. */
    public static RunEntry open(Path dir) {
        return RunEntry.of(RunFolder.open(dir));
    }

    /** The runs of {@code study}, listed; a run folder removed by hand is left out, the others still list. */
    public static List<RunEntry> runsOf(Study study) {
        List<RunEntry> out = new ArrayList<>();
        for (int i = 0; i < study.runs().size(); i++) {
            try {
                out.add(open(study.runPath(i)));
            } catch (RuntimeException missing) {
                // not there, or not readable: the study's status says which
            }
        }
        return out;
    }

    /** Renames a run folder in place (atomically where the file system can); returns the new path. */
    public static Path rename(Path dir, String newName) throws IOException {
        return Runs.rename(dir, newName);
    }

    /** Deletes a run folder and everything in it; refuses a folder that is not a run. */
    public static void delete(Path dir) throws IOException {
        Runs.delete(dir);
    }

    /** Why {@code name} cannot name a run folder, or null when it can. */
    public static String nameProblem(String name) {
        return RunNames.problem(name);
    }

    /** "fast-20261126-120102", with "-2", "-3"… added while {@code taken} says the name is in use. */
    public static String freshName(String stem, Predicate<String> taken) {
        return RunNames.fresh(stem, taken);
    }

    /** A fresh name for a new run in {@code dir}: no folder there has it. */
    public static String freshName(Path dir, String stem) {
        return RunNames.fresh(dir, stem);
    }
}
