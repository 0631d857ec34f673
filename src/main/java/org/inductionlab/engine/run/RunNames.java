package org.inductionlab.engine.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.function.Predicate;

/** What a run folder may be called, and a fresh name for a new run. */
public final class RunNames {
    private RunNames() {}

    /** Why {@code name} cannot name a run folder, or null when it can. */
    public static String problem(String name) {
        if (name == null || name.isBlank()) {
            return "give the run a name";
        }
        if (!name.matches("[A-Za-z0-9._-]+") || name.startsWith(".")) {
            return "use letters, digits, '.', '_' and '-' only";
        }
        return null;
    }

    /** "fast-20261126-120102", with "-2", "-3"… added when a folder of that name exists in {@code dir}. */
    public static String fresh(Path dir, String preset) {
        return fresh(preset, name -> Files.exists(dir.resolve(name)));
    }

    /** "fast-20261126-120102", with "-2", "-3"… added while {@code taken} says the name is in use. */
    public static String fresh(String preset, Predicate<String> taken) {
        String base = preset.replaceAll("[^A-Za-z0-9_-]", "") + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        String name = base;
        for (int i = 2; taken.test(name); i++) {
            name = base + "-" + i;
        }
        return name;
    }
}
