package org.inductionlab.engine.exchange;

import java.nio.file.Path;

/**
 * A model file that cannot be used: not safetensors, damaged, or not a model of the lab's shape. Bad
 * input (exit 2 on the command line); the message names the file and what is wrong with it, e.g. the
 * tensor and the shape the lab expected.
 */
public final class ModelFileException extends RuntimeException {

    private final transient Path file;

    public ModelFileException(Path file, String what) {
        super(file.getFileName() + " " + what);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
