package org.inductionlab.engine.lab;

import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.config.TaskKind;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.eval.HeadScores;
import org.inductionlab.engine.task.InductionTask;
import org.inductionlab.engine.task.RepeatTask;
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

    /** Token ids as typed, separated by spaces or commas; the answer is the task's where the tokens define one. */
    public record Typed(String text) implements Source {}

    /** Line {@code line} (from 1) of a token file; the answer is the task's where the line defines one. */
    public record FileLine(Path file, int line) implements Source {}

    /**
     * The tokens the model reads (the answer not among them), the answer where the task defines one, and in
     * words where they came from; {@code noAnswer} says why there is none (null when there is one).
     */
    public record Input(int[] tokens, Integer answer, String description, String noAnswer) {
        public Input {
            if ((answer == null) == (noAnswer == null)) {
                throw new IllegalArgumentException("an input has an answer or a reason why not, not both or neither");
            }
        }
    }

    /**
     * The task's answer for tokens the model reads, or why they define none. The task puts S twice: at a
     * trigger followed by M, and last, where the model must say M. So the answer is the token after the
     * first S when the last token is S, there are exactly two S, and a token (not S) sits between them.
     */
    public static Input withTaskAnswer(int[] tokens, int s, String description) {
        int count = 0;
        int first = -1;
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] == s) {
                count++;
                first = first < 0 ? i : first;
            }
        }
        int last = tokens.length - 1;
        String why = null;
        if (count == 0) {
            why = "there is no S (" + s + "), and the task asks for the token after the first S at the second";
        } else if (tokens[last] != s) {
            why = "the last token is not S (" + s + "), and the task asks at the second S";
        } else if (count == 1) {
            why = "there is only one S, and the task's answer is the token after an earlier one";
        } else if (count > 2) {
            why = "there are " + count + " S, and the task has exactly two";
        } else if (first + 1 == last) {
            why = "the two S are side by side, so no token follows the first";
        }
        return why != null ? new Input(tokens, null, description, "no answer to check: " + why)
                : new Input(tokens, tokens[first + 1], description, null);
    }

    /** The answer of {@code tokens} under the task the run learned (trigger or repeat), or why there is none. */
    public static Input withAnswer(int[] tokens, Hyperparameters hp, String description) {
        return hp.task() == TaskKind.REPEAT ? withRepeatAnswer(tokens, description)
                : withTaskAnswer(tokens, hp.inductionToken(), description);
    }

    /**
     * The repeat task's answer for tokens the model reads, or why they define none. The task repeats a block
     * of random tokens, so the next token is the one after the earlier copy of the tokens that end the input:
     * of every earlier place the input's end repeats, the one it repeats longest (a block of 8 or more
     * tokens is rarely matched by chance). None where the last token does not occur before, or where two
     * places repeat it equally long and disagree on what follows.
     */
    public static Input withRepeatAnswer(int[] tokens, String description) {
        int last = tokens.length - 1;
        int longest = 0;
        Integer answer = null;
        boolean disagree = false;
        for (int shift = 1; shift <= last; shift++) { // the end against the tokens shift places earlier
            int matched = 0;
            while (last - matched - shift >= 0 && tokens[last - matched] == tokens[last - matched - shift]) {
                matched++;
            }
            if (matched == 0 || matched < longest) {
                continue;
            }
            int next = tokens[last - shift + 1];
            if (matched > longest) {
                longest = matched;
                answer = next;
                disagree = false;
            } else if (answer != next) {
                disagree = true;
            }
        }
        String why = null;
        if (last < 0 || answer == null) {
            why = "the last token does not occur before it, and the repeat task's answer is the token after its"
                    + " earlier copy";
        } else if (disagree) {
            why = "the end of the input repeats two earlier places equally long, which disagree on the next token";
        }
        return why != null ? new Input(tokens, null, description, "no answer to check: " + why)
                : new Input(tokens, answer, description, null);
    }

    /** What the model made of {@code input}: every head's weights and its prediction. */
    public record Answer(Input input, AttentionMap map) {
        public int predicted() {
            return map.predictedToken();
        }

        public double probability() {
            return map.predictedProbability();
        }

        /** Whether the prediction is the answer; null where the input defines none ({@link Input#noAnswer()} says why). */
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

    /** Whether a generated sequence's layout means anything for a run: not for the repeat task, which has no S. */
    public static boolean layoutApplies(Hyperparameters hp) {
        return hp.task() != TaskKind.REPEAT;
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
            return withAnswer(ids, hp, ids.length + " typed tokens");
        }
        if (source instanceof FileLine f) {
            List<int[]> lines = TokenFile.read(f.file(), hp.vocab());
            if (f.line() < 1 || f.line() > lines.size()) {
                throw InvalidConfigException.outOfRange("line", f.line(), 1, lines.size(), null, null);
            }
            return withAnswer(lines.get(f.line() - 1), hp, f.file().getFileName() + " line " + f.line());
        }
        Generated g = (Generated) source;
        if (!layoutApplies(hp)) { // repeated random tokens: no S to place
            if (g.layout() != null && !g.layout().isBlank()) {
                throw new InvalidConfigException("layout", "this run learned the repeat task, which has no S to"
                        + " place: leave the layout out");
            }
            RepeatTask.Sequence r = new RepeatTask(hp.vocab(), g.seed()).sequence(0, g.length());
            return new Input(Arrays.copyOf(r.tokens(), g.length() - 1), r.tokens()[g.length() - 1],
                    "length " + g.length() + ", repeated tokens (a block of " + r.block() + " from position "
                            + r.blockStart() + ", then again), seed " + g.seed(), null);
        }
        TriggerLayout layout = layout(g.layout(), hp);
        String problem = layout.problemAt(g.length());
        if (problem != null) {
            throw new InvalidConfigException("layout", problem);
        }
        InductionTask.Sequence s = InductionTask.evaluation(hp.vocab(), layout, g.seed()).sequence(0, g.length());
        return new Input(Arrays.copyOf(s.tokens(), g.length() - 1), s.answer(),
                "length " + g.length() + ", " + layout + ", seed " + g.seed(), null);
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

    /**
     * TransformerLens's detect_head scores (its defaults) of every head on the same probe input as {@link
     * #scores(LoadedRun, long)}, with their uniform baselines.
     */
    public static org.inductionlab.engine.eval.DetectHead transformerLensScores(LoadedRun run, long seed) {
        return org.inductionlab.engine.eval.DetectHead.measure(run.model(), seed);
    }
}
