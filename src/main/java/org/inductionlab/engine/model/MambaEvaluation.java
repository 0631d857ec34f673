package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Mamba's evaluation pass at any length: the whole stack runs over blocks of {@value #TOKENS} tokens (over
 * the batch), carrying each layer's convolution window and scan state from block to block ({@link Carry})
 * and freeing each layer's intermediates as soon as the next layer's input exists, so memory stays bounded
 * at any length (never a (batch, n, E, N) tensor: at 2^20 that would be 8 GiB). The scan inside is
 * {@link ScanKernel}'s loop on a CPU with the vector API, else {@link SelectiveScan}'s chunked one.
 */
final class MambaEvaluation {
    private MambaEvaluation() {}

    /**
     * Tokens (over the whole batch) per block of the evaluation pass: 2^10, so a block's (tokens, E, N)
     * tensors (8 MiB) stay near the cache. Measured (docs/benchmarks.md): 8 x 2^16 tokens in 15.5 s at
     * 2^10, 17.6 s at 2^12..2^14, where the memory grows from 0.6 to 3.7 GB.
     */
    static final int TOKENS = 1 << 10;
    /**
     * Tokens an evaluation pass may hold (over its batch): the blocks bound the activations, so this bounds
     * only the tokens themselves (64 MiB of ids at 2^23).
     */
    static final int PASS_TOKENS = 1 << 23;
    /** Sequences an evaluation pass may hold: a scan chunk is (batch, 16, E, N), 8 MiB at 64 x 16 x 128 x 16. */
    static final int BATCH = 64;

    /** Positions per block of the evaluation pass for {@code batch} sequences: a multiple of the scan's chunk. */
    static int blockLength(long batch) {
        long per = Math.max(SelectiveScan.CHUNK, TOKENS / Math.max(1, batch));
        return (int) (per / SelectiveScan.CHUNK * SelectiveScan.CHUNK);
    }

    /**
     * What a block carries from one block of tokens to the next at evaluation: the last d_conv - 1 inputs
     * of its convolution, (batch, d_conv - 1, E), and the scan's state, (batch, E, N).
     */
    static final class Carry {
        NDArray window;
        NDArray h;

        static Carry empty(NDManager m, long batch, int inner, int state, int conv) {
            Carry c = new Carry();
            c.window = m.zeros(new Shape(batch, conv - 1, inner));
            c.h = m.zeros(new Shape(batch, inner, state));
            return c;
        }
    }

    /** Logits for the token after the last input of {@code tokens} (batch, n), block by block. */
    static NDArray forward(MambaModel model, NDArray tokens, ForwardPass pass) {
        NDManager m = tokens.getManager();
        int n = (int) tokens.getShape().get(1);
        long batch = tokens.getShape().get(0);
        int blockLength = blockLength(batch);
        Carry[] carry = new Carry[model.layerCount()];
        NDArray last = null;
        for (int t0 = 0; t0 < n; t0 += blockLength) {
            int t1 = Math.min(n, t0 + blockLength);
            try (NDManager block = m.newSubManager()) {
                NDArray x = model.embed(tokens.get(block, new NDIndex(":, " + t0 + ":" + t1)));
                for (int l = 0; l < carry.length; l++) {
                    if (carry[l] == null) {
                        carry[l] = model.emptyCarry(m, batch);
                    }
                    // each layer's intermediates go as soon as the next layer's input exists
                    try (NDManager layer = block.newSubManager()) {
                        x.tempAttach(layer);
                        NDArray next = model.block(l, x, carry[l], pass);
                        next.attach(block);
                        x = next;
                    }
                }
                NDArray keep = x.get(new NDIndex(":, -1, :"));
                keep.attach(m);
                if (last != null) {
                    last.close();
                }
                last = keep;
            }
        }
        return model.head(last);
    }
}
