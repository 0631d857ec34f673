package org.inductionlab.engine.config;

import org.inductionlab.engine.task.TriggerLayout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What each hyperparameter is called, what it means and which values it takes. Parsing, range checks and
 * the checks that involve two fields are all here, for the CLI, presets, run folders and the editor alike.
 */
public final class HyperparameterSchema {

    /** The editor's sections. */
    public enum Group {
        TASK("Task"),
        MODEL("Model"),
        OPTIMISATION("Optimisation"),
        STOPPING("Stopping"),
        RUN("Run");

        public final String title;

        Group(String title) {
            this.title = title;
        }
    }

    /** How a field's text is read. */
    public enum Kind {
        INT,
        LONG,
        DOUBLE,
        CHOICE,
        LAYOUT,
        /** One entry per layer ({@link LayerPositions}); {@code choices} are suggestions. */
        PER_LAYER,
        /** {@link Interventions}; {@code choices} are suggestions. */
        INTERVENTIONS,
        /** {@link GeneralisationLengths}; {@code choices} are suggestions. */
        LENGTH_FACTORS
    }

    /** One hyperparameter. Numeric ranges are inclusive. */
    public record Field(
            String key,
            Group group,
            String label,
            String help,
            Kind kind,
            double min,
            double max,
            List<String> choices,
            Function<Hyperparameters, Object> getter) {

        public Object get(Hyperparameters hp) {
            return getter.apply(hp);
        }

        /**
         * Whether the setting shapes the model or its data (the task and model groups), so that a run's
         * weights hold only with the value they were trained with: fixed on resume, and checked against
         * the checkpoint when a run is opened. The other groups (optimisation, stopping, run) may change.
         */
        public boolean fixedByWeights() {
            return group == Group.TASK || group == Group.MODEL;
        }

        /** The allowed values in words, e.g. "1..12" or "pre | post". */
        public String allowed() {
            return switch (kind) {
                case INT, LONG -> (long) min + ".." + (long) max;
                case DOUBLE -> fmt(min) + ".." + fmt(max);
                case CHOICE -> String.join(" | ", choices);
                case LAYOUT -> TriggerLayout.ALLOWED;
                case PER_LAYER -> LayerPositions.ALLOWED;
                case INTERVENTIONS -> Interventions.ALLOWED;
                case LENGTH_FACTORS -> GeneralisationLengths.ALLOWED;
            };
        }

        /** Reads the text; on failure throws naming this field and its allowed values. */
        public Object parse(String text) {
            String t = text == null ? "" : text.trim();
            try {
                Object value = switch (kind) {
                    case INT -> Integer.valueOf(Math.toIntExact(parseWhole(t)));
                    case LONG -> Long.valueOf(parseWhole(t));
                    case DOUBLE -> Double.valueOf(parseReal(t));
                    case CHOICE -> choice(t);
                    case LAYOUT -> TriggerLayout.parse(t);
                    case PER_LAYER -> LayerPositions.parse(t);
                    case INTERVENTIONS -> Interventions.parse(t);
                    case LENGTH_FACTORS -> GeneralisationLengths.parse(t);
                };
                String range = rangeProblem(value);
                if (range != null) {
                    throw new InvalidConfigException(key, range);
                }
                return value;
            } catch (InvalidConfigException e) {
                throw e;
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new InvalidConfigException(key, "'" + t + "' is not allowed (allowed: " + allowed() + ")");
            }
        }

        /** The value as text, the inverse of {@link #parse}. */
        public String format(Object value) {
            if (value instanceof Double d) {
                return fmt(d);
            }
            return String.valueOf(value);
        }

        String rangeProblem(Object value) {
            if (value instanceof Number n && kind != Kind.CHOICE) {
                double v = n.doubleValue();
                if (v < min || v > max || Double.isNaN(v)) {
                    return format(value) + " is out of range (allowed: " + allowed() + ")";
                }
            }
            return null;
        }

        private Object choice(String t) {
            String lower = t.toLowerCase(Locale.ROOT);
            if (!choices.contains(lower)) {
                throw new IllegalArgumentException(t);
            }
            return switch (key) {
                case "architecture" -> Architecture.valueOf(lower.toUpperCase(Locale.ROOT));
                case "task" -> TaskKind.valueOf(lower.toUpperCase(Locale.ROOT));
                case "norm" -> Norm.valueOf(lower.toUpperCase(Locale.ROOT));
                case "positional" -> PositionalKind.valueOf(lower.toUpperCase(Locale.ROOT));
                case "attention_scale" -> AttentionScale.valueOf(lower.toUpperCase(Locale.ROOT));
                case "optimizer" -> OptimizerKind.valueOf(lower.toUpperCase(Locale.ROOT));
                case "schedule" -> Schedule.valueOf(lower.toUpperCase(Locale.ROOT));
                case "device" -> DeviceChoice.valueOf(lower.toUpperCase(Locale.ROOT));
                default -> throw new IllegalStateException("no enum for " + key);
            };
        }
    }

