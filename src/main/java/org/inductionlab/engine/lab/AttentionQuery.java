package org.inductionlab.engine.lab;

import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.eval.HeadScores;
import org.inductionlab.engine.task.InductionTask;
import org.inductionlab.engine.task.TokenFile;
import org.inductionlab.engine.task.TriggerLayout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * One sequence through a run's model: where it comes from (generated, typed, or a line of a token file),
 * checked against the run (length, layout, vocabulary, line), and what the model makes of it — every
 * head's weights, the prediction, and whether that is the answer. The Attention page and {@code attention}
 * both ask this class, so the same input is refused, or answered, the same way. Bad input is an
 * {@link InvalidConfigException} keyed {@code length}, {@code layout}, {@code line} or {@code file} (a
 * range where there is one), or a {@link TokenFile.TokenFileException} naming the token.
 */
public final class AttentionQuery {
    private AttentionQuery() {}

    /** Shortest generated sequence, the answer included. */
    public static final int MIN_LENGTH = 8;
    /** Longest generated sequence, the answer included: the model reads {@link AttentionMap#MAX_LENGTH} of it. */
    public static final int MAX_LENGTH = AttentionMap.MAX_LENGTH + 1;
    /** Which generated sequence when none is asked for. */
    public static final long DEFAULT_SEED = 1;

    /** Where the sequence comes from. */
    public sealed interface Source permits Generated, Typed, FileLine {}

    /** {@code length} tokens, the answer included, with S placed by {@code layout} (null or blank: the run's). */
    public record Generated(int length, String layout, long seed) implements Source {}

    /** Token ids as typed, separated by spaces or commas; the answer is not known. */
    public record Typed(String text) implements Source {}

    /** Line {@code line} (from 1) of a token file; the answer is not known. */
    public record FileLine(Path file, int line) implements Source {}

    /** The tokens the model reads (the answer not among them), the answer where known, and in words where they came from. */
    public record Input(int[] tokens, Integer answer, String description) {}

    /** What the model made of {@code input}: every head's weights and its prediction. */
    public record Answer(Input input, AttentionMap map) {
        public int predicted() {
            return map.predictedToken();
        }

        public double probability() {
            return map.predictedProbability();
        }

        /** Whether the prediction is the answer; null where the answer is not known (typed or read input). */
        public Boolean correct() {
            return input.answer() == null ? null : input.answer() == map.predictedToken();
        }
    }

    /**
     * What can be checked before a run is loaded: a generated length in {@value #MIN_LENGTH}..{@link #MAX_LENGTH},
     * a token file chosen and there.
     */
    public static void check(Source source) {
        if (source instanceof Generated g && (g.length() < MIN_LENGTH || g.length() > MAX_LENGTH)) {
            throw InvalidConfigException.outOfRange("length", g.length(), MIN_LENGTH, MAX_LENGTH, null,
                    "the answer included: the model reads at most " + AttentionMap.MAX_LENGTH + " tokens");
        }
        if (source instanceof FileLine f) {
            if (f.file() == null) {
                throw new InvalidConfigException("file", "choose a token file");
            }
            if (!Files.isRegularFile(f.file())) {
                throw new TokenFile.TokenFileException(f.file() + " does not exist");
            }
        }
    }

    /** The layout {@code text} names, or the run's own for null or blank; a bad one is bad input keyed {@code layout}. */
    public static TriggerLayout layout(String text, Hyperparameters hp) {
        if (text == null || text.isBlank()) {
            return hp.layout();
        }
        try {
            return TriggerLayout.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("layout", e.getMessage());
        }
    }

    /** The tokens {@code source} stands for, for a run with settings {@code hp}, checked. */
    public static Input input(Source source, Hyperparameters hp) throws IOException {
        check(source);
        if (source instanceof Typed t) {
            int[] ids = TokenFile.parseLine(t.text() == null ? "" : t.text(), hp.vocab(), "tokens");
            return new Input(ids, null, ids.length + " typed tokens");
        }
        if (source instanceof FileLine f) {
            List<int[]> lines = TokenFile.read(f.file(), hp.vocab());
            if (f.line() < 1 || f.line() > lines.size()) {
                throw InvalidConfigException.outOfRange("line", f.line(), 1, lines.size(), null, null);
            }
            return new Input(lines.get(f.line() - 1), null, f.file().getFileName() + " line " + f.line());
        }
        Generated g = (Generated) source;
        TriggerLayout layout = layout(g.layout(), hp);
        String problem = layout.problemAt(g.length());
        if (problem != null) {
            throw new InvalidConfigException("layout", problem);
        }
        InductionTask.Sequence s = InductionTask.evaluation(hp.vocab(), layout, g.seed()).sequence(0, g.length());
        return new Input(Arrays.copyOf(s.tokens(), g.length() - 1), s.answer(),
                "length " + g.length() + ", " + layout + ", seed " + g.seed());
    }

    /** The map, prediction and correctness for {@code source} on the loaded run. */
    public static Answer ask(LoadedRun run, Source source) throws IOException {
        Input in = input(source, run.hyperparameters());
        return new Answer(in, AttentionMap.compute(run.model(), in.tokens()));
    }

    /**
     * The run's standard head scores (previous-token, induction, duplicate-token, target; {@link HeadScores}),
     * the same for any input: what {@code scores} prints and the Attention page's grid shows.
     */
    public static HeadScores scores(LoadedRun run) {
        return scores(run, DEFAULT_SEED);
    }

    /** {@link #scores(LoadedRun)} on probe inputs drawn with {@code seed}. */
    public static HeadScores scores(LoadedRun run, long seed) {
        return HeadScores.measure(run.model(), seed);
    }
}
