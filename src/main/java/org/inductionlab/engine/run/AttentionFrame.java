package org.inductionlab.engine.run;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * One recording of every head's attention on the run's fixed probe sequence at a training step, so the
 * Attention page can scrub through training and show a head forming. Weights are kept to 1/255 (a byte a
 * cell): enough for a heatmap; the scores themselves are in heads.csv at full precision.
 *
 * <p>File {@value #FILE}: one gzip member per frame, appended (Java reads concatenated members as one
 * stream), each holding: int magic 'ATT1', long step, int layers, int heads, int n, n ints of tokens,
 * int predicted token, float its probability, layers*heads*n*n bytes of weights (row-major per head).
 */
public record AttentionFrame(long step, int layers, int heads, int[] tokens, int predicted, float probability,
                             byte[] weights) {

    public static final String FILE = "attention.bin.gz";
    private static final int MAGIC = 0x41545431;
    private static final int MAX_TOKENS = 1024;
    private static final int MAX_MAPS = 4096;

    public AttentionFrame {
        int n = tokens.length;
        if (n < 1 || n > MAX_TOKENS || layers < 1 || heads < 1 || (long) layers * heads > MAX_MAPS) {
            throw new IllegalArgumentException("an attention frame of " + layers + " x " + heads + " maps of "
                    + n + " tokens is out of range");
        }
        if (weights.length != layers * heads * n * n) {
            throw new IllegalArgumentException("weights: " + weights.length + " bytes for " + layers * heads
                    + " maps of " + n + " x " + n);
        }
    }

    /** A frame from full-precision maps, {@code maps[layer * heads + head]} row-major n x n, each in [0, 1]. */
    public static AttentionFrame quantize(long step, int heads, int[] tokens, float[][] maps, int predicted,
                                          double probability) {
        int n = tokens.length;
        byte[] w = new byte[maps.length * n * n];
        for (int m = 0; m < maps.length; m++) {
            for (int c = 0; c < n * n; c++) {
                float v = Math.max(0, Math.min(1, maps[m][c]));
                w[m * n * n + c] = (byte) Math.round(v * 255);
            }
        }
        return new AttentionFrame(step, maps.length / heads, heads, tokens.clone(), predicted, (float) probability, w);
    }

    /** The weights back as floats, {@code [layer * heads + head][query * n + key]}. */
    public float[][] maps() {
        int n = tokens.length;
        float[][] out = new float[layers * heads][n * n];
        for (int m = 0; m < out.length; m++) {
            for (int c = 0; c < n * n; c++) {
                out[m][c] = (weights[m * n * n + c] & 0xff) / 255f;
            }
        }
        return out;
    }

    /** Appends a frame to the run folder's file (one gzip member, so a crash loses at most that frame). */
    public static synchronized void append(Path folder, AttentionFrame f) throws IOException {
        try (OutputStream out = Files.newOutputStream(folder.resolve(FILE), StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            write(out, List.of(f));
        }
    }

    private static void write(OutputStream raw, List<AttentionFrame> frames) throws IOException {
        for (AttentionFrame f : frames) {
            GZIPOutputStream gz = new GZIPOutputStream(new AtomicFiles.NonClosing(raw), 1 << 16);
            DataOutputStream d = new DataOutputStream(new BufferedOutputStream(gz, 1 << 16));
            d.writeInt(MAGIC);
            d.writeLong(f.step);
            d.writeInt(f.layers);
            d.writeInt(f.heads);
            d.writeInt(f.tokens.length);
            for (int t : f.tokens) {
                d.writeInt(t);
            }
            d.writeInt(f.predicted);
            d.writeFloat(f.probability);
            d.write(f.weights);
            d.flush();
            gz.finish();
        }
        raw.flush();
    }

    /**
     * Every frame of the run, in step order; none when there is no file. A frame cut short (an interrupted
     * append) ends the list; a file that is not a recording is an {@link IOException}.
     */
    public static List<AttentionFrame> read(Path folder) throws IOException {
        Path file = folder.resolve(FILE);
        List<AttentionFrame> frames = new ArrayList<>();
        if (!Files.exists(file)) {
            return frames;
        }
        InputStream raw = new BufferedInputStream(Files.newInputStream(file));
        InputStream in;
        try {
            in = new GZIPInputStream(raw, 1 << 16);
        } catch (EOFException empty) { // an append cut before its first byte
            raw.close();
            return frames;
        } catch (java.util.zip.ZipException foreign) {
            raw.close();
            throw new IOException(file + " is not an attention recording");
        }
        try (in) {
            DataInputStream d = new DataInputStream(in);
            while (true) {
                int magic;
                try {
                    magic = d.readInt();
                } catch (EOFException end) {
                    break;
                }
                if (magic != MAGIC) {
                    throw new IOException(file + " is not an attention recording");
                }
                long step = d.readLong();
                int layers = d.readInt();
                int heads = d.readInt();
                int n = d.readInt();
                if (n < 1 || n > MAX_TOKENS || layers < 1 || heads < 1 || (long) layers * heads > MAX_MAPS) {
                    throw new IOException(file + ": a frame of " + layers + " x " + heads + " maps of " + n
                            + " tokens is out of range");
                }
                int[] tokens = new int[n];
                for (int i = 0; i < n; i++) {
                    tokens[i] = d.readInt();
                }
                int predicted = d.readInt();
                float p = d.readFloat();
                byte[] w = new byte[layers * heads * n * n];
                d.readFully(w);
                frames.add(new AttentionFrame(step, layers, heads, tokens, predicted, p, w));
            }
        } catch (EOFException | java.util.zip.ZipException cut) {
            // the last append was interrupted: the frames before it stand
        }
        frames.sort(java.util.Comparator.comparingLong(AttentionFrame::step));
        return frames;
    }

    /** On resume: drops the frames after the checkpoint's step, atomically. */
    public static synchronized void truncate(Path folder, long lastStep) throws IOException {
        Path file = folder.resolve(FILE);
        if (!Files.exists(file)) {
            return;
        }
        List<AttentionFrame> keep = read(folder).stream().filter(f -> f.step <= lastStep).toList();
        AtomicFiles.write(file, out -> write(out, keep));
    }
}
