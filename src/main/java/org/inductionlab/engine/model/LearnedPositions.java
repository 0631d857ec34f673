package org.inductionlab.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * A trained table of one vector per position (GPT-2 style). It knows nothing past its last row, so a
 * sequence longer than the table is refused: there is no honest way to embed a position never trained.
 */
final class LearnedPositions implements PositionalEncoding {

    private final NDArray table;

    LearnedPositions(int rows, int d, NDManager manager, SplittableRandom init) {
        table = Initializers.normal(manager, new Shape(rows, d), 1.0, init);
        table.setName("positions.weight");
    }

    @Override
    public NDArray addTo(NDArray x) {
        int length = (int) x.getShape().get(1);
        if (length > maxLength()) {
            throw new PositionLimitException(length, maxLength());
        }
        try (NDArray rows = table.get(x.getManager(), new ai.djl.ndarray.index.NDIndex("0:" + length))) {
            return x.add(rows);
        }
    }

    @Override
    public int maxLength() {
        return (int) table.getShape().get(0);
    }

    @Override
    public Map<String, NDArray> parameters() {
        return Map.of("positions.weight", table);
    }
}
