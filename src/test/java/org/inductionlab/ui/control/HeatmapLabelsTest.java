package org.inductionlab.ui.control;

import org.inductionlab.engine.eval.AttentionMap;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The heatmap labels its cells by token only where the typical token's label fits a cell. */
class HeatmapLabelsTest {

    private static AttentionMap map(int[] tokens, int s) {
        int n = tokens.length;
        return AttentionMap.of(tokens, s, 1, new float[][] {new float[n * n]}, 0, 1);
    }

    @Test
    void twoDigitTokensNeedWiderCellsThanOneDigitOnes() {
        double fs = 11;
        AttentionMap v16 = map(new int[] {3, 16, 7, 12, 1, 5, 16}, 16);         // S twice, one two-digit token
        AttentionMap v64 = map(new int[] {50, 3, 27, 36, 60, 6, 24, 35}, 64);   // most take two digits
        assertTrue(HeatmapView.labelsByToken(v16, 12.6, fs), "V = 16 at 32 tokens: by token, as before");
        assertFalse(HeatmapView.labelsByToken(v64, 12.6, fs), "V = 64 at the same size: they would run together");
        assertTrue(HeatmapView.labelsByToken(v64, 18, fs), "wide enough cells carry them");
        assertFalse(HeatmapView.labelsByToken(v16, 11, fs), "too small for any token");
    }
}
