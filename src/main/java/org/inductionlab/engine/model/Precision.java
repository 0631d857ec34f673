package org.inductionlab.engine.model;

import ai.djl.ndarray.types.DataType;
import org.inductionlab.engine.config.InvalidConfigException;

import java.util.Locale;

/**
 * The floating-point type an evaluation pass computes in. Training is always fp32.
 *
 * <p>Half precision (fp16) halves the memory of attention's scores and runs on a GPU's tensor cores, so
 * long sweeps fit larger tiles and finish sooner there; a sweep in fp16 first checks that it answers as
 * fp32 does ({@link org.inductionlab.engine.eval.LengthSweep}). bf16 would be the safer half type (fp32's
 * range), but DJL 0.36's PyTorch JNI has no bf16 in its type table: casting to it aborts the process
 * ("terminate called without an active exception", measured), so the lab offers fp16, which it maps.
 */
public enum Precision {
    FP32(DataType.FLOAT32),
    FP16(DataType.FLOAT16);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    public DataType dataType() {
        return dataType;
    }

    /** "fp32" or "fp16": how the command line, sweep.csv and the window name it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return label();
    }

    /** Parses "fp32" or "fp16"; anything else is a one-line error naming {@code field}. */
    public static Precision parse(String field, String text) {
        for (Precision p : values()) {
            if (p.label().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return p;
            }
        }
        throw new InvalidConfigException(field, "'" + text + "' is not a precision (allowed: fp32, fp16)");
    }
}
