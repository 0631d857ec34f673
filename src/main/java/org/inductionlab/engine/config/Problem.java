package org.inductionlab.engine.config;

/** One thing wrong with one field, worded for the person who typed it. */
public record Problem(String key, String message) {
    @Override
    public String toString() {
        return key + ": " + message;
    }
}
