package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Rotary position embedding (Su et al. 2021), "rotate half" form: the two halves of each head's vector
 * are turned as pairs by angle pos * 10000^(-2i/headDim). Nothing is added to the embeddings.
 */
final class RotaryPositions implements AttentionPositions {

    private final int headDim;

    RotaryPositions(int headDim) {
        this.headDim = headDim;
    }

    @Override
    public NDArray query(NDArray q, int firstPosition, int centre) {
        return rotate(q, firstPosition, headDim);
    }

    @Override
    public NDArray key(NDArray k, int centre) {
        return rotate(k, 0, headDim);
    }

    /** x (batch, heads, n, headDim) at positions firstPosition.. turned by rotary's angles. */
    static NDArray rotate(NDArray x, int firstPosition, int headDim) {
        long n = x.getShape().get(2);
        NDManager m = x.getManager();
        int half = headDim / 2;
        NDArray pos = m.arange(firstPosition, firstPosition + n, 1, DataType.FLOAT32).reshape(n, 1);
        NDArray freq = m.arange(0, half, 1, DataType.FLOAT32).mul(-2.0 * Math.log(10000.0) / headDim).exp();
        NDArray angle = pos.mul(freq.reshape(1, half));
        NDArray both = angle.concat(angle, 1); // (n, headDim)
        NDArray cos = both.cos();
        NDArray sin = both.sin();
        NDList halves = x.split(2, 3);
        NDArray rotated = halves.get(1).neg().concat(halves.get(0), 3);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
