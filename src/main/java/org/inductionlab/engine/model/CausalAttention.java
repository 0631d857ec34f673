package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * softmax(q k^T + causal mask) v, computed in tiles so memory grows with n * tile instead of n^2. This
 * is the machinery that makes {@link TransformerModel} fast and bounded; the model asks for it in one
 * call, and a reader of the model file can take it as the textbook formula.
 *
 * <p>The queries are cut into blocks and a block of queries i0..i1 is scored against keys 0..i1 only
 * (the rest would be masked anyway), which skips most of the square's masked half: with 4 blocks, 10/16
 * of the square is computed. Blocks hold as many sequences as fit in {@code pass.tileElements()} scores,
 * and get smaller still when a single sequence does not fit. Every tile size gives the same result as
 * {@link ForwardPass#full()} (tested to 1e-4, gradients included).
 */
public final class CausalAttention {
    private CausalAttention() {}

    /** Scores per tile for evaluation: 4M floats (16 MiB), so memory grows with n * tile, not n^2. */
    public static final long DEFAULT_TILE_ELEMENTS = 4L << 20;

    /**
     * Scores per tile for training. Backward keeps every tile's weights anyway, so small tiles save no
     * memory there and only add operations; 64M floats leaves the course and fast presets untiled.
     */
    public static final long TRAINING_TILE_ELEMENTS = 64L << 20;

    /**
     * Scores per tile for length sweeps on a CPU: 16M (64 MiB) at every length: one size lets glibc reuse
     * the same blocks, where growing tiles left holes that made the heap (and the time) grow through a
     * sweep. A GPU's comes from its free memory ({@link ExecutionPlan}).
     */
    public static final long CPU_SWEEP_TILE_ELEMENTS = 16L << 20;

    /** Query blocks of the causal square, for inputs of at least this many queries. */
    static final int CAUSAL_BLOCKS = 4;
    static final int CAUSAL_BLOCK_MIN_QUERIES = 64;

    /** Added to scores of keys after the query: exp() of it is exactly 0, and unlike -inf it never makes NaN. */
    private static final float MASKED = -1e30f;
    /** The same in fp16, whose lowest finite value is -65504. */
    private static final float MASKED_HALF = -65504f;

    /**
     * Attention of queries (batch, heads, queries, dh) at absolute positions {@code firstQuery..} over keys
     * and values (batch, heads, keys, dh) at positions 0..; q is already scaled by 1/sqrt(dh). Returns
     * (batch, heads, queries, dh). {@code dropout} applies to the weights when the pass trains.
     */
    public static NDArray attend(NDArray q, NDArray k, NDArray v, int firstQuery, int layer, ForwardPass pass,
                                 double dropout) {
        return attend(q, k, v, firstQuery, layer, pass, dropout, null);
    }

    /** The same with {@code bias} (null for none) added to the scores; see {@link ScoreBias}. */
    static NDArray attend(NDArray q, NDArray k, NDArray v, int firstQuery, int layer, ForwardPass pass,
                          double dropout, ScoreBias bias) {
        NDManager m = q.getManager();
        int batch = (int) q.getShape().get(0);
        int heads = (int) q.getShape().get(1);
        int queries = (int) q.getShape().get(2);
        int keys = (int) k.getShape().get(2);
        if (pass.attendsFused(queries, keys, firstQuery, dropout, bias != null) && FusedAttention.available(q.getDevice())) {
            return FusedAttention.attend(q, k, v, pass.training()); // never holds the square of scores
        }
        // the efficient passes skip keys outside a window; the full pass (the yardstick) computes the square
        if (bias != null && bias.window() > 0 && pass.lastQueryOnly() && pass.recorder() == null
                && firstQuery + queries > bias.window()) {
            return attendBanded(q, k, v, firstQuery, layer, pass, dropout, bias);
        }
        TilePlan plan = TilePlan.of(batch, heads, queries, keys, firstQuery, pass);
        int seqsPerTile = plan.sequences();
        int queriesPerTile = plan.queries();
        if (seqsPerTile >= batch && queriesPerTile >= queries) {
            return attendTile(q, k, v, firstQuery, 0, layer, 0, 0, pass, dropout, bias);
        }
        NDList rows = new NDList();
        for (int b0 = 0; b0 < batch; b0 += seqsPerTile) {
            String seqs = b0 + ":" + Math.min(batch, b0 + seqsPerTile);
            NDList cols = new NDList();
            for (int i0 = 0; i0 < queries; i0 += queriesPerTile) {
                int i1 = Math.min(queries, i0 + queriesPerTile);
                int keyEnd = firstQuery + i1; // keys after the tile's last query are all masked
                // Each tile's scores are freed before the next tile: memory grows with n * tile, not n^2.
                try (NDManager tile = m.newSubManager()) {
                    NDArray qt = q.get(tile, new NDIndex(seqs + ", :, " + i0 + ":" + i1));
                    NDArray kt = k.get(tile, new NDIndex(seqs + ", :, 0:" + keyEnd));
                    NDArray vt = v.get(tile, new NDIndex(seqs + ", :, 0:" + keyEnd));
                    NDArray out = attendTile(qt, kt, vt, firstQuery + i0, 0, layer, b0, i0, pass, dropout, bias);
                    out.attach(m);
                    cols.add(out);
                }
            }
            rows.add(cols.size() == 1 ? cols.get(0) : NDArrays.concat(cols, 2));
        }
        return rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows, 0);
    }

    /**
     * A hard local window of W keys: a tile of queries i0..i1 meets only keys i0-W+1..i1, so the cost grows
     * with n * (tile + W) instead of n^2 (a 2^16-token layer with a window of 2 is a few tiles of work).
     */
    private static NDArray attendBanded(NDArray q, NDArray k, NDArray v, int firstQuery, int layer, ForwardPass pass,
                                        double dropout, ScoreBias bias) {
        NDManager m = q.getManager();
        int batch = (int) q.getShape().get(0);
        int heads = (int) q.getShape().get(1);
        int queries = (int) q.getShape().get(2);
        int window = bias.window();
        int perTile = bandedTile(batch, heads, queries, window, pass.tileElements());
        NDList cols = new NDList();
        for (int i0 = 0; i0 < queries; i0 += perTile) {
            int i1 = Math.min(queries, i0 + perTile);
            int keyStart = Math.max(0, firstQuery + i0 - window + 1);
            int keyEnd = firstQuery + i1;
            try (NDManager tile = m.newSubManager()) {
                NDArray qt = q.get(tile, new NDIndex(":, :, " + i0 + ":" + i1));
                NDArray kt = k.get(tile, new NDIndex(":, :, " + keyStart + ":" + keyEnd));
                NDArray vt = v.get(tile, new NDIndex(":, :, " + keyStart + ":" + keyEnd));
                NDArray out = attendTile(qt, kt, vt, firstQuery + i0, keyStart, layer, 0, i0, pass, dropout, bias);
                out.attach(m);
                cols.add(out);
            }
        }
        return cols.size() == 1 ? cols.get(0) : NDArrays.concat(cols, 2);
    }

    /** Queries per tile of a banded (windowed) layer: as many as fit {@code budget} scores, at least 16. */
    static int bandedTile(int batch, int heads, int queries, int window, long budget) {
        int perTile = queries;
        while (perTile > 16 && (long) batch * heads * perTile * (perTile + window) > Math.max(1, budget)) {
            perTile = (perTile + 1) / 2;
        }
        return perTile;
    }

    /** Scores per head a banded layer of {@code queries} computes: each tile meets its queries and W-1 keys before. */
    static long bandedScores(int queries, int window, int perTile) {
        long total = 0;
        for (int i0 = 0; i0 < queries; i0 += perTile) {
            int i1 = Math.min(queries, i0 + perTile);
            total += (long) (i1 - i0) * (i1 - Math.max(0, i0 - window + 1));
        }
        return total;
    }

    /** How attention is cut into tiles: sequences and queries per tile. */
    public record TilePlan(int sequences, int queries) {
        public static TilePlan of(int batch, int heads, int queries, int keys, int firstQuery, ForwardPass pass) {
            long budget = Math.max(1, pass.tileElements());
            int blocks = queries >= CAUSAL_BLOCK_MIN_QUERIES && firstQuery == 0 ? pass.causalBlocks() : 1;
            int perTile = (queries + blocks - 1) / blocks;
            perTile = (int) Math.max(1, Math.min(perTile, budget / ((long) heads * keys)));
            int seqs = (int) Math.max(1, Math.min(batch, budget / ((long) heads * perTile * keys)));
            return new TilePlan(seqs, perTile);
        }

        /** Scores computed per sequence and head: each query tile i0..i1 meets keys 0..firstQuery+i1. */
        public static long scores(int queries, int firstQuery, int perTile) {
            long total = 0;
            for (int i0 = 0; i0 < queries; i0 += perTile) {
                int i1 = Math.min(queries, i0 + perTile);
                total += (long) (i1 - i0) * (firstQuery + i1);
            }
            return total;
        }
    }

    /** One tile: queries at absolute positions firstQuery.., keys at firstKey..firstKey+keys-1. */
    private static NDArray attendTile(NDArray q, NDArray k, NDArray v, int firstQuery, int firstKey, int layer,
                                      int firstSeq, int firstRow, ForwardPass pass, double dropout, ScoreBias bias) {
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)); // (b, heads, queries, keys)
        int heads = (int) q.getShape().get(1);
        int queries = (int) q.getShape().get(2);
        int keys = (int) k.getShape().get(2);
        if (firstQuery < firstKey + keys - 1) { // some query cannot see every key
            // Only keys from firstQuery on can lie after a query of this tile: mask that strip in place
            // (a view; matmul's backward does not need its output), not the whole tile.
            int from = firstQuery - firstKey;
            NDArray strip = scores.get(scores.getManager(), new NDIndex(":, :, :, " + from + ":"));
            strip.addi(causalMask(scores.getManager(), 0, queries, keys - from, scores.getDataType()));
        }
        if (bias != null) {
            scores.addi(bias.scores(scores.getManager(), heads, firstQuery, queries, firstKey, keys,
                    scores.getDataType()));
        }
        NDArray weights = scores.softmax(-1);
        if (pass.recorder() != null) {
            pass.recorder().record(layer, weights, firstSeq, firstRow);
        }
        weights = pass.dropout(weights, dropout);
        return weights.matMul(v);
    }

    /** (queries, keys) in {@code type}: 0 where key <= query, MASKED after it; query r sits at key index firstQuery + r. */
    private static NDArray causalMask(NDManager m, int firstQuery, int queries, int keys, DataType type) {
        NDArray keyPos = m.arange(0, keys, 1, DataType.INT32).reshape(1, keys);
        NDArray queryPos = m.arange(firstQuery, firstQuery + queries, 1, DataType.INT32).reshape(queries, 1);
        float masked = type == DataType.FLOAT16 ? MASKED_HALF : MASKED;
        return keyPos.gt(queryPos).toType(type, false).mul(m.full(new Shape(), masked, type));
    }
}
