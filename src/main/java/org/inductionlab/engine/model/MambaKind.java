package org.inductionlab.engine.model;

import ai.djl.ndarray.NDManager;
import org.inductionlab.engine.config.Architecture;
import org.inductionlab.engine.config.Hyperparameters;

import java.util.Locale;

/**
 * Mamba's {@link ModelKind}: {@link MambaModel}, its cost, its words. A Mamba's "head" is a group of E/heads
 * channels (what its hidden attention averages and ablation zeroes), named with its channels.
 */
public final class MambaKind implements ModelKind {

    /** The one instance, registered in {@link ModelKind#of}. */
    public static final MambaKind INSTANCE = new MambaKind();

    private MambaKind() {}

    @Override
    public Architecture architecture() {
        return Architecture.MAMBA;
    }

    @Override
    public SequenceModel create(Hyperparameters hp, NDManager manager) {
        return new MambaModel(hp, manager);
    }

    /**
     * Per token and layer: the projections (in 2E, x R+2N, dt E, out d), the convolution, and the scan's few
     * elementwise operations on every (channel, state) pair. Where the pass serves the last position only,
     * the last block reads its states with C and projects out at that position alone.
     */
    @Override
    public double forwardFlops(Hyperparameters hp, int n, ForwardPass pass) {
        double d = hp.dModel();
        double e = hp.expand() * d;
        double r = hp.dtRankOrAuto();
        double projections = 2 * d * 2 * e + 2 * e * (r + 2 * hp.dState()) + 2 * r * e + 2 * e * d;
        double rest = 2 * e * hp.dConv() + 12 * e * hp.dState();
        double lastBlockTail = pass.lastQueryOnly() ? (n - 1) * (2 * e * d + 2 * e * hp.dState()) : 0;
        return hp.layers() * n * (projections + rest) - lastBlockTail + 2 * d * hp.tokenCount();
    }

    /**
     * Where the scan runs chunked in libtorch ({@link SelectiveScan}: a GPU, or a JVM without the vector API),
     * its running sums (products with a 16 x 16 triangle) and exponentials beyond the recurrence's own work,
     * per token, layer and (channel, state) pair: with them the first estimate of 8 x 2^16 tokens was 15 s
     * where 15.5 s were measured (docs/benchmarks.md), without them 11 s. {@link ScanKernel}'s loop, which
     * a CPU runs, does the recurrence's own work only (8 x 2^15 tokens: 14.8 s chunked, 6.7 s in the loop).
     */
    @Override
    public double evaluationFlops(Hyperparameters hp, int n) {
        double chunked = VectorLanes.available() && hp.device() != org.inductionlab.engine.config.DeviceChoice.GPU
                ? 0 : (double) hp.layers() * n * 16.0 * hp.expand() * hp.dModel() * hp.dState();
        return ModelKind.super.evaluationFlops(hp, n) + chunked;
    }

    /** One block of tokens through one layer and its scan. */
    @Override
    public long evaluationBytes(Hyperparameters hp, int batch, int n, long tileElements) {
        long e = (long) hp.expand() * hp.dModel();
        long tokens = Math.min((long) batch * n, (long) batch * MambaEvaluation.blockLength(batch));
        // the scan holds about a dozen (block tokens, E, N) tensors at once (all chunks of the block)
        return 4L * tokens * (8 * e + 4L * hp.dModel()) + 4L * 12 * tokens * e * hp.dState();
    }

    /** The scan keeps about eight (batch, n, E, N) tensors, doubles. */
    @Override
    public long trainingBytes(Hyperparameters hp) {
        long e = (long) hp.expand() * hp.dModel();
        long perLayer = 8L * 8 * hp.batchSize() * (hp.trainLength() - 1L) * e * hp.dState()
                + 4L * 10 * hp.batchSize() * (hp.trainLength() - 1L) * e;
        return hp.layers() * perLayer + 4L * 4 * parameterCount(hp);
    }

    @Override
    public long parameterCount(Hyperparameters hp) {
        long d = hp.dModel();
        long e = hp.expand() * d;
        long n = hp.dState();
        long r = hp.dtRankOrAuto();
        long layer = d + 2 * e * d + e * hp.dConv() + e + (r + 2 * n) * e + e * r + e + e * n + e + d * e;
        return hp.tokenCount() * d + hp.layers() * layer + d + hp.tokenCount() * d + hp.tokenCount();
    }

    /**
     * The blocks bound a pass's activations whatever it holds, so a pass takes up to
     * {@link MambaEvaluation#PASS_TOKENS} in at most {@link MambaEvaluation#BATCH} sequences: a batch of long
     * sequences makes each chunk of the scan one larger call instead of one call per sequence, and the cap
     * keeps a chunk's tensors (batch x 16 x E x N) near 8 MiB.
     */
    @Override
    public int evaluationBatch(int length, int attentionTokens) {
        return Math.min(MambaEvaluation.BATCH, MambaEvaluation.PASS_TOKENS / length);
    }

    @Override
    public boolean fusedAttention() {
        return false;
    }

    /** No positional table: any length. */
    @Override
    public int maxLength(Hyperparameters hp) {
        return Integer.MAX_VALUE;
    }

    @Override
    public String displayName() {
        return "Mamba";
    }

    @Override
    public String describe(Hyperparameters hp) {
        return String.format(Locale.ROOT, "Mamba, %d layers, d=%d, state %d", hp.layers(), hp.dModel(), hp.dState());
    }

    @Override
    public String unitsName() {
        return "channel groups";
    }

    /** "L1 H3 (ch 48–63)". */
    @Override
    public String unitName(Hyperparameters hp, int layer, int head) {
        return "L" + layer + " H" + head + " (ch " + channels(hp, head) + ")";
    }

    /** The channels of group {@code head}: "48–63" (the last group takes any remainder, as ablation does). */
    public static String channels(Hyperparameters hp, int head) {
        int inner = hp.expand() * hp.dModel();
        int per = Math.max(1, inner / hp.heads());
        int last = head == hp.heads() - 1 ? inner - 1 : (head + 1) * per - 1;
        return (head * per) + "–" + last;
    }

    @Override
    public String mapSuffix() {
        return ", hidden attention";
    }

    @Override
    public String scoresNote() {
        return "a Mamba's channel groups score near 0 on the target (the final S on M): a few channels write M"
                + " into their state a token or two after it and keep it; the Attention page shows which";
    }

    @Override
    public boolean hasTorchPeer() {
        return false;
    }
}
