package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
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

    /** x's gradient after a backward (zeros where none reached it); null where x needs none. */
    static NDArray gradientOrNull(NDArray x) {
        return x.hasGradient() ? x.getGradient() : null;
    }

    /**
     * Makes {@code target} hold a copy of {@code source}'s values (same shape), keeping its name and, if it
     * had one, its gradient requirement. The copy owns its memory: DJL's {@code toType}/{@code toDevice}
     * return an alias when nothing changes, and an array decoded from a checkpoint lives in a Java buffer
     * that the garbage collector frees once the decoded array is gone — weights aliasing it would then read
     * freed memory. (NDArray.set would copy too, but makes libtorch print a deprecation warning.)
     */
    public static void assign(NDArray target, NDArray source) {
        if (!target.getShape().equals(source.getShape())) {
            throw new IllegalArgumentException(target.getName() + ": shape " + source.getShape() + ", expected "
                    + target.getShape());
        }
        boolean grad = target.hasGradient() || JniUtils.requiresGrad((PtNDArray) target);
        NDArray converted = source.toType(target.getDataType(), false).toDevice(target.getDevice(), false);
        NDArray copy = converted.duplicate(); // a clone with its own storage
        copy.attach(target.getManager());
        target.intern(copy);
        if (grad) {
            target.setRequiresGradient(true);
        }
    }

    /**
     * {@code x * factor}, safe under autograd. DJL's {@code NDArray.mul(Number)} wraps the number in a
     * tensor over a Java buffer, multiplies, and closes it at once; libtorch saves that tensor for the
     * backward pass, and once the garbage collector frees the buffer the saved factor reads freed memory —
     * the gradient behind it came out as 0 (the embedding then never learned) or as garbage, depending on
     * when the collector ran. Here the factor is a tensor libtorch allocates and counts references to.
     */
    public static NDArray scale(NDArray x, double factor) {
        NDArray f = x.getManager().full(new Shape(), (float) factor, x.getDataType());
        return x.mul(f);
    }

    /** An AutoCloseable whose close throws nothing. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
