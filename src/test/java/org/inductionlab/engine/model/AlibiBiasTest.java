package org.inductionlab.engine.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AlibiBiasTest {

    @Test
    void slopesAreThePapers() {
        float[] eight = AlibiBias.slopes(8);
        for (int h = 0; h < 8; h++) {
            assertEquals(Math.pow(2, -(h + 1)), eight[h], 1e-7, "8 heads: 2^-1 .. 2^-8");
        }
        // 6 heads: the 4-head slopes 2^-2, 2^-4, 2^-6, 2^-8, then every other of the 8-head ones: 2^-1, 2^-3
        float[] six = AlibiBias.slopes(6);
        double[] expected = {0.25, 1.0 / 16, 1.0 / 64, 1.0 / 256, 0.5, 0.125};
        for (int h = 0; h < 6; h++) {
            assertEquals(expected[h], six[h], 1e-7, "6 heads, head " + h);
        }
    }
}
