package org.inductionlab.engine.config;

import java.util.List;

/** Bad input: carries every problem found, its message is the first one on a single line. */
public final class InvalidConfigException extends IllegalArgumentException {
    private final transient List<Problem> problems;

    public InvalidConfigException(List<Problem> problems) {
        super(problems.isEmpty() ? "invalid configuration" : problems.get(0).toString());
        this.problems = List.copyOf(problems);
    }

    public InvalidConfigException(String key, String message) {
        this(List.of(new Problem(key, message)));
    }

    public List<Problem> problems() {
        return problems;
    }
}
