package org.inductionlab.engine.lab.study;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.inductionlab.engine.config.HyperparameterSchema;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.config.Preset;
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.lab.SweepJob;
import org.inductionlab.engine.run.RunNames;
import org.inductionlab.engine.task.TriggerLayout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A study described once: a base preset, settings every run shares, a grid (every combination) and/or a
 * list of runs, seeds, and the evaluation to run after training. Stored as JSON:
 *
 * <pre>{@code
 * {"name": "tiny-lr-seeds", "preset": "tiny",
 *  "set":  {"max_steps": 3000},
 *  "grid": {"lr": [0.001, 0.003]},
 *  "runs": [{"name": "rotary", "positional": "rotary"}, {"positional": "none"}],
 *  "seeds": [0, 1],
 *  "eval": {"min_exp": 6, "max_exp": 8, "layouts": ["anywhere", "fixed:5"], "sequences": 64}}
 * }</pre>
 *
 * The runs are every entry of {@code runs} (or one empty entry) × every combination of {@code grid} × every
 * seed. An entry of {@code runs} may have a {@code name}: it then names that variant in folder names and tables. Every key and value is checked here, before anything is written: an unknown key, a value a
 * setting does not take, or a name that could not be a folder name is bad input naming where it is.
 * Values reach folder names and job scripts only in the canonical form the setting prints.
 */