    private static long parseWhole(String t) {
        // Accept 8192, 204_800 and 2e5 alike, but not 2.5.
        String s = t.replace("_", "");
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            double d = Double.parseDouble(s);
            if (d != Math.rint(d) || Math.abs(d) > 9e15) {
                throw new IllegalArgumentException(t);
            }
            return (long) d;
        }
    }

    private static double parseReal(String t) {
        double d = Double.parseDouble(t.replace("_", ""));
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException(t);
        }
        return d;
    }

    /** 8192, 0.0002, 0.1, 1e-7: plain decimals where they read well, scientific otherwise. */
    static String fmt(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return String.valueOf((long) d);
        }
        if (Math.abs(d) >= 1e-4 && Math.abs(d) < 1e7) {
            return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        return String.valueOf(d).replace("E", "e");
    }

    private static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Object::toString).collect(Collectors.toUnmodifiableList());
    }

    private static Field f(String key, Group g, String label, String help, Kind kind, double min, double max,
                           Function<Hyperparameters, Object> getter) {
        return new Field(key, g, label, help, kind, min, max, List.of(), getter);
    }

    private static Field c(String key, Group g, String label, String help, Enum<?>[] values,
                           Function<Hyperparameters, Object> getter) {
        return new Field(key, g, label, help, Kind.CHOICE, 0, 0, names(values), getter);
    }

    /** Every field, in the order the editor and config.json show them. */
    public static final List<Field> FIELDS = List.of(
            f("vocab", Group.TASK, "Vocabulary V", "Ordinary tokens 0..V-1; the induction token S is V.",
                    Kind.INT, 2, 1024, Hyperparameters::vocab),
            f("train_length", Group.TASK, "Training length L", "Tokens per training sequence, the answer included.",
                    Kind.INT, 8, 65536, Hyperparameters::trainLength),
            new Field("layout", Group.TASK, "Trigger layout",
                    "Where the first S goes: fixed:P (course: fixed:5), prefix:K (uniform in [0,K)) or anywhere.",
                    Kind.LAYOUT, 0, 0, List.of("fixed:5", "prefix:16", "anywhere"), Hyperparameters::layout),
            f("seed", Group.TASK, "Seed", "Seeds the data and the initial weights.",
                    Kind.LONG, 0, Long.MAX_VALUE, Hyperparameters::seed),
            c("task", Group.TASK, "Task",
                    "trigger: the course's task, scored on the token after the second S. repeat: Olsson et al.'s, a"
                            + " random block repeated after a random prefix, scored on every token of the repeat the"
                            + " first copy predicts (the layout does not apply). Transformer only.",
                    TaskKind.values(), Hyperparameters::task),

            c("architecture", Group.MODEL, "Architecture", "The sequence model: transformer (the course's) or mamba (Gu and Dao 2023).",
                    Architecture.values(), Hyperparameters::architecture),
            f("layers", Group.MODEL, "Layers", "Transformer blocks (the course: 2).",
                    Kind.INT, 1, 12, Hyperparameters::layers),
            f("d_model", Group.MODEL, "Width d_model", "Embedding width; must be divisible by heads.",
                    Kind.INT, 8, 1024, Hyperparameters::dModel),
            f("heads", Group.MODEL, "Heads", "Attention heads per layer; each is d_model/heads wide.",
                    Kind.INT, 1, 1024, Hyperparameters::heads),
            f("ff_mult", Group.MODEL, "Feed-forward multiplier", "Hidden width of the MLP is ff_mult * d_model.",
                    Kind.INT, 1, 16, Hyperparameters::ffMult),
            f("dropout", Group.MODEL, "Dropout", "Dropout on embeddings, attention weights and sub-layer outputs.",
                    Kind.DOUBLE, 0, 0.9, Hyperparameters::dropout),
            c("norm", Group.MODEL, "Norm placement", "pre: LayerNorm before each sub-layer; post: after the residual sum.",
                    Norm.values(), Hyperparameters::norm),
            c("positional", Group.MODEL, "Positional encoding",
                    "sinusoidal (course), learned (a table of max_positions rows), rotary, xpos (rotary with a decay"
                            + " over distance), alibi (a penalty growing with distance, per head), or none.",
                    PositionalKind.values(), Hyperparameters::positional),
            f("max_positions", Group.MODEL, "Learned table size",
                    "Rows of the learned position table; 0 means the training length. Longer sequences are refused.",
                    Kind.INT, 0, 1 << 20, Hyperparameters::maxPositions),
            new Field("layer_positional", Group.MODEL, "Positions per layer",
                    "same (every layer as positional), or one per layer: rotary, xpos, alibi, none or window:W (a query"
                            + " sees only the last W tokens), e.g. window:2,none. Then positional says only what is"
                            + " added to the embeddings (sinusoidal, learned or none).",
                    Kind.PER_LAYER, 0, 0, List.of("same", "window:2,none", "alibi,none"), Hyperparameters::layerPositional),
            c("attention_scale", Group.MODEL, "Attention scale",
                    "standard: scores / sqrt(d_head); log_length: also times ln(keys) / ln(train_length), so attention"
                            + " does not spread thinner on longer inputs (Nakanishi 2025).",
                    AttentionScale.values(), Hyperparameters::attentionScale),
            new Field("interventions", Group.MODEL, "Interventions",
                    "none, or experiments while training, comma separated: clamp:L0H1:previous:0-2000 (head 1 of layer 0"
                            + " attends to the token before, or uniform, at steps 0..1999; no steps: the whole run and after),"
                            + " knockout:L1H0 or knockout:L1 (that head's or layer's output zeroed, also after training),"
                            + " freeze:L0 (layer 0 keeps its initial weights). Transformer only.",
                    Kind.INTERVENTIONS, 0, 0, List.of("none", "clamp:L0H0:previous:0-1000", "knockout:L1",
                    "freeze:L0"), Hyperparameters::interventions),
            f("d_state", Group.MODEL, "Mamba state size",
                    "Mamba: numbers of state per channel (N; the paper: 16). Ignored by the Transformer.",
                    Kind.INT, 1, 256, Hyperparameters::dState),
            f("d_conv", Group.MODEL, "Mamba conv width",
                    "Mamba: width of the causal depthwise convolution (the paper: 4). Ignored by the Transformer.",
                    Kind.INT, 1, 16, Hyperparameters::dConv),
            f("expand", Group.MODEL, "Mamba expansion",
                    "Mamba: inner width E = expand * d_model (the paper: 2). Ignored by the Transformer.",
                    Kind.INT, 1, 8, Hyperparameters::expand),
            f("dt_rank", Group.MODEL, "Mamba Δ rank",
                    "Mamba: rank of the step-size projection; 0 = ceil(d_model / 16) as the paper. Ignored by the"
                            + " Transformer.",
                    Kind.INT, 0, 1024, Hyperparameters::dtRank),
            f("dt_min", Group.MODEL, "Mamba Δ init min",
                    "Mamba: each channel's step size Δ starts log-uniform in [dt_min, dt_max] (the paper: 0.001). A"
                            + " channel keeps a token for about 1 / (Δ |A|) steps, so a small dt_min gives slow"
                            + " channels from the start. Ignored by the Transformer.",
                    Kind.DOUBLE, 1e-8, 1, Hyperparameters::dtMin),
            f("dt_max", Group.MODEL, "Mamba Δ init max",
                    "Mamba: the upper end of the initial step sizes (the paper: 0.1). Ignored by the Transformer.",
                    Kind.DOUBLE, 1e-8, 10, Hyperparameters::dtMax),
            f("a_min", Group.MODEL, "Mamba |A| init min",
                    "Mamba: the state's decay rates |A| start evenly spaced from a_min to a_max in every channel"
                            + " (the paper: 1..d_state). Ignored by the Transformer.",
                    Kind.DOUBLE, 1e-6, 1e4, Hyperparameters::aMin),
            f("a_max", Group.MODEL, "Mamba |A| init max",
                    "Mamba: the largest initial decay rate |A|; 0 = d_state, as the paper. Ignored by the Transformer.",
                    Kind.DOUBLE, 0, 1e4, Hyperparameters::aMax),

            c("optimizer", Group.OPTIMISATION, "Optimizer", "adam or adamw (decoupled weight decay).",
                    OptimizerKind.values(), Hyperparameters::optimizer),
            f("lr", Group.OPTIMISATION, "Learning rate", "Peak learning rate.",
                    Kind.DOUBLE, 1e-7, 1, Hyperparameters::lr),
            f("weight_decay", Group.OPTIMISATION, "Weight decay", "L2 (adam) or decoupled (adamw) decay.",
                    Kind.DOUBLE, 0, 1, Hyperparameters::weightDecay),
            f("warmup_steps", Group.OPTIMISATION, "Warm-up steps", "Linear warm-up from 0 to lr.",
                    Kind.INT, 0, 10_000_000, Hyperparameters::warmupSteps),
            c("schedule", Group.OPTIMISATION, "Schedule", "constant, or cosine decay to 0 at max_steps.",
                    Schedule.values(), Hyperparameters::schedule),
            f("batch_size", Group.OPTIMISATION, "Batch size", "Sequences per step.",
                    Kind.INT, 1, 4096, Hyperparameters::batchSize),
            f("max_steps", Group.OPTIMISATION, "Max steps", "Training stops here at the latest (course: 25 epochs).",
                    Kind.LONG, 1, 1_000_000_000L, Hyperparameters::maxSteps),
            f("steps_per_epoch", Group.OPTIMISATION, "Steps per epoch", "The course calls 8192 steps an epoch.",
                    Kind.INT, 1, 10_000_000, Hyperparameters::stepsPerEpoch),
            f("curriculum_start", Group.OPTIMISATION, "Curriculum start length",
                    "0 = off. Otherwise train first at this length and double it each time the running accuracy"
                            + " reaches curriculum_advance, up to train_length (the early stop counts only there).",
                    Kind.INT, 0, 65536, Hyperparameters::curriculumStart),
            f("curriculum_advance", Group.OPTIMISATION, "Curriculum advance at",
                    "Running accuracy (over a full window) at which the curriculum doubles the length.",
                    Kind.DOUBLE, 0.05, 1, Hyperparameters::curriculumAdvance),
            f("curriculum_review", Group.OPTIMISATION, "Curriculum review share",
                    "0 = off. Once at train_length, this share of the steps re-trains the shorter stages' lengths"
                            + " in turn, so the model keeps them; those steps do not count toward the early stop.",
                    Kind.DOUBLE, 0, 0.5, Hyperparameters::curriculumReview),
            f("state_noise", Group.OPTIMISATION, "Mamba state noise",
                    "0 = off. Otherwise each training sequence's scan starts from a state drawn from N(0, state_noise²)"
                            + " instead of zeros (Buitrago, Gu et al. 2025): the model meets states like those long"
                            + " inputs reach. Ignored by the Transformer.",
                    Kind.DOUBLE, 0, 100, Hyperparameters::stateNoise),

            f("window", Group.STOPPING, "Accuracy window", "Steps averaged for the running accuracy.",
                    Kind.INT, 1, 100_000, Hyperparameters::window),
            f("target", Group.STOPPING, "Early-stop target",
                    "Stop once the running accuracy over a full window reaches this (1 never stops early unless perfect).",
                    Kind.DOUBLE, 0.01, 1, Hyperparameters::target),
            f("min_steps", Group.STOPPING, "No early stop before",
                    "The early stop is not checked before this step (0 = from the start): train on after the task is"
                            + " learned, e.g. to buy length generalisation.",
                    Kind.LONG, 0, 1_000_000_000L, Hyperparameters::minSteps),

            f("checkpoint_every", Group.RUN, "Checkpoint every", "Steps between checkpoints (one is always written at stop).",
                    Kind.INT, 1, 10_000_000, Hyperparameters::checkpointEvery),
            f("log_every", Group.RUN, "Log every", "Steps between rows of metrics.csv.",
                    Kind.INT, 1, 100_000, Hyperparameters::logEvery),
            f("scores_every", Group.RUN, "Head scores every",
                    "Steps between recordings of every head's scores (heads.csv), to watch a head form; 0 = never.",
                    Kind.INT, 0, 10_000_000, Hyperparameters::scoresEvery),
            f("generalisation_every", Group.RUN, "Longer lengths every",
                    "Steps between scorings of a fixed held-out set (S anywhere) at lengths beyond train_length"
                            + " (generalisation.csv), within generalisation_budget; 0 = never.",
                    Kind.INT, 0, 10_000_000, Hyperparameters::generalisationEvery),
            f("generalisation_budget", Group.RUN, "Longer lengths budget (%)",
                    "The most the held-out scorings may cost, in % of the time spent training: a scoring due every"
                            + " generalisation_every steps waits until it and the ones before fit (it is priced at"
                            + " what the last took; the first at its arithmetic). 0 = no limit.",
                    Kind.DOUBLE, 0, 100, Hyperparameters::generalisationBudget),
            new Field("generalisation_lengths", Group.RUN, "Longer lengths",
                    "The lengths generalisation_every scores, as multiples of train_length, each at most "
                            + GeneralisationLengths.MAX_LENGTH + " tokens.",
                    Kind.LENGTH_FACTORS, 0, 0, List.of("2x,4x,16x", "2x,4x", "2x,8x,32x"),
                    Hyperparameters::generalisationLengths),
            c("device", Group.RUN, "Device", "auto (a GPU if DJL sees one), cpu, or gpu (an error if there is none).",
                    DeviceChoice.values(), Hyperparameters::device),
            f("threads", Group.RUN, "CPU threads", "Threads for libtorch on the CPU; 0 means all cores.",
                    Kind.INT, 0, 1024, Hyperparameters::threads));

    /**
     * Whether {@code architecture} reads the setting {@code key} (every other field applies to all): the
     * key lists live on {@link Architecture}'s constants.
     */
    public static boolean applies(String key, Architecture architecture) {
        return architecture.reads(key);
    }

    private static final Map<String, Field> BY_KEY = new LinkedHashMap<>();

    static {
        for (Field f : FIELDS) {
            BY_KEY.put(f.key(), f);
        }
    }

    private HyperparameterSchema() {}

    /** The field for a key; unknown keys are bad input that lists the known ones. */
    public static Field field(String key) {
        Field f = BY_KEY.get(key == null ? "" : key.trim().toLowerCase(Locale.ROOT).replace('-', '_'));
        if (f == null) {
            throw new InvalidConfigException(String.valueOf(key),
                    "unknown key (allowed: " + String.join(", ", BY_KEY.keySet()) + ")");
        }
        return f;
    }

    public static List<String> keys() {
        return List.copyOf(BY_KEY.keySet());
    }

    /** Builds the record from typed values (missing keys take the defaults). Does not validate. */
    public static Hyperparameters build(Map<String, Object> given) {
        Map<String, Object> v = Hyperparameters.defaults().toMap();
        v.putAll(given);
        return new Hyperparameters(
                (Integer) v.get("vocab"), (Integer) v.get("train_length"), (TriggerLayout) v.get("layout"),
                (Long) v.get("seed"), (TaskKind) v.get("task"),
                (Architecture) v.get("architecture"), (Integer) v.get("layers"), (Integer) v.get("d_model"), (Integer) v.get("heads"),
                (Integer) v.get("ff_mult"), (Double) v.get("dropout"), (Norm) v.get("norm"),
                (PositionalKind) v.get("positional"), (Integer) v.get("max_positions"),
                (LayerPositions) v.get("layer_positional"), (AttentionScale) v.get("attention_scale"),
                (Interventions) v.get("interventions"),
                (Integer) v.get("d_state"), (Integer) v.get("d_conv"), (Integer) v.get("expand"),
                (Integer) v.get("dt_rank"), (Double) v.get("dt_min"), (Double) v.get("dt_max"),
                (Double) v.get("a_min"), (Double) v.get("a_max"),
                (OptimizerKind) v.get("optimizer"), (Double) v.get("lr"), (Double) v.get("weight_decay"),
                (Integer) v.get("warmup_steps"), (Schedule) v.get("schedule"), (Integer) v.get("batch_size"),
                (Long) v.get("max_steps"), (Integer) v.get("steps_per_epoch"),
                (Integer) v.get("curriculum_start"), (Double) v.get("curriculum_advance"),
                (Double) v.get("curriculum_review"), (Double) v.get("state_noise"),
                (Integer) v.get("window"), (Double) v.get("target"), (Long) v.get("min_steps"),
                (Integer) v.get("checkpoint_every"), (Integer) v.get("log_every"), (Integer) v.get("scores_every"),
                (Integer) v.get("generalisation_every"), (Double) v.get("generalisation_budget"),
                (GeneralisationLengths) v.get("generalisation_lengths"),
                (DeviceChoice) v.get("device"), (Integer) v.get("threads"));
    }

    /**
     * Parses text values (an editor's fields, a preset, config.json) into a record, collecting a problem
     * per field that does not parse, then the cross-field problems. The record is null when any field failed.
     */
    public static Parsed parse(Map<String, String> text) {
        List<Problem> problems = new ArrayList<>();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : text.entrySet()) {
            try {
                Field f = field(e.getKey());
                values.put(f.key(), f.parse(e.getValue()));
            } catch (InvalidConfigException ex) {
                problems.addAll(ex.problems());
            }
        }
        if (!problems.isEmpty()) {
            return new Parsed(null, problems);
        }
        Hyperparameters hp = build(values);
        return new Parsed(hp, hp.problems());
    }

    /** The outcome of {@link #parse}: a record when every field parsed, and every problem found. */
    public record Parsed(Hyperparameters value, List<Problem> problems) {
        public boolean ok() {
            return value != null && problems.isEmpty();
        }
    }

    static List<Problem> problems(Hyperparameters hp) {
        List<Problem> out = new ArrayList<>();
        for (Field f : FIELDS) {
            String p = f.rangeProblem(f.get(hp));
            if (p != null) {
                out.add(new Problem(f.key(), p));
            }
        }
        boolean attention = hp.architecture().attentionHeads(); // a Mamba's heads are channel groups
        if (attention && hp.heads() >= 1 && hp.dModel() % hp.heads() != 0) {
            out.add(new Problem("heads", hp.heads() + " does not divide d_model " + hp.dModel()
                    + " (allowed: a divisor of d_model)"));
        }
        LayerPositions perLayer = hp.layerPositional();
        boolean layersFit = perLayer == null || perLayer.same() || perLayer.layers().size() == hp.layers();
        if (attention && !layersFit) {
            out.add(new Problem("layer_positional", perLayer.layers().size() + " entries for " + hp.layers()
                    + " layers (allowed: same, or one entry per layer)"));
        } else if (attention && perLayer != null && !perLayer.same() && !hp.positional().addsToEmbeddings()
                && hp.positional() != PositionalKind.NONE) {
            out.add(new Problem("positional", hp.positional() + " acts inside every layer, but layer_positional sets"
                    + " each layer (allowed with layer_positional: sinusoidal, learned or none)"));
        } else if (attention && perLayer != null && hp.heads() >= 1 && hp.dModel() % hp.heads() == 0
                && hp.headDim() % 2 != 0) {
            for (int l = 0; l < hp.layers(); l++) {
                if (hp.attentionPositions(l).rotates()) {
                    String key = perLayer.same() ? "positional" : "layer_positional";
                    out.add(new Problem(key, hp.attentionPositions(l) + " needs an even head width, d_model/heads = "
                            + hp.headDim() + " (allowed: heads that divide d_model into even widths)"));
                    break;
                }
            }
        }
        if (hp.interventions() != null) {
            out.addAll(hp.interventions().problems(hp));
        }
        if (hp.layout() == null) {
            out.add(new Problem("layout", "missing (allowed: " + TriggerLayout.ALLOWED + ")"));
        } else {
            String p = hp.layout().problemAt(hp.trainLength());
            if (p != null) {
                out.add(new Problem("layout", p));
            }
        }
        if (hp.curriculumStart() != 0) {
            if (hp.curriculumStart() < 8 || hp.curriculumStart() > hp.trainLength()) {
                out.add(new Problem("curriculum_start", hp.curriculumStart() + " is out of range (allowed: 0 for off,"
                        + " or 8..train_length " + hp.trainLength() + ")"));
            } else if (hp.layout() != null && hp.layout().problemAt(hp.curriculumStart()) != null) {
                out.add(new Problem("curriculum_start", "layout " + hp.layout() + " does not fit length "
                        + hp.curriculumStart() + ": " + hp.layout().problemAt(hp.curriculumStart())));
            }
        }
        if (hp.task() == TaskKind.REPEAT && !attention) {
            out.add(new Problem("task", "repeat trains on every position, which only the Transformer does"
                    + " (allowed with architecture " + hp.architecture() + ": trigger)"));
        }
        if (hp.dtMin() > hp.dtMax()) {
            out.add(new Problem("dt_min", fmt(hp.dtMin()) + " exceeds dt_max " + fmt(hp.dtMax())
                    + " (allowed: at most dt_max)"));
        }
        if (hp.aMin() > hp.aMaxOrAuto()) {
            out.add(new Problem("a_min", fmt(hp.aMin()) + " exceeds a_max " + fmt(hp.aMaxOrAuto())
                    + (hp.aMax() > 0 ? "" : " (d_state)") + " (allowed: at most a_max)"));
        }
        if (hp.minSteps() > hp.maxSteps()) {
            out.add(new Problem("min_steps", hp.minSteps() + " exceeds max_steps " + hp.maxSteps()
                    + " (allowed: 0..max_steps)"));
        }
        if (hp.warmupSteps() > hp.maxSteps()) {
            out.add(new Problem("warmup_steps", hp.warmupSteps() + " exceeds max_steps " + hp.maxSteps()));
        }
        if (hp.positional() == PositionalKind.LEARNED && hp.maxPositions() != 0 && hp.maxPositions() < hp.trainLength()) {
            out.add(new Problem("max_positions", hp.maxPositions() + " is shorter than train_length "
                    + hp.trainLength() + " (allowed: 0 or >= train_length)"));
        }
        return out;
    }
}
