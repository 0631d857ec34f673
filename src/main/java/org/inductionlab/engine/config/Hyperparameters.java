package org.inductionlab.engine.config;

import org.inductionlab.engine.task.TriggerLayout;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every setting of one experiment, immutable. The defaults are the course recipe. Keys, ranges and help
 * texts live in {@link HyperparameterSchema}; CLI flags, presets, the editor and config.json all go
 * through it, so there is one place that says what is valid.
 */
public record Hyperparameters(
        // task
        int vocab,
        int trainLength,
        TriggerLayout layout,
        long seed,
        TaskKind task,
        // model
        Architecture architecture,
        int layers,
        int dModel,
        int heads,
        int ffMult,
        double dropout,
        Norm norm,
        PositionalKind positional,
        int maxPositions,
        LayerPositions layerPositional,
        AttentionScale attentionScale,
        Interventions interventions,
        int dState,
        int dConv,
        int expand,
        int dtRank,
        double dtMin,
        double dtMax,
        double aMin,
        double aMax,
        // optimisation
        OptimizerKind optimizer,
        double lr,
        double weightDecay,
        int warmupSteps,
        Schedule schedule,
        int batchSize,
        long maxSteps,
        int stepsPerEpoch,
        int curriculumStart,
        double curriculumAdvance,
        double curriculumReview,
        double stateNoise,
        // stopping
        int window,
        double target,
        long minSteps,
        // run
        int checkpointEvery,
        int logEvery,
        int scoresEvery,
        int generalisationEvery,
        double generalisationBudget,
        GeneralisationLengths generalisationLengths,
        DeviceChoice device,
        int threads) {

    /** The course recipe: post-norm, dropout 0.1, FF 2d, sinusoidal, Adam 2e-4, batch 8, 25 epochs of 8192 steps. */
    public static Hyperparameters defaults() {
        return new Hyperparameters(
                16, 256, new TriggerLayout.Fixed(5), 0, TaskKind.TRIGGER,
                Architecture.TRANSFORMER, 2, 64, 8, 2, 0.1, Norm.POST, PositionalKind.SINUSOIDAL, 0,
                LayerPositions.SAME, AttentionScale.STANDARD, Interventions.NONE, 16, 4, 2, 0,
                0.001, 0.1, 1, 0,
                OptimizerKind.ADAM, 2e-4, 0.0, 0, Schedule.CONSTANT, 8, 25L * 8192, 8192, 0, 0.9, 0, 0,
                200, 0.99, 0,
                1000, 10, 100, 100, 5, GeneralisationLengths.DEFAULT, DeviceChoice.AUTO, 0);
    }

    /** Whether training starts short and doubles the length (curriculum_start > 0). */
    public boolean curriculum() {
        return curriculumStart > 0;
    }

    /** The training length at curriculum stage {@code stage}: start * 2^stage, at most train_length. */
    public int lengthAtStage(int stage) {
        if (!curriculum()) {
            return trainLength;
        }
        long l = (long) curriculumStart << Math.min(stage, 30);
        return (int) Math.min(trainLength, l);
    }

    /** The curriculum's stages, the last at train_length: 4 for 32, 64, 128, 256; 1 without a curriculum. */
    public int stageCount() {
        int stages = 1;
        while (lengthAtStage(stages - 1) < trainLength && stages < 32) {
            stages++;
        }
        return stages;
    }

    /**
     * Steps between review steps once the curriculum has reached train_length (0 = none): every
     * round(1 / curriculum_review)-th step re-trains one of the shorter stages' lengths instead.
     */
    public int reviewPeriod() {
        return curriculum() && curriculumReview > 0 ? (int) Math.max(2, Math.round(1 / curriculumReview)) : 0;
    }

    /**
     * The review: once the curriculum is at train_length (stage {@code stage} > 0), every reviewPeriod()-th
     * step (0-based step {@code step}) trains at one of the shorter stages' lengths, taking them in turn from
     * the shortest; 0 for an ordinary step. Without it a model that learned 64 on the way to 256 was
     * measured to forget it (64 % at length 64, seed 2 in docs/benchmarks.md).
     */
    public int reviewLength(int stage, long step) {
        int period = reviewPeriod();
        if (period == 0 || stage == 0 || lengthAtStage(stage) < trainLength || (step + 1) % period != 0) {
            return 0;
        }
        return lengthAtStage((int) (((step + 1) / period) % stage));
    }

    /** Mamba's Δ projection rank: dt_rank, or ceil(d_model / 16) when it is 0 (the reference's "auto"). */
    public int dtRankOrAuto() {
        return dtRank > 0 ? dtRank : (dModel + 15) / 16;
    }

    /** The largest |A| Mamba starts from: a_max, or d_state when it is 0 (the reference's A = -(1..N)). */
    public double aMaxOrAuto() {
        return aMax > 0 ? aMax : dState;
    }

    /** What layer {@code l}'s attention knows of position (layer_positional, or positional for all). */
    public LayerPositions.Entry attentionPositions(int l) {
        return layerPositional.at(l, positional);
    }

    /** Width of one attention head. */
    public int headDim() {
        return dModel / heads;
    }

    /** Tokens the model knows: V ordinary tokens and the induction token S = V. */
    public int tokenCount() {
        return vocab + 1;
    }

    /** The induction token. */
    public int inductionToken() {
        return vocab;
    }

    /** Rows of the learned position table (0 in the config means the training length). */
    public int positionTableSize() {
        return maxPositions > 0 ? maxPositions : trainLength;
    }

    /** Everything wrong with these values; empty when they can be trained. */
    public List<Problem> problems() {
        return HyperparameterSchema.problems(this);
    }

    /** This, or an {@link InvalidConfigException} naming the first bad field. */
    public Hyperparameters validated() {
        List<Problem> problems = problems();
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return this;
    }

    /** A copy with one field changed, the value given as text ({@code --set key=value}). */
    public Hyperparameters with(String key, String value) {
        return with(Map.of(key, value));
    }

    /** A copy with several fields changed, values given as text. */
    public Hyperparameters with(Map<String, String> changes) {
        Map<String, Object> values = toMap();
        for (Map.Entry<String, String> e : changes.entrySet()) {
            HyperparameterSchema.Field field = HyperparameterSchema.field(e.getKey());
            values.put(field.key(), field.parse(e.getValue()));
        }
        return HyperparameterSchema.build(values);
    }

    /** Key to typed value, in schema order. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        for (HyperparameterSchema.Field f : HyperparameterSchema.FIELDS) {
            map.put(f.key(), f.get(this));
        }
        return map;
    }

    /** Key to value as text (what config.json and the editor show). */
    public Map<String, String> toText() {
        Map<String, String> map = new LinkedHashMap<>();
        for (HyperparameterSchema.Field f : HyperparameterSchema.FIELDS) {
            map.put(f.key(), f.format(f.get(this)));
        }
        return map;
    }

    /**
     * {@link #toText()} without the settings this run's architecture does not read (a Mamba run has no
     * norm or dropout, a Transformer no state size): what describes the model to someone else.
     */
    public Map<String, String> applyingText() {
        Map<String, String> map = toText();
        map.keySet().removeIf(key -> !HyperparameterSchema.applies(key, architecture));
        return map;
    }
}