public record StudySpec(String name, String description, Preset preset, Map<String, String> shared,
                        Map<String, List<String>> grid, List<Variant> list, List<Long> seeds,
                        Evaluation evaluation) {

    /** The built-in example studies, loadable by name. */
    public static final List<String> BUILT_IN = List.of("tiny-lr-seeds", "positional-seeds", "transformer-vs-mamba",
            "table11", "attention-leads", "phase-change");

    private static final List<String> TOP_KEYS = List.of("name", "description", "preset", "set", "grid", "runs",
            "seeds", "eval");
    private static final List<String> EVAL_KEYS = List.of("min_exp", "max_exp", "layouts", "sequences", "seed",
            "shard_sequences");

    /** At most this many runs in one study (a typo in a grid should not plan a million folders). */
    public static final int MAX_RUNS = 10_000;

    static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /**
     * What to measure after training: lengths 2^minExp..2^maxExp (left out of a spec: 2^12, or 2^minExp if
     * that is longer — a fixed range, so every machine of a study measures the same lengths and a status
     * can tell a finished sweep without starting the engine),
     * on each layout (empty: the run's own), with {@code sequences} per length (0: the default rule);
     * {@code shardSequences} > 0 measures each length in shards of that many sequences (rounded up to whole
     * forward passes), each its own task ({@link org.inductionlab.engine.lab.ShardedSweep}); 0: in the run's task.
     */
    public record Evaluation(@JsonProperty("min_exp") int minExp, @JsonProperty("max_exp") Integer maxExp,
                             @JsonProperty("layouts") List<String> layouts, @JsonProperty("sequences") int sequences,
                             @JsonProperty("seed") long seed, @JsonProperty("shard_sequences") int shardSequences) {
        public static final Evaluation DEFAULT = new Evaluation(SweepJob.DEFAULT_MIN_EXPONENT, DEFAULT_MAX_EXP,
                List.of(), 0, 1, 0);

        /** The longest exponent measured: max_exp, or where a spec leaves it out {@link #DEFAULT_MAX_EXP} (min_exp if longer). */
        public int longestExponent() {
            return maxExp != null ? maxExp : Math.max(minExp, DEFAULT_MAX_EXP);
        }

        /** The layouts to measure for a run trained on {@code own}. */
        public List<TriggerLayout> layoutsFor(Hyperparameters hp) {
            return layouts.isEmpty() ? List.of(hp.layout()) : layouts.stream().map(TriggerLayout::parse).toList();
        }

        /** Whether the sweep is measured in shards. */
        public boolean sharded() {
            return shardSequences > 0;
        }

        /** The sharded sweep of a run with {@code hp}: every length and layout this evaluation asks for. */
        public org.inductionlab.engine.lab.ShardedSweep.Settings shardSettings(Hyperparameters hp) {
            int max = maxExp != null ? maxExp : Math.max(minExp, DEFAULT_MAX_EXP);
            return new org.inductionlab.engine.lab.ShardedSweep.Settings(minExp, max,
                    layoutsFor(hp).stream().map(TriggerLayout::toString).toList(), sequences, seed, shardSequences,
                    null, null);
        }
    }

    /** The longest length a study measures when its spec does not say: the sweep policy's fixed default, 2^12. */
    public static final int DEFAULT_MAX_EXP = SweepJob.FIXED_DEFAULT_MAX_EXPONENT;

    /** One run of the study: its folder name, its variant's name (or null), and its own settings. */
    public record Point(String name, String variant, Map<String, String> values) {}

    /** An entry of "runs": an optional name, and settings. */
    public record Variant(String label, Map<String, String> values) {}

    /** A built-in example by name, or a spec file by path. */
    public static StudySpec load(String nameOrPath) {
        String s = nameOrPath == null ? "" : nameOrPath.trim();
        Path path = Path.of(s);
        try {
            if (Files.isRegularFile(path)) {
                try (InputStream in = Files.newInputStream(path)) {
                    return parse(JSON.readTree(in), path.getFileName().toString().replaceFirst("\\.json$", ""),
                            path.toAbsolutePath().getParent());
                }
            }
            try (InputStream in = StudySpec.class.getResourceAsStream("/inductionlab/studies/" + s + ".json")) {
                if (in == null || !BUILT_IN.contains(s)) {
                    throw new InvalidConfigException("spec", "no study file '" + s + "' (a path to a .json file,"
                            + " or one of the examples: " + String.join(", ", BUILT_IN) + ")");
                }
                return parse(JSON.readTree(in), s, null);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidConfigException("spec", s + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidConfigException("spec", "cannot read " + s + ": " + e.getMessage());
        }
    }

    /** Checks a spec's JSON; {@code defaultName} names the study when the spec does not. */
    public static StudySpec parse(JsonNode root, String defaultName, Path baseDir) {
        if (root == null || !root.isObject()) {
            throw new InvalidConfigException("spec", "a study is a JSON object {\"preset\": …, \"grid\": {…}, …}");
        }
        onlyKeys(root, TOP_KEYS, "", "unknown key in the study");
        String name = text(root, "name", defaultName);
        String problem = RunNames.problem(name);
        if (problem != null) {
            throw new InvalidConfigException("name", "'" + name + "' cannot name a study folder: " + problem);
        }
        String description = text(root, "description", "");
        String presetName = text(root, "preset", "course");
        Preset preset = Preset.load(baseDir != null && presetName.endsWith(".json")
                && !Path.of(presetName).isAbsolute() ? baseDir.resolve(presetName).toString() : presetName);

        Map<String, String> shared = settings(root.get("set"), "set");
        Map<String, List<String>> grid = new LinkedHashMap<>();
        JsonNode g = root.get("grid");
        if (g != null) {
            if (!g.isObject()) {
                throw new InvalidConfigException("grid", "an object of setting → list of values, e.g. {\"lr\": [0.001, 0.003]}");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = g.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = key(e.getKey(), "grid." + e.getKey());
                if (!e.getValue().isArray() || e.getValue().isEmpty()) {
                    throw new InvalidConfigException("grid." + key, "a non-empty list of values, e.g. [0.001, 0.003]");
                }
                List<String> values = new ArrayList<>();
                for (JsonNode v : e.getValue()) {
                    String canonical = value(key, v, "grid." + key);
                    if (values.contains(canonical)) {
                        throw new InvalidConfigException("grid." + key, canonical + " is listed twice");
                    }
                    values.add(canonical);
                }
                grid.put(key, values);
            }
        }
        List<Variant> list = new ArrayList<>();
        JsonNode r = root.get("runs");
        if (r != null) {
            if (!r.isArray() || r.isEmpty()) {
                throw new InvalidConfigException("runs", "a non-empty list of objects, e.g. [{\"positional\": \"rotary\"}]");
            }
            Set<String> labels = new java.util.HashSet<>();
            for (int i = 0; i < r.size(); i++) {
                String where = "runs[" + i + "]";
                JsonNode entry = r.get(i);
                String label = null;
                if (entry instanceof ObjectNode o && o.has("name")) {
                    entry = o.deepCopy();
                    label = text(entry, "name", "");
                    ((ObjectNode) entry).remove("name");
                    String bad = RunNames.problem(label);
                    if (bad != null || !labels.add(label)) {
                        throw new InvalidConfigException(where + ".name", "'" + label + "' "
                                + (bad != null ? "cannot name runs: " + bad : "names two entries"));
                    }
                }
                list.add(new Variant(label, settings(entry, where)));
            }
            if (labels.size() != 0 && labels.size() != list.size()) {
                throw new InvalidConfigException("runs", "name every entry, or none");
            }
        }
        List<Long> seeds = new ArrayList<>();
        JsonNode s = root.get("seeds");
        if (s != null) {
            if (!s.isArray() || s.isEmpty()) {
                throw new InvalidConfigException("seeds", "a non-empty list of whole numbers, e.g. [0, 1, 2]");
            }
            for (JsonNode v : s) {
                long seed = Long.parseLong(value("seed", v, "seeds"));
                if (seeds.contains(seed)) {
                    throw new InvalidConfigException("seeds", seed + " is listed twice");
                }
                seeds.add(seed);
            }
        }
        for (String key : grid.keySet()) {
            if (shared.containsKey(key) || list.stream().anyMatch(m -> m.values().containsKey(key))) {
                throw new InvalidConfigException("grid." + key, "is also given in 'set' or 'runs'; give each setting in one place");
            }
        }
        if (!seeds.isEmpty() && (grid.containsKey("seed") || shared.containsKey("seed")
                || list.stream().anyMatch(m -> m.values().containsKey("seed")))) {
            throw new InvalidConfigException("seeds", "seed is also given in 'set', 'grid' or 'runs'; give it in one place");
        }
        StudySpec spec = new StudySpec(name, description, preset, shared, grid, list, seeds,
                evaluation(root.get("eval")));
        spec.points(); // checks every run's settings together (e.g. d_model divisible by heads) and the count
        return spec;
    }

    /** This spec with {@code overrides} (key → text) added to what every run shares: the --set of the CLI. */
    public StudySpec withShared(Map<String, String> overrides) {
        Map<String, String> s = new LinkedHashMap<>(shared);
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String key = key(e.getKey(), e.getKey());
            if (grid.containsKey(key) || list.stream().anyMatch(m -> m.values().containsKey(key))
                    || (key.equals("seed") && !seeds.isEmpty())) {
                throw new InvalidConfigException(key, "is varied by the study; it cannot be set for every run");
            }
            s.put(key, canonical(key, e.getValue(), key));
        }
        StudySpec spec = new StudySpec(name, description, preset, s, grid, list, seeds, evaluation);
        spec.points();
        return spec;
    }

    /** Whether the entries of "runs" have names: tables then have a "variant" column. */
    public boolean namedVariants() {
        return !list.isEmpty() && list.get(0).label() != null;
    }

    /** What a reader groups runs by: "variant" when the entries of "runs" are named, then the grid's keys and seed. */
    public List<String> groupKeys() {
        List<String> out = new ArrayList<>();
        if (namedVariants()) {
            out.add("variant");
            out.addAll(grid.keySet());
            if (!seeds.isEmpty()) {
                out.add("seed");
            }
            return out;
        }
        return variedKeys();
    }

    /** The settings that vary between runs, in the order the spec names them. */
    public List<String> variedKeys() {
        Set<String> keys = new LinkedHashSet<>();
        list.forEach(m -> keys.addAll(m.values().keySet()));
        keys.addAll(grid.keySet());
        if (!seeds.isEmpty()) {
            keys.add("seed");
        }
        return List.copyOf(keys);
    }

    /** Every run, in order: list entries outermost, then the grid in the order written, seeds innermost. */
    public List<Point> points() {
        long count = (long) Math.max(1, list.size()) * Math.max(1, seeds.size());
        for (List<String> v : grid.values()) {
            count *= v.size();
        }
        if (count > MAX_RUNS) {
            throw new InvalidConfigException("grid", count + " runs is too many (allowed: 1.." + MAX_RUNS + ")");
        }
        List<Map<String, String>> combos = new ArrayList<>();
        List<String> variants = new ArrayList<>();
        for (Variant entry : list.isEmpty() ? List.of(new Variant(null, Map.of())) : list) {
            List<Map<String, String>> partial = List.of(new LinkedHashMap<>(entry.values()));
            for (Map.Entry<String, List<String>> g : grid.entrySet()) {
                List<Map<String, String>> next = new ArrayList<>();
                for (Map<String, String> p : partial) {
                    for (String v : g.getValue()) {
                        Map<String, String> m = new LinkedHashMap<>(p);
                        m.put(g.getKey(), v);
                        next.add(m);
                    }
                }
                partial = next;
            }
            for (Map<String, String> p : partial) {
                if (seeds.isEmpty()) {
                    combos.add(p);
                    variants.add(entry.label());
                }
                for (long seed : seeds) {
                    Map<String, String> m = new LinkedHashMap<>(p);
                    m.put("seed", Long.toString(seed));
                    combos.add(m);
                    variants.add(entry.label());
                }
            }
        }
        int width = Integer.toString(combos.size() - 1).length();
        List<Point> out = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < combos.size(); i++) {
            Map<String, String> values = combos.get(i);
            hyperparameters(values, "run " + i); // every run's settings together
            StringBuilder n = new StringBuilder(String.format(Locale.ROOT, "%0" + width + "d", i));
            String variant = variants.get(i);
            if (variant != null) {
                n.append('_').append(variant);
            }
            for (Map.Entry<String, String> e : values.entrySet()) {
                boolean own = variant != null && list.stream().anyMatch(v -> v.label().equals(variant)
                        && v.values().containsKey(e.getKey()));
                if (!own) { // a named variant's own settings are in its name already
                    n.append('_').append(e.getKey()).append('-').append(e.getValue().replaceAll("[^A-Za-z0-9.+-]", "-"));
                }
            }
            String name = n.length() > 120 ? String.format(Locale.ROOT, "%0" + width + "d", i) : n.toString();
            if (!names.add(name) || RunNames.problem(name) != null) {
                name = String.format(Locale.ROOT, "%0" + width + "d", i);
            }
            out.add(new Point(name, variant, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values))));
        }
        return out;
    }

    /** The full settings of a run with {@code values}: base preset, then shared settings, then its own. */
    public Hyperparameters hyperparameters(Map<String, String> values, String where) {
        Map<String, String> all = new LinkedHashMap<>(shared);
        all.putAll(values);
        try {
            return preset.apply().with(all).validated();
        } catch (InvalidConfigException e) {
            throw new InvalidConfigException(where + " " + e.problems().get(0).key(), e.problems().get(0).message()
                    + " (settings " + all + ")");
        }
    }

    private static Evaluation evaluation(JsonNode e) {
        if (e == null) {
            return Evaluation.DEFAULT;
        }
        if (!e.isObject()) {
            throw new InvalidConfigException("eval", "an object, e.g. {\"min_exp\": 6, \"max_exp\": 8}");
        }
        onlyKeys(e, EVAL_KEYS, "eval.", "unknown key");
        int min = wholeNumber(e, "min_exp", SweepJob.DEFAULT_MIN_EXPONENT, SweepJob.MIN_EXPONENT, SweepJob.MAX_EXPONENT);
        Integer max = e.has("max_exp") ? wholeNumber(e, "max_exp", 0, min, SweepJob.MAX_EXPONENT) : null;
        max = new Evaluation(min, max, List.of(), 0, 1, 0).longestExponent();
        int seqs = wholeNumber(e, "sequences", 0, 0, LengthSweep.MAX_PLAN_SEQUENCES);
        long seed = wholeNumber(e, "seed", 1, 0, Integer.MAX_VALUE);
        int shard = wholeNumber(e, "shard_sequences", 0, 0, 1_000_000);
        List<String> layouts = new ArrayList<>();
        JsonNode l = e.get("layouts");
        if (l != null) {
            if (!l.isArray() || l.isEmpty()) {
                throw new InvalidConfigException("eval.layouts", "a non-empty list, e.g. [\"anywhere\", \"fixed:5\"]");
            }
            for (JsonNode v : l) {
                try {
                    String canonical = TriggerLayout.parse(v.asText()).toString();
                    if (!v.isTextual() || layouts.contains(canonical)) {
                        throw new IllegalArgumentException("'" + v.asText() + "' is not a layout or is listed twice");
                    }
                    layouts.add(canonical);
                } catch (IllegalArgumentException ex) {
                    throw new InvalidConfigException("eval.layouts", ex.getMessage() + " (allowed: fixed:P, prefix:K, anywhere)");
                }
            }
        }
        new LengthSweep.Plan(min, max, null, seqs, seed); // the sweep's own checks
        return new Evaluation(min, max, List.copyOf(layouts), seqs, seed, shard);
    }

    /** Bad input naming the first key of {@code node} that is not {@code allowed}, and the allowed ones. */
    private static void onlyKeys(JsonNode node, List<String> allowed, String prefix, String words) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new InvalidConfigException(prefix + k, words + " (allowed: " + String.join(", ", allowed) + ")");
            }
        }
    }

    private static int wholeNumber(JsonNode parent, String key, int fallback, int min, int max) {
        JsonNode v = parent.get(key);
        if (v == null) {
            return fallback;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
            throw new InvalidConfigException("eval." + key, v + " is out of range (allowed: " + min + ".." + max + ")");
        }
        return v.asInt();
    }

    private static String text(JsonNode root, String key, String fallback) {
        JsonNode v = root.get(key);
        if (v == null) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw new InvalidConfigException(key, "a string, e.g. \"" + fallback + "\"");
        }
        return v.asText();
    }

    private static Map<String, String> settings(JsonNode node, String where) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null) {
            return out;
        }
        if (!(node instanceof ObjectNode)) {
            throw new InvalidConfigException(where, "an object of setting → value, e.g. {\"max_steps\": 3000}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = key(e.getKey(), where + "." + e.getKey());
            out.put(key, value(key, e.getValue(), where + "." + key));
        }
        return out;
    }

    private static String key(String given, String where) {
        try {
            return HyperparameterSchema.field(given).key();
        } catch (InvalidConfigException e) {
            throw new InvalidConfigException(where, e.problems().get(0).message());
        }
    }

    private static String value(String key, JsonNode v, String where) {
        if (!(v.isTextual() || v.isNumber())) {
            throw new InvalidConfigException(where, v + " is not a value (give a number or a string)");
        }
        return canonical(key, v.asText(), where);
    }

    /** The value as the setting prints it; bad input naming {@code where} when the setting does not take it. */
    private static String canonical(String key, String text, String where) {
        HyperparameterSchema.Field f = HyperparameterSchema.field(key);
        try {
            return f.format(f.parse(text));
        } catch (InvalidConfigException e) {
            throw new InvalidConfigException(where, e.problems().get(0).message());
        }
    }

    /** The spec as JSON, for study.json: what was asked, after checking. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", name);
        o.put("description", description);
        o.put("preset", preset.name());
        o.set("preset_values", JSON.valueToTree(preset.values()));
        o.set("set", JSON.valueToTree(shared));
        o.set("grid", JSON.valueToTree(grid));
        if (!list.isEmpty()) {
            var runs = o.putArray("runs");
            for (Variant v : list) {
                ObjectNode e = runs.addObject();
                if (v.label() != null) {
                    e.put("name", v.label());
                }
                v.values().forEach(e::put);
            }
        }
        if (!seeds.isEmpty()) {
            o.set("seeds", JSON.valueToTree(seeds));
        }
        ObjectNode ev = o.putObject("eval");
        ev.put("min_exp", evaluation.minExp());
        ev.put("max_exp", evaluation.maxExp());
        if (!evaluation.layouts().isEmpty()) {
            ev.set("layouts", JSON.valueToTree(evaluation.layouts()));
        }
        ev.put("sequences", evaluation.sequences());
        ev.put("seed", evaluation.seed());
        if (evaluation.sharded()) {
            ev.put("shard_sequences", evaluation.shardSequences());
        }
        return o;
    }
}
