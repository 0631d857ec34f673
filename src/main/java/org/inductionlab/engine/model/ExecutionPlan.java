package org.inductionlab.engine.model;

import ai.djl.Device;

/**
 * How passes are cut up on a device: into how many causal blocks the square of scores is split, and at
 * most how many scores one attention tile holds when training and when sweeping lengths.
 *
 * <p>A CPU wants small pieces: a causal block that skips the masked half of the square saves real
 * arithmetic, and one tile size at every length lets glibc reuse the same memory (docs/benchmarks.md). A
 * GPU wants few large calls: on an H100 the lab's training step was bound by launching small operations
 * (19 % busy, 2.6x PyTorch's step), so there the square is one block, and a sweep's tile is sized from the
 * card's free memory — as large as a sixteenth of it allows (a tile's scores, weights and their
 * temporaries in float, with room for the rest), between 64M and 1G scores — so 2^20 takes a few large
 * products per layer instead of thousands.
 *
 * <p>A description only: {@link ForwardPass#training(ExecutionPlan)} and {@link ForwardPass#evaluation(ExecutionPlan,
 * long)} build the passes from it.
 */
public record ExecutionPlan(int causalBlocks, long trainingTileElements, long sweepTileElements) {

    /** Fewest and most scores per sweep tile on a GPU. */
    static final long GPU_MIN_TILE = 64L << 20;
    static final long GPU_MAX_TILE = 1L << 30;

    /** What this lab has always done on a CPU. */
    public static final ExecutionPlan CPU = new ExecutionPlan(CausalAttention.CAUSAL_BLOCKS,
            CausalAttention.TRAINING_TILE_ELEMENTS, CausalAttention.CPU_SWEEP_TILE_ELEMENTS);

    /** The plan for a GPU with {@code freeBytes} of free memory (unknown: Long.MAX_VALUE). */
    public static ExecutionPlan gpu(long freeBytes) {
        long tile = Math.max(GPU_MIN_TILE, Math.min(GPU_MAX_TILE, freeBytes / 16 / Float.BYTES));
        return new ExecutionPlan(1, Math.max(CausalAttention.TRAINING_TILE_ELEMENTS, tile), tile);
    }

    /** The plan for {@code device}, reading a GPU's free memory now. */
    public static ExecutionPlan of(Device device) {
        return device.isGpu() ? gpu(org.inductionlab.engine.platform.MachineMemory.availableBytes(device)) : CPU;
    }

}
