package org.inductionlab.engine.run;

import java.util.Locale;

/** Where a run stands, as config.json records it ("status"). */
public enum RunStatus {
    /** The folder exists; no step has been taken. */
    CREATED,
    /** Training, or killed while training: the last checkpoint is what is left. */
    TRAINING,
    /** Stopped by the user; the checkpoint can be resumed. */
    STOPPED,
    /** Reached max_steps or the early-stop target. */
    FINISHED,
    /** Failed with an error; a checkpoint, if any, can be resumed. */
    FAILED,
    /** config.json says something this version does not know. */
    UNKNOWN;

    /** The word config.json holds. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status a config.json word stands for; UNKNOWN for null or anything else. */
    public static RunStatus of(String word) {
        if (word != null) {
            for (RunStatus s : values()) {
                if (s != UNKNOWN && s.word().equals(word.trim().toLowerCase(Locale.ROOT))) {
                    return s;
                }
            }
        }
        return UNKNOWN;
    }

    /** Whether a run in this state can continue from its checkpoint (if it has one). */
    public boolean resumable() {
        return this == TRAINING || this == STOPPED || this == FAILED;
    }

    @Override
    public String toString() {
        return word();
    }
}
