package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

import java.util.ArrayList;
import java.util.List;

/**
 * Backward through a forward pass of which parts ran outside libtorch ({@link ScanKernel}): DJL 0.36 has no
 * custom autograd functions, so the pass is cut into segments where such a part runs. The part's output
 * enters the next segment as a leaf, as does every tensor that the next segment reads from the earlier ones
 * (the residual stream, ...: {@link #cross}'s {@code carried}). Backward then runs segment by segment, last
 * first: libtorch's backward of a segment leaves the gradients on its leaves; the part's own backward turns
 * its output's gradient into its inputs'; and one backward seeded with those gradients and the carried
 * tensors' (all of them flattened into one tensor) goes into the segment before, which is so traversed once
 * — or, where the caller says the carried tensors depend on little, one backward per root ({@link Seeding}).
 *
 * <p>A tensor read across a boundary without being carried would take part in two segments' backward, and
 * libtorch refuses the second ("backward through the graph a second time"): a missed one fails loudly.
 * One tape per forward pass; a pass without one (tests, evaluation) runs everything in libtorch.
 */
public final class Tape {

    /** A part of the pass computed outside libtorch: its inputs, and their gradients from its output's. */
    public interface Outside {
        NDArray[] inputs();

        /** The gradients with respect to {@link #inputs()}, in order (null for one without). */
        NDArray[] backward(NDArray gradOutput);

        /** After its backward: what it kept for it may go. */
        default void release() {}
    }

    /** How backward reaches the segment before a boundary from the gradients of its roots (the part's inputs, the carried). */
    enum Seeding {
        /** All roots flattened into one tensor, their gradients too: the segment is traversed once. */
        FLATTENED,
        /**
         * One backward per root, the graph kept for the next: what the roots share is traversed again, and
         * no root or gradient is copied. For a segment where the carried tensors depend on little (the
         * transformer's first layer, whose residual is the embedding): in an {@code induction} step the
         * two copies cost 4 ms, going through the embedding again well under 1 (docs/benchmarks.md).
         */
        ROOT_BY_ROOT
    }

    private record Boundary(Outside part, NDArray output, NDArray[] sources, NDArray[] leaves, Seeding seeding) {}

    private final List<Boundary> boundaries = new ArrayList<>();

    /** Whether any part ran outside libtorch. */
    public boolean isEmpty() {
        return boundaries.isEmpty();
    }

    /**
     * Ends the segment so far at {@code part}, whose output's values are {@code output}: returns the leaves
     * the next segment reads instead — the output first, then one for each of {@code carried}, in order.
     */
    NDList cross(Outside part, NDArray output, NDArray... carried) {
        return cross(part, output, Seeding.FLATTENED, carried);
    }

    /** {@link #cross(Outside, NDArray, NDArray...)}, its segment's backward seeded as {@code seeding} says. */
    NDList cross(Outside part, NDArray output, Seeding seeding, NDArray... carried) {
        NDArray out = leaf(output);
        NDArray[] leaves = new NDArray[carried.length];
        NDList next = new NDList(out);
        for (int i = 0; i < carried.length; i++) {
            leaves[i] = leaf(carried[i]);
            next.add(leaves[i]);
        }
        boundaries.add(new Boundary(part, out, carried.clone(), leaves, seeding));
        return next;
    }

    private static NDArray leaf(NDArray x) {
        NDArray leaf = x.stopGradient();
        leaf.setRequiresGradient(true);
        return leaf;
    }

    /** Backward of {@code target} (a scalar) through every segment, into the parameters' gradients. */
    public void backward(GradientCollector gc, NDArray target) {
        gc.backward(target);
        for (int k = boundaries.size() - 1; k >= 0; k--) {
            Boundary boundary = boundaries.get(k);
            List<NDArray> roots = new ArrayList<>();
            List<NDArray> grads = new ArrayList<>();
            NDArray gradOut = Autograd.gradientOrNull(boundary.output());
            if (gradOut != null) {
                NDArray[] partGrads = boundary.part().backward(gradOut);
                boundary.part().release();
                NDArray[] ins = boundary.part().inputs();
                for (int i = 0; i < ins.length; i++) {
                    add(roots, grads, ins[i], partGrads[i]);
                }
            }
            for (int i = 0; i < boundary.sources().length; i++) {
                add(roots, grads, boundary.sources()[i], Autograd.gradientOrNull(boundary.leaves()[i]));
            }
            backward(roots, grads, boundary.seeding());
        }
    }

    private static void add(List<NDArray> roots, List<NDArray> grads, NDArray x, NDArray grad) {
        if (grad != null) {
            roots.add(x);
            grads.add(grad);
        }
    }

    /**
     * Backward from every root with its gradient: flattened, one backward of one tensor (PyTorch's
     * {@code torch.autograd.backward(roots, grads)}, which DJL does not offer), so that the segment is
     * traversed once; or root by root, the carried ones first, the graph kept until the last.
     */
    private static void backward(List<NDArray> roots, List<NDArray> grads, Seeding seeding) {
        if (roots.isEmpty()) {
            return;
        }
        if (roots.size() == 1 || seeding == Seeding.ROOT_BY_ROOT) {
            for (int i = roots.size() - 1; i >= 0; i--) {
                JniUtils.backward((PtNDArray) roots.get(i), (PtNDArray) grads.get(i), i > 0, false);
            }
        } else {
            JniUtils.backward((PtNDArray) flat(roots), (PtNDArray) flat(grads), false, false);
        }
    }

    private static NDArray flat(List<NDArray> xs) {
        NDList parts = new NDList();
        for (NDArray x : xs) {
            parts.add(x.reshape(-1));
        }
        return NDArrays.concat(parts);
    }
}
