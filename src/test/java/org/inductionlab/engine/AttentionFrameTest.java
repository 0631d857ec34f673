package org.inductionlab.engine;

import org.inductionlab.engine.run.AttentionFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The training recording of the watched sequence's attention: round trip, resume, a cut-short append. */
class AttentionFrameTest {

    @TempDir
    Path tmp;

    static AttentionFrame frame(long step) {
        int n = 5;
        float[][] maps = new float[2 * 3][n * n];
        for (int m = 0; m < maps.length; m++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    maps[m][i * n + j] = 1f / (i + 1); // uniform causal rows
                }
            }
            maps[m][(n - 1) * n] = (float) (step % 7) / 7; // a cell that differs by step
        }
        return AttentionFrame.quantize(step, 3, new int[] {1, 2, 16, 3, 16}, maps, 3, 0.75);
    }

    @Test
    void framesComeBackInOrderToAByteOfPrecision() throws IOException {
        for (long step : List.of(10L, 20L, 30L)) {
            AttentionFrame.append(tmp, frame(step));
        }
        List<AttentionFrame> back = AttentionFrame.read(tmp);
        assertEquals(List.of(10L, 20L, 30L), back.stream().map(AttentionFrame::step).toList());
        AttentionFrame f = back.get(2);
        assertEquals(2, f.layers());
        assertEquals(3, f.heads());
        assertArrayEquals(new int[] {1, 2, 16, 3, 16}, f.tokens());
        assertEquals(3, f.predicted());
        assertEquals(0.75f, f.probability());
        float[][] maps = f.maps();
        assertEquals(1f / 3, maps[4][2 * 5 + 1], 0.5 / 255);
        assertEquals(2f / 7, maps[0][4 * 5], 0.5 / 255, "step 30's own cell");
        assertEquals(0f, maps[0][1], "above the diagonal stays 0");
    }

    @Test
    void aResumeDropsTheFramesAfterTheCheckpoint() throws IOException {
        for (long step : List.of(10L, 20L, 30L)) {
            AttentionFrame.append(tmp, frame(step));
        }
        AttentionFrame.truncate(tmp, 20);
        AttentionFrame.append(tmp, frame(30));
        assertEquals(List.of(10L, 20L, 30L), AttentionFrame.read(tmp).stream().map(AttentionFrame::step).toList());
        AttentionFrame.truncate(tmp.resolve("nothing-here"), 5); // no recording: nothing to do
        assertFalse(Files.exists(tmp.resolve("nothing-here")));
    }

    @Test
    void anAppendCutShortLosesOnlyThatFrameAndAForeignFileIsAnError() throws IOException {
        AttentionFrame.append(tmp, frame(10));
        AttentionFrame.append(tmp, frame(20));
        Path file = tmp.resolve(AttentionFrame.FILE);
        byte[] whole = Files.readAllBytes(file);
        Path other = tmp.resolve("other");
        Files.createDirectories(other);
        AttentionFrame.append(other, frame(30));
        byte[] third = Files.readAllBytes(other.resolve(AttentionFrame.FILE));
        Files.write(file, java.util.Arrays.copyOf(third, third.length / 2), StandardOpenOption.APPEND);
        assertEquals(List.of(10L, 20L), AttentionFrame.read(tmp).stream().map(AttentionFrame::step).toList());
        assertTrue(whole.length > 0);

        Files.writeString(other.resolve(AttentionFrame.FILE), "not a recording");
        assertThrows(IOException.class, () -> AttentionFrame.read(other));
    }
}
