package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import ai.djl.pytorch.engine.PtNDArray;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Dropout's random masks: each element kept with probability 1 - p and scaled by 1/(1 - p), zeroed
 * otherwise, as {@code torch.nn.functional.dropout} does; backward multiplies the gradient by the same mask.
 *
 * <p>Why the lab draws them itself on a CPU: libtorch's Bernoulli draws one element at a time on one thread
 * (two Mersenne-twister words and a double each) unless the CPU is Intel's and MKL is present, so on the AMD
 * machines a class has, dropping attention weights took 44 ms of the course recipe's ~130 ms step
 * (docs/benchmarks.md, issue 24). Here a {@link SplittableRandom} gives two 32-bit draws per word, chunks of
 * the mask are filled in parallel, and each is written straight into the memory of the libtorch tensor
 * that is multiplied in (no copy). An element is kept when its unsigned draw is at least round(p · 2^32), so p is exact to
 * 2^-32. A GPU keeps libtorch's own dropout (its generator is a fast counter-based one, and the mask would
 * have to cross to the card).
 *
 * <p>Deterministic: a source seeded with s draws the same masks in the same order, whatever the number of
 * threads (each chunk gets its own seed, drawn in order from the source).
 */
public final class DropoutMasks {
    /** Elements per chunk filled by one task. */
    private static final int CHUNK = 1 << 16;
    private static final double TWO_TO_32 = 4294967296.0;
    /** The source of a pass that was given none (tests, tools): process-wide, like libtorch's generator. */
    private static final DropoutMasks SHARED = seeded(0x5EEDL);

    private final SplittableRandom random;

    private DropoutMasks(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A source whose masks follow from {@code seed}. */
    public static DropoutMasks seeded(long seed) {
        return new DropoutMasks(seed);
    }

    /** The process-wide source, for a training pass built without one. */
    public static DropoutMasks shared() {
        return SHARED;
    }

    /** Dropout with probability {@code p} (0 ≤ p < 1) on x: x · mask, mask 1/(1 - p) with probability 1 - p, else 0. */
    public NDArray apply(NDArray x, double p) {
        if (p < 0 || p >= 1) {
            throw new IllegalArgumentException("dropout: must be at least 0 and below 1, got " + p);
        }
        if (p == 0) {
            return x;
        }
        if (x.getDevice().isGpu()) {
            return Dropout.dropout(x, (float) p, true).singletonOrThrow();
        }
        return x.mul(mask(x.getManager(), x.getShape(), p));
    }

    /** A mask of {@code shape}: 1/(1 - p) with probability 1 - p, else 0, written straight into libtorch's memory. */
    NDArray mask(NDManager m, Shape shape, double p) {
        NDArray mask = m.create(shape, DataType.FLOAT32); // uninitialised: every element is written below
        ByteBuffer memory = ((PtNDArray) mask).toByteBuffer(true); // the tensor's own memory, not a copy
        if (!memory.isDirect()) {
            throw new IllegalStateException("dropout: libtorch did not lend the mask's memory");
        }
        fill(memory.order(ByteOrder.nativeOrder()).asFloatBuffer(), Math.toIntExact(shape.size()), p);
        return mask;
    }

    /** {@code size} mask values into {@code mask}: 1/(1 - p) with probability 1 - p, else 0. */
    private void fill(FloatBuffer mask, int size, double p) {
        float kept = (float) (1 / (1 - p));
        long threshold = Math.round(p * TWO_TO_32); // keep where the unsigned 32-bit draw >= threshold
        int chunks = (size + CHUNK - 1) / CHUNK;
        long[] seeds = new long[chunks];
        synchronized (random) {
            for (int c = 0; c < chunks; c++) {
                seeds[c] = random.nextLong();
            }
        }
        IntStream range = IntStream.range(0, chunks);
        (chunks > 1 ? range.parallel() : range).forEach(c -> {
            SplittableRandom r = new SplittableRandom(seeds[c]);
            int end = Math.min(size, (c + 1) * CHUNK);
            int i = c * CHUNK;
            for (; i + 1 < end; i += 2) {
                long bits = r.nextLong();
                mask.put(i, (bits & 0xFFFFFFFFL) >= threshold ? kept : 0f);
                mask.put(i + 1, (bits >>> 32) >= threshold ? kept : 0f);
            }
            if (i < end) {
                mask.put(i, (r.nextLong() & 0xFFFFFFFFL) >= threshold ? kept : 0f);
            }
        });
    }
}
