package org.inductionlab.engine.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A named set of overrides of the defaults (nanoGPT style), stored as JSON:
 * {@code {"description": "...", "values": {"norm": "pre", ...}}}. The built-in ones ship in
 * {@code resources/presets/}; a path to a .json file works too.
 */
public record Preset(String name, String description, Map<String, String> values) {

    /** The presets that ship with the lab, in the order the chooser shows them. */
    public static final List<String> BUILT_IN = List.of("induction", "olsson", "attention-long", "course", "fast", "tiny",
            "mha-abs", "mha-rope", "mha-xpos", "mamba-long", "mamba-fast", "mamba");

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private record Stored(@JsonProperty("description") String description,
                          @JsonProperty("values") Map<String, String> values) {}

    /** The defaults with this preset's values applied. */
    public Hyperparameters apply() {
        return Hyperparameters.defaults().with(values);
    }

    /** A built-in preset by name, or a preset file by path. Unknown names are bad input naming the choices. */
    public static Preset load(String nameOrPath) {
        String name = nameOrPath == null ? "" : nameOrPath.trim();
        try {
            if (name.endsWith(".json") && Files.exists(Path.of(name))) {
                try (InputStream in = Files.newInputStream(Path.of(name))) {
                    return read(Path.of(name).getFileName().toString().replaceFirst("\\.json$", ""), in);
                }
            }
            try (InputStream in = Preset.class.getResourceAsStream("/inductionlab/presets/" + name + ".json")) {
                if (in == null || !BUILT_IN.contains(name)) {
                    throw new InvalidConfigException("preset", "unknown preset '" + name + "' (allowed: "
                            + String.join(", ", BUILT_IN) + ", or a path to a .json file)");
                }
                return read(name, in);
            }
        } catch (IOException e) {
            throw new InvalidConfigException("preset", "cannot read '" + name + "': " + e.getMessage());
        }
    }

    private static Preset read(String name, InputStream in) throws IOException {
        Stored s = JSON.readValue(in, Stored.class);
        Map<String, String> values = s.values() == null ? Map.of() : new LinkedHashMap<>(s.values());
        Preset p = new Preset(name, s.description() == null ? "" : s.description(), values);
        p.apply(); // fail now, naming the bad key, rather than when training starts
        return p;
    }

    public static List<Preset> builtIn() {
        return BUILT_IN.stream().map(Preset::load).toList();
    }
}
