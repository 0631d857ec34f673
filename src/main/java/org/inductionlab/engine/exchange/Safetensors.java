package org.inductionlab.engine.exchange;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.inductionlab.engine.run.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
 * ({@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__":
 * {string: string}}}), then the tensors' bytes, little-endian, offsets relative to the end of the header.
 *
 * <p>Written here rather than with DJL's {@code NDList.encode(SAFETENSORS)} because DJL 0.36 writes no
 * {@code __metadata__} (the hyperparameters travel there) and its reader allocates whatever the header
 * length claims before checking it against the file. A file from elsewhere is untrusted: the header is
 * checked whole (length within the file and at most 100 MB, every tensor's dtype, shape, byte count and
 * offsets, no overlaps or holes) before any tensor is read, and a tensor is read only when asked for, so
 * a 40-byte file can neither exhaust memory nor crash the lab.
 */
public final class Safetensors {

    /** The format's own limit on the header. */
    public static final long MAX_HEADER = 100L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).build());
        JSON.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    private Safetensors() {}

    /** Bytes per element of the dtypes the lab reads (all converted to 32-bit floats). */
    static int bytesPer(String dtype) {
        return switch (dtype) {
            case "F32" -> 4;
            case "F64" -> 8;
            case "F16", "BF16" -> 2;
            default -> -1;
        };
    }

    /** One tensor's entry in the header. */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {
        public long elements() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return n;
        }

        public String shapeText() {
            return shapeText(shape);
        }

        public static String shapeText(long[] shape) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < shape.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(shape[i]);
            }
            return sb.append(']').toString();
        }
    }

    /** A checked header: every tensor by name in file order, the metadata, and where the data starts. */
    public record Header(Path file, Map<String, Entry> tensors, Map<String, String> metadata, long dataStart) {}

    /** A tensor to write: row-major float values of the given shape. */
    public record Tensor(long[] shape, float[] values) {}

    /** Reads and checks the header of {@code file}; {@link ModelFileException} says what is wrong. */
    public static Header readHeader(Path file) {
        if (java.nio.file.Files.isDirectory(file)) {
            throw bad(file, "is a folder, not a safetensors file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw bad(file, "is " + size + " bytes long; a safetensors file starts with an 8-byte header length");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long n = len.flip().getLong();
            if (n < 0 || n > size - 8) { // negative: a length past 2^63 read as unsigned
                if (looksLikeText(ch)) { // a config.json or token file given by mistake: its letters are no length
                    throw bad(file, "is not a safetensors file: it is text, and a safetensors file starts with an"
                            + " 8-byte header length");
                }
                throw bad(file, "its header length " + Long.toUnsignedString(n) + " is beyond the file's "
                        + (size - 8) + " bytes after the length");
            }
            if (n < 2) {
                throw bad(file, "its header length " + n + " is too short for a JSON object");
            }
            if (n > MAX_HEADER) {
                throw bad(file, "its header length " + n + " is over the format's limit of " + MAX_HEADER + " bytes");
            }
            ByteBuffer head = ByteBuffer.allocate((int) n);
            readFully(ch, head, 8);
            JsonNode root;
            try {
                root = JSON.readTree(new String(head.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw bad(file, "its header is not JSON (" + firstLine(e.getMessage()) + ")");
            }
            if (root == null || !root.isObject()) {
                throw bad(file, "its header is not a JSON object");
            }
            return check(file, (ObjectNode) root, 8 + n, size);
        } catch (java.nio.file.NoSuchFileException e) {
            throw bad(file, "does not exist");
        } catch (java.nio.file.AccessDeniedException e) {
            throw bad(file, "cannot be read: permission denied");
        } catch (IOException e) {
            throw bad(file, "cannot be read (" + e.getMessage() + ")");
        }
    }

    /**
     * Whether the file starts as text: its first 8 bytes (where the length would be) printable ASCII, and
     * no control character in its first 512 (bytes from 0x80 up pass, for UTF-8).
     */
    private static boolean looksLikeText(FileChannel ch) throws IOException {
        ByteBuffer head = ByteBuffer.allocate((int) Math.min(ch.size(), 512));
        readFully(ch, head, 0);
        byte[] b = head.array();
        for (int i = 0; i < b.length; i++) {
            boolean control = b[i] >= 0 && b[i] < 0x20 && b[i] != '\n' && b[i] != '\r' && b[i] != '\t' || b[i] == 0x7f;
            if (control || i < 8 && b[i] < 0) {
                return false;
            }
        }
        return true;
    }

    private static Header check(Path file, ObjectNode root, long dataStart, long size) {
        Map<String, Entry> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) {
                    throw bad(file, "__metadata__ is not an object of strings");
                }
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = m.next();
                    if (!e.getValue().isTextual()) {
                        throw bad(file, "__metadata__ value " + e.getKey() + " is not a string");
                    }
                    metadata.put(e.getKey(), e.getValue().asText());
                }
                continue;
            }
            tensors.put(name, entry(file, name, v));
        }
        long dataBytes = size - dataStart;
        List<Entry> byOffset = new ArrayList<>(tensors.values());
        byOffset.sort(Comparator.comparingLong(Entry::begin));
        long expected = 0;
        for (Entry e : byOffset) {
            if (e.begin() != expected) {
                throw bad(file, "tensor " + e.name() + " starts at byte " + e.begin() + " of the data, expected "
                        + expected + (e.begin() < expected ? " (it overlaps the one before)" : " (a hole before it)"));
            }
            if (e.end() > dataBytes) {
                throw bad(file, "tensor " + e.name() + " ends at byte " + e.end() + ", beyond the file's "
                        + dataBytes + " bytes of data");
            }
            expected = e.end();
        }
        if (expected != dataBytes) {
            throw bad(file, "its data is " + dataBytes + " bytes but its tensors cover " + expected);
        }
        return new Header(file, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata), dataStart);
    }

    private static Entry entry(Path file, String name, JsonNode v) {
        if (!v.isObject() || !v.path("dtype").isTextual() || !v.path("shape").isArray()
                || !v.path("data_offsets").isArray() || v.path("data_offsets").size() != 2) {
            throw bad(file, "tensor " + name + " needs dtype, shape and data_offsets [begin, end]");
        }
        String dtype = v.get("dtype").asText();
        int per = bytesPer(dtype);
        if (per < 0) {
            throw bad(file, "tensor " + name + " has dtype " + dtype + " (allowed: F32, F64, F16, BF16)");
        }
        JsonNode sh = v.get("shape");
        if (sh.size() > 8) {
            throw bad(file, "tensor " + name + " has " + sh.size() + " dimensions (allowed: at most 8)");
        }
        long[] shape = new long[sh.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw bad(file, "tensor " + name + " has a bad shape " + sh);
            }
            shape[i] = d.asLong();
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException overflow) {
                throw bad(file, "tensor " + name + " has a shape " + sh + " whose size overflows");
            }
        }
        JsonNode b = v.get("data_offsets").get(0);
        JsonNode e = v.get("data_offsets").get(1);
        if (!b.isIntegralNumber() || !e.isIntegralNumber() || !b.canConvertToLong() || !e.canConvertToLong()
                || b.asLong() < 0 || e.asLong() < b.asLong()) {
            throw bad(file, "tensor " + name + " has bad data_offsets " + v.get("data_offsets"));
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(elements, per);
        } catch (ArithmeticException overflow) {
            throw bad(file, "tensor " + name + " has a shape " + sh + " whose size overflows");
        }
        if (e.asLong() - b.asLong() != bytes) {
            throw bad(file, "tensor " + name + " of shape " + Entry.shapeText(shape) + " and dtype " + dtype
                    + " needs " + bytes + " bytes but its data_offsets hold " + (e.asLong() - b.asLong()));
        }
        return new Entry(name, dtype, shape, b.asLong(), e.asLong());
    }

    /** The values of one tensor as floats (F64, F16 and BF16 converted). */
    public static float[] readFloats(Header h, String name) {
        Entry e = h.tensors().get(name);
        if (e == null) {
            throw bad(h.file(), "has no tensor " + name);
        }
        if (e.elements() > Integer.MAX_VALUE / 8) {
            throw bad(h.file(), "tensor " + name + " has " + e.elements() + " values, too many to load");
        }
        int n = (int) e.elements();
        ByteBuffer buf = ByteBuffer.allocate((int) (e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(h.file(), StandardOpenOption.READ)) {
            readFully(ch, buf, h.dataStart() + e.begin());
        } catch (IOException ex) {
            throw bad(h.file(), "cannot be read (" + ex.getMessage() + ")");
        }
        buf.flip();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (e.dtype()) {
                case "F32" -> buf.getFloat();
                case "F64" -> (float) buf.getDouble();
                case "F16" -> halfToFloat(buf.getShort());
                default -> Float.intBitsToFloat((buf.getShort() & 0xffff) << 16); // BF16
            };
        }
        return out;
    }

    /** Writes {@code tensors} (in the map's order) as F32 with {@code metadata}, all or nothing. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> t : tensors.entrySet()) {
            ObjectNode e = header.putObject(t.getKey());
            e.put("dtype", "F32");
            var shape = e.putArray("shape");
            long elements = 1;
            for (long s : t.getValue().shape()) {
                shape.add(s);
                elements *= s;
            }
            if (elements != t.getValue().values().length) {
                throw new IllegalArgumentException(t.getKey() + ": " + t.getValue().values().length
                        + " values for shape " + Entry.shapeText(t.getValue().shape()));
            }
            var offsets = e.putArray("data_offsets");
            offsets.add(offset);
            offset += elements * 4;
            offsets.add(offset);
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int pad = (8 - json.length % 8) % 8; // the data starts 8-byte aligned, padded with spaces as the spec allows
        byte[] head = new byte[json.length + pad];
        System.arraycopy(json, 0, head, 0, json.length);
        java.util.Arrays.fill(head, json.length, head.length, (byte) ' ');
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(head.length);
            out.write(len.array());
            out.write(head);
            for (Tensor t : tensors.values()) {
                ByteBuffer b = ByteBuffer.allocate(t.values().length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(t.values());
                out.write(b.array());
            }
        });
    }

    /** IEEE 754 half precision to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) { // infinity or NaN
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) { // zero or subnormal: mant * 2^-24
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, p);
            if (r < 0) {
                throw new IOException("the file ended early");
            }
            p += r;
        }
    }

    private static ModelFileException bad(Path file, String what) {
        return new ModelFileException(file, what);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
