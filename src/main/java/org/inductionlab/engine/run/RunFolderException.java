package org.inductionlab.engine.run;

/**
 * A run folder that is missing, incomplete, corrupt, or would be overwritten. When the cause is what the
 * user passed (a path that holds no run, a folder that already holds one) {@link #badInputKey()} names
 * the option, and the CLI exits with 2.
 */
public final class RunFolderException extends RuntimeException {
    private final String badInputKey;
    private java.nio.file.Path holdsRun;

    /** {@code dir} already holds a run that a new one would overwrite. */
    public static RunFolderException holdsRun(java.nio.file.Path dir) {
        RunFolderException e = new RunFolderException(dir + " already holds a run; resume it, or replace it"
                + " (the old run is moved aside, not deleted)", "run_folder");
        e.holdsRun = dir;
        return e;
    }

    /** Whether this is {@link #holdsRun}: a front end may say in its own words how to resume or replace. */
    public boolean holdsRun() {
        return holdsRun != null;
    }

    /** The folder that already holds a run ({@link #holdsRun}), or null. */
    public java.nio.file.Path heldFolder() {
        return holdsRun;
    }

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

    /** The setting at fault ("run_folder"), or null when the folder itself is damaged. */
    public String badInputKey() {
        return badInputKey;
    }
}
