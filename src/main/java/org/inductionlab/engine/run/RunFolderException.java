package org.inductionlab.engine.run;

/**
 * A run folder that is missing, incomplete, corrupt, or would be overwritten. When the cause is what the
 * user passed (a path that holds no run, a folder that already holds one) {@link #badInputKey()} names
 * the option, and the CLI exits with 2.
 */
public final class RunFolderException extends RuntimeException {
    private final String badInputKey;

    public RunFolderException(String message) {
        this(message, (String) null);
    }

    public RunFolderException(String message, Throwable cause) {
        super(message, cause);
        this.badInputKey = null;
    }

    public RunFolderException(String message, String badInputKey) {
        super(message);
        this.badInputKey = badInputKey;
    }

    /** The option at fault ("run", "out"), or null when the folder itself is damaged. */
    public String badInputKey() {
        return badInputKey;
    }
}
