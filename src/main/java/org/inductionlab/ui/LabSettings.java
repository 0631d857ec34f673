package org.inductionlab.ui;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.inductionlab.engine.run.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the lab remembers between launches, as one JSON file in the lab's home folder
 * ({@code ~/.inductionlab/settings.json}; {@code -Dinductionlab.home} moves it, which the tests do).
 * Unreadable settings are ignored rather than stopping the lab.
 */
public final class LabSettings {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final Map<String, Object> values;

    private LabSettings(Path file, Map<String, Object> values) {
        this.file = file;
        this.values = values;
    }

    /** The lab's home folder: settings, and by default the runs. */
    public static Path home() {
        String prop = System.getProperty("inductionlab.home");
        return prop != null ? Path.of(prop) : Path.of(System.getProperty("user.home"), ".inductionlab");
    }

    @SuppressWarnings("unchecked")
    public static LabSettings load() {
        Path file = home().resolve("settings.json");
        Map<String, Object> values = new LinkedHashMap<>();
        if (Files.exists(file)) {
            try {
                values.putAll(JSON.readValue(file.toFile(), Map.class));
            } catch (IOException | RuntimeException e) {
                // a damaged settings file must not keep the lab from starting
            }
        }
        return new LabSettings(file, values);
    }

    public synchronized void save() {
        try {
            AtomicFiles.write(file, out -> JSON.writeValue(out, values));
        } catch (IOException e) {
            // settings are a convenience; losing them is not worth an error dialog
        }
    }

    public synchronized String get(String key, String fallback) {
        Object v = values.get(key);
        return v == null ? fallback : v.toString();
    }

    public synchronized double getDouble(String key, double fallback) {
        Object v = values.get(key);
        return v instanceof Number n ? n.doubleValue() : fallback;
    }

    public synchronized void put(String key, Object value) {
        values.put(key, value);
    }

    @SuppressWarnings("unchecked")
    public synchronized Map<String, String> getMap(String key) {
        Object v = values.get(key);
        Map<String, String> out = new LinkedHashMap<>();
        if (v instanceof Map<?, ?> m) {
            m.forEach((k, x) -> out.put(String.valueOf(k), String.valueOf(x)));
        }
        return out;
    }

    public synchronized List<String> getList(String key) {
        Object v = values.get(key);
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            l.forEach(x -> out.add(String.valueOf(x)));
        }
        return out;
    }

    /** Where runs are stored: the setting, else {@code -Dinductionlab.runs}, else HOME/runs. */
    public Path runsDirectory() {
        String prop = System.getProperty("inductionlab.runs");
        String fallback = prop != null ? prop : home().resolve("runs").toString();
        return Path.of(get("runs_directory", fallback));
    }
}
