package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The few autograd controls DJL does not expose portably. PyTorch's grad mode is per thread, and DJL turns
 * it off only on the thread that started the engine, so evaluation threads must turn it off themselves.
 */
public final class Autograd {
    private Autograd() {}

    /** Scope in which no graph is recorded on this thread; restores the previous mode on close. */
    public static Scope noGrad() {
        boolean before = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        return () -> JniUtils.setGradMode(before);
    }

    /** DJL's PyTorch collector accumulates gradients; the optimizer zeroes them after each update. */
    public static void zeroGradient(NDArray parameter) {
        JniUtils.zeroGrad((PtNDArray) parameter);
    }

    /**
     * Makes {@code target} hold {@code source}'s values (same shape), keeping its name and, if it had one,
     * its gradient requirement. Swaps in a copy of the tensor rather than calling NDArray.set, which makes
     * libtorch print a deprecation warning.
     */
    public static void assign(NDArray target, NDArray source) {
        if (!target.getShape().equals(source.getShape())) {
            throw new IllegalArgumentException(target.getName() + ": shape " + source.getShape() + ", expected "
                    + target.getShape());
        }
        boolean grad = target.hasGradient() || JniUtils.requiresGrad((PtNDArray) target);
        NDArray copy = source.toType(target.getDataType(), true).toDevice(target.getDevice(), true);
        copy.attach(target.getManager());
        target.intern(copy);
        if (grad) {
            target.setRequiresGradient(true);
        }
    }

    /** An AutoCloseable whose close throws nothing. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
