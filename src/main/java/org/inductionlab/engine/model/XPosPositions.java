package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * xPos (Sun et al. 2023, "A length-extrapolatable Transformer"): rotary, and the pair of dimensions at
 * frequency i of a query at position n scaled by zeta_i^(n / 512), of a key at m by zeta_i^(-m / 512), with
 * zeta_i = (i / (headDim/2) + 0.4) / 1.4: a score then carries zeta_i^((n - m) / 512), a decay with distance
 * that is strongest in the fast-turning dimensions.
 *
 * <p>Only n - m matters, so positions are counted from a centre the pass chooses (the last position when one
 * query is asked, the middle otherwise), as the paper's code does, to keep the factors inside float's range:
 * exact while |position - centre| / 512 * ln(1/zeta_0) stays under 80, that is, up to 2^16 tokens. Longer
 * inputs are refused ({@link #maxLength}), like the learned table's.
 */
final class XPosPositions implements AttentionPositions {

    static final double SCALE_BASE = 512;
    static final double GAMMA = 0.4;
    static final int MAX_LENGTH = 1 << 16;

    private final int headDim;

    XPosPositions(int headDim) {
        this.headDim = headDim;
    }

    @Override
    public NDArray query(NDArray q, int firstPosition, int centre) {
        return scale(RotaryPositions.rotate(q, firstPosition, headDim), firstPosition - centre, 1);
    }

    @Override
    public NDArray key(NDArray k, int centre) {
        return scale(RotaryPositions.rotate(k, 0, headDim), -centre, -1);
    }

    @Override
    public int maxLength() {
        return MAX_LENGTH;
    }

    /** x times zeta^(sign * (first + row) / 512), per frequency, both halves alike. */
    private NDArray scale(NDArray x, int first, int sign) {
        long n = x.getShape().get(2);
        NDManager m = x.getManager();
        int half = headDim / 2;
        NDArray logZeta = m.arange(0, half, 1, DataType.FLOAT32).div(half).add(GAMMA).div(1 + GAMMA).log();
        NDArray pos = m.arange(first, first + n, 1, DataType.FLOAT32).mul(sign / SCALE_BASE).reshape(n, 1);
        NDArray factor = pos.mul(logZeta.reshape(1, half)).exp(); // (n, half)
        return x.mul(factor.concat(factor, 1));
    }
}
