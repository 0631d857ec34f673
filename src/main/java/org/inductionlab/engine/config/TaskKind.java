package org.inductionlab.engine.config;

import java.util.Locale;

/**
 * What a run trains on. {@code TRIGGER}: the course's task ({@link org.inductionlab.engine.task.InductionTask}),
 * only the last token scored. {@code REPEAT}: Olsson et al.'s repeated random tokens
 * ({@link org.inductionlab.engine.task.RepeatTask}), every predictable token of the repeat scored.
 */
public enum TaskKind {
    TRIGGER,
    REPEAT;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
