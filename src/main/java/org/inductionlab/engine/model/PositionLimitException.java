package org.inductionlab.engine.model;

/** A sequence longer than a learned position table can embed. */
public final class PositionLimitException extends IllegalArgumentException {
    public PositionLimitException(int length, int max) {
        super("learned positions cover " + max + " tokens; this sequence needs " + length);
    }
}
