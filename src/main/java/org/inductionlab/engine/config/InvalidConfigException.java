package org.inductionlab.engine.config;

import java.util.List;

/**
 * Bad input: carries every problem found, its message is the first one on a single line. A front end
 * words the problems itself ({@link #describe}), from their keys and ranges, never from the message.
 */
public final class InvalidConfigException extends IllegalArgumentException {
    private final transient List<Problem> problems;

    public InvalidConfigException(List<Problem> problems) {
        super(problems.isEmpty() ? "invalid configuration" : problems.get(0).toString());
        this.problems = List.copyOf(problems);
    }

    public InvalidConfigException(Problem problem) {
        this(List.of(problem));
    }

    public InvalidConfigException(String key, String message) {
        this(new Problem(key, message));
    }

    /** {@code key}'s {@code value} is outside {@code min..max}: see {@link Problem#outOfRange}. */
    public static InvalidConfigException outOfRange(String key, long value, long min, long max, String atLeast,
                                                    String note) {
        return new InvalidConfigException(Problem.outOfRange(key, value, min, max, atLeast, note));
    }

    public List<Problem> problems() {
        return problems;
    }

    /** The first problem in a front end's words (the message, when there is none). */
    public String describe(Problem.Words words) {
        return problems.isEmpty() ? getMessage() : problems.get(0).describe(words);
    }
}
