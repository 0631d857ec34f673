package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * Mamba's hidden attention (Ali, Zimerman and Wolf 2024), what the Attention page shows for a Mamba layer:
 * the scan unrolled into a causal linear operator per channel, and its maps per group of channels. A pass
 * that records attention asks for it (the mixer in {@link MambaModel}); the model itself never needs it.
 */
final class MambaHiddenAttention {
    private MambaHiddenAttention() {}

    /**
     * Mamba's hidden attention (Ali, Zimerman and Wolf 2024): unrolled, the scan is a causal linear
     * operator per channel e, y_i = Σ_{j≤i} α[e, i, j] u_j with
     * α[e, i, j] = Σ_n C_i[n] exp(Σ_{k=j+1..i} Δ_k[e] A[e, n]) Δ_j[e] B_j[n]. Returns α of channels
     * [e0, e1), (batch, e1 - e0, n, n), zero above the diagonal; same floor on Δ A as {@link SelectiveScan#scan}.
     */
    static NDArray hiddenAttention(NDArray delta, NDArray a, NDArray b, NDArray c, int e0, int e1) {
        NDManager m = delta.getManager();
        int n = (int) delta.getShape().get(1);
        NDArray floor = m.full(new Shape(), (float) -SelectiveScan.FLOOR);
        NDArray dl = delta.get(m, new NDIndex(":, :, " + e0 + ":" + e1));                     // (batch, n, G)
        NDArray cum = dl.expandDims(3).mul(a.get(m, new NDIndex(e0 + ":" + e1))).maximum(floor)
                .toType(DataType.FLOAT64, false).cumSum(1).transpose(0, 2, 1, 3);           // (batch, G, n, N)
        NDArray diff = cum.expandDims(3).sub(cum.expandDims(2));                          // (batch, G, i, j, N)
        NDArray zero = m.zeros(new Shape(), DataType.FLOAT64);
        NDArray decay = diff.minimum(zero).exp();            // exp(cum_i - cum_j), j ≤ i (above: masked below)
        NDArray cb = c.expandDims(2).mul(b.expandDims(1)).toType(DataType.FLOAT64, false);  // (batch, i, j, N)
        NDArray alpha = decay.mul(cb.expandDims(1)).sum(new int[] {4})                     // (batch, G, i, j)
                .mul(dl.transpose(0, 2, 1).expandDims(2).toType(DataType.FLOAT64, false));  // times Δ_j
        double[] keep = new double[n * n]; // j ≤ i
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(keep, i * n, i * n + i + 1, 1);
        }
        NDArray causal = m.create(keep, new Shape(n, n));
        return alpha.mul(causal).toType(DataType.FLOAT32, false);
    }

    /**
     * What the Attention page shows for a Mamba layer: for each of the {@code heads} groups of E/heads
     * channels, the mean |α| over its channels, each row scaled to sum to 1 — the share of the influence
     * on position i that comes from position j. (batch, heads, n, n).
     */
    static NDArray maps(NDArray u, NDArray delta, NDArray a, NDArray b, NDArray c, int heads) {
        NDManager m = u.getManager();
        int n = (int) u.getShape().get(1);
        long batch = u.getShape().get(0);
        int inner = (int) u.getShape().get(2);
        int state = (int) a.getShape().get(1);
        int groups = heads;
        int per = inner / groups;
        int step = (int) Math.max(1, Math.min(per, (8L << 20) / Math.max(1, batch * n * (long) n * state)));
        List<NDArray> maps = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            NDArray sum = null;
            for (int e0 = g * per; e0 < (g + 1) * per; e0 += step) {
                NDArray part = hiddenAttention(delta, a, b, c, e0, Math.min((g + 1) * per, e0 + step)).abs()
                        .sum(new int[] {1});
                sum = sum == null ? part : sum.add(part);
            }
            NDArray rows = sum.sum(new int[] {2}, true).maximum(m.full(new Shape(), 1e-30f));
            maps.add(sum.div(rows).expandDims(1));
        }
        return NDArrays.concat(new NDList(maps), 1);
    }

    /** {@link #maps} for the final query alone, (batch, heads, 1, n): cheap at any n. */
    static NDArray lastRow(NDArray delta, NDArray a, NDArray b, NDArray c, int heads) {
        NDManager m = delta.getManager();
        int inner = (int) delta.getShape().get(2);
        long batch = delta.getShape().get(0);
        int n = (int) delta.getShape().get(1);
        NDArray cum = delta.expandDims(3).mul(a).maximum(m.full(new Shape(), (float) -SelectiveScan.FLOOR))
                .toType(DataType.FLOAT64, false).cumSum(1);                                // (batch, n, E, N)
        NDArray decay = cum.get(m, new NDIndex(":, -1:, :, :")).sub(cum).exp();             // exp(cum_last - cum_j)
        NDArray cb = b.mul(c.get(m, new NDIndex(":, -1:, :"))).expandDims(2).toType(DataType.FLOAT64, false);
        NDArray alpha = decay.mul(cb).sum(new int[] {3}).toType(DataType.FLOAT32, false).mul(delta).abs(); // (batch, n, E)
        NDArray groups = alpha.reshape(batch, n, heads, inner / heads).mean(new int[] {3}); // (batch, n, heads)
        NDArray rows = groups.sum(new int[] {1}, true).maximum(m.full(new Shape(), 1e-30f));
        return groups.div(rows).transpose(0, 2, 1).expandDims(2);
    }
}
