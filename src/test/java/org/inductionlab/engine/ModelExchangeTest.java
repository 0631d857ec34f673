package org.inductionlab.engine;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.inductionlab.engine.config.Architecture;
import org.inductionlab.engine.config.HyperparameterSchema;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.lab.ModelExchange;
import org.inductionlab.engine.exchange.ModelFileException;
import org.inductionlab.engine.exchange.Safetensors;
import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.lab.TrainingJob;
import org.inductionlab.engine.model.Autograd;
import org.inductionlab.engine.model.ForwardPass;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.task.InductionTask;
import org.inductionlab.engine.task.TriggerLayout;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Models in and out: export, import under the lab's and PyTorch's names, and files that must be refused. */
class ModelExchangeTest {

    @TempDir
    Path tmp;
    Path run;

    @BeforeEach
    void train() throws Exception {
        run = tmp.resolve("run");
        TrainingJob.create(run, TestConfigs.tiny("max_steps=30", "norm=post"), "tiny", false).run(null);
    }

    /** Last-token logits of the run's model on a few task sequences. */
    static float[] logits(Path runDir) {
        try (LoadedRun r = LoadedRun.open(runDir, null);
             Autograd.Scope noGrad = Autograd.noGrad();
             NDManager m = NDManager.newBaseManager(r.model().device())) {
            Hyperparameters hp = r.hyperparameters();
            InductionTask task = InductionTask.evaluation(hp.vocab(), new TriggerLayout.Anywhere(), 3);
            int n = hp.trainLength();
            long[] ids = new long[4 * (n - 1)];
            for (int s = 0; s < 4; s++) {
                int[] t = task.sequence(s, n).tokens();
                for (int i = 0; i < n - 1; i++) {
                    ids[s * (n - 1) + i] = t[i];
                }
            }
            return r.model().forward(m.create(ids, new Shape(4, n - 1)), ForwardPass.evaluation()).toFloatArray();
        }
    }

    @Test
    void anExportedRunImportsWithTheSameHyperparametersAndIdenticalLogits() throws Exception {
        Path file = tmp.resolve("m.safetensors");
        ModelExchange.export(run, file);
        Safetensors.Header h = Safetensors.readHeader(file);
        assertEquals("induction-lab", h.metadata().get("format"));
        assertEquals("30", h.metadata().get("steps"));
        assertTrue(h.tensors().containsKey("layers.1.attention.qkv.weight"));
        assertArrayEquals(new long[] {48, 16}, h.tensors().get("layers.1.attention.qkv.weight").shape());

        ModelExchange.Imported in = ModelExchange.importFile(file, tmp.resolve("back"), Map.of(), Map.of(), false);
        assertEquals(ModelExchange.Scheme.LAB, in.scheme());
        Map<String, String> before = new LinkedHashMap<>(RunFolder.open(run).hyperparameters().toText());
        Map<String, String> after = new LinkedHashMap<>(RunFolder.open(in.run()).hyperparameters().toText());
        assertEquals("auto", after.remove("device"), "an imported run runs wherever it is opened");
        before.remove("device");
        assertEquals(before, after);
        assertArrayEquals(logits(run), logits(in.run()), "the same weights, the same logits");
        var info = RunFolder.open(in.run()).info();
        assertTrue(info.importedFrom().get("file").endsWith("m.safetensors"), "config.json says where it came from");
        assertEquals(30, info.training().steps());
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void everyArchitecturesExportImportsBackWithTheSameLogitsAndCarriesOnlyTheSettingsItReads(Architecture a)
            throws Exception {
        Path trained = run; // a Transformer trained 30 steps
        if (a != Architecture.TRANSFORMER) {
            trained = tmp.resolve(a.toString());
            TrainingJob.create(trained, TestConfigs.tiny("architecture=" + a, "d_state=4", "max_steps=10"), "tiny",
                    false).run(null);
        }
        Path file = tmp.resolve(a + ".safetensors");
        ModelExchange.export(trained, file);
        Map<String, String> meta = Safetensors.readHeader(file).metadata();
        assertEquals(a.toString(), meta.get("architecture"));
        Map<String, String> stored = new ObjectMapper().readValue(meta.get("hyperparameters"),
                new TypeReference<Map<String, String>>() {});
        for (String key : HyperparameterSchema.keys()) {
            assertEquals(HyperparameterSchema.applies(key, a), stored.containsKey(key), a + " file, setting " + key);
        }
        if (a == Architecture.MAMBA) {
            for (String transformerOnly : List.of("norm", "dropout", "positional", "ff_mult", "max_positions")) {
                assertFalse(stored.containsKey(transformerOnly), "a Mamba file says nothing of " + transformerOnly);
            }
            assertTrue(stored.containsKey("heads") && stored.containsKey("d_state"), "but keeps what import needs");
        } else {
            assertFalse(stored.containsKey("d_state"), "a Transformer file has no state size");
        }

        ModelExchange.Imported in = ModelExchange.importFile(file, tmp.resolve(a + "-back"), Map.of(), Map.of(), false);
        assertEquals(ModelExchange.Scheme.LAB, in.scheme());
        Map<String, String> before = RunFolder.open(trained).hyperparameters().applyingText();
        Map<String, String> after = RunFolder.open(in.run()).hyperparameters().applyingText();
        before.remove("device");
        assertEquals("auto", after.remove("device"));
        assertEquals(before, after, "every setting the architecture reads comes back");
        float[] want = logits(trained);
        assertArrayEquals(want, logits(in.run()), a + ": the same weights, the same logits");
        assertEquals(4 * (in.hyperparameters().vocab() + 1), want.length, "four sequences' logits compared");
    }

    /** The run's weights under nn.TransformerEncoder's names (as PyTorch's word-language-model example saves them). */
    private Path asTorchEncoder(String prefix, Map<String, String> extraRenames, String drop) throws Exception {
        Path lab = tmp.resolve("lab.safetensors");
        ModelExchange.export(run, lab);
        Safetensors.Header h = Safetensors.readHeader(lab);
        Map<String, Safetensors.Tensor> torch = new LinkedHashMap<>();
        for (Safetensors.Entry e : h.tensors().values()) {
            String n = e.name()
                    .replace("embedding.weight", "input_emb.weight")
                    .replace("head.", "decoder.")
                    .replace("attention.qkv.weight", "self_attn.in_proj_weight")
                    .replace("attention.qkv.bias", "self_attn.in_proj_bias")
                    .replace("attention.out.", "self_attn.out_proj.")
                    .replace("ff.in.", "linear1.").replace("ff.out.", "linear2.")
                    .replace(".gamma", ".weight").replace(".beta", ".bias");
            if (n.startsWith("layers.")) {
                n = prefix + n;
            }
            n = extraRenames.getOrDefault(n, n);
            if (!n.equals(drop)) {
                torch.put(n, new Safetensors.Tensor(e.shape(), Safetensors.readFloats(h, e.name())));
            }
        }
        Path file = tmp.resolve("torch.safetensors");
        Safetensors.write(file, torch, Map.of()); // no metadata: the hyperparameters come from shapes and --set
        return file;
    }

    @Test
    void aPyTorchEncoderFileImportsUnderAnyPrefixWithHeadsGivenAndGivesTheSameLogits() throws Exception {
        Path file = asTorchEncoder("transformer_encoder.", Map.of(), null);
        var e = assertThrows(InvalidConfigException.class,
                () -> ModelExchange.importFile(file, tmp.resolve("t"), Map.of(), Map.of(), false));
        assertTrue(e.getMessage().startsWith("heads: the file does not say"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("t")));

        ModelExchange.Imported in = ModelExchange.importFile(file, tmp.resolve("t"),
                Map.of("heads", "2", "train_length", "24", "device", "cpu"), Map.of(), false);
        assertEquals(ModelExchange.Scheme.TORCH_ENCODER, in.scheme());
        assertEquals("post", in.hyperparameters().norm().toString(), "no final norm: post-norm");
        assertEquals(16, in.hyperparameters().dModel());
        assertEquals(16, in.hyperparameters().vocab());
        float[] want = logits(run);
        float[] got = logits(in.run());
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-4);
        }

        Path renamed = asTorchEncoder("enc.", Map.of("input_emb.weight", "tok.weight"), null);
        var unknown = assertThrows(ModelFileException.class, () -> ModelExchange.importFile(renamed, tmp.resolve("u"),
                Map.of("heads", "2"), Map.of(), false));
        assertTrue(unknown.getMessage().contains("has no embedding"), unknown.getMessage());
        ModelExchange.importFile(renamed, tmp.resolve("u"), Map.of("heads", "2", "device", "cpu"),
                Map.of("tok.weight", "input_emb.weight"), false);
        assertTrue(Files.exists(tmp.resolve("u").resolve("checkpoint.zip")), "--map names the embedding");
    }

    @Test
    void aMissingAnExtraOrAMisshapenTensorIsNamedAndNothingIsWritten() throws Exception {
        Path missing = asTorchEncoder("", Map.of(), "layers.1.linear2.bias");
        assertRefused(missing, "has no tensor layers.1.linear2.bias (the model needs it with shape [16])");

        Path lab = tmp.resolve("lab.safetensors");
        ModelExchange.export(run, lab);
        Map<String, Safetensors.Tensor> more = tensors(lab);
        more.put("layers.0.extra", new Safetensors.Tensor(new long[] {2}, new float[2]));
        Path extra = tmp.resolve("extra.safetensors");
        Safetensors.write(extra, more, Safetensors.readHeader(lab).metadata());
        assertRefused(extra, "has a tensor layers.0.extra [2] that the lab's model has no place for");

        Map<String, Safetensors.Tensor> wrong = tensors(lab);
        wrong.put("head.bias", new Safetensors.Tensor(new long[] {16}, new float[16]));
        Path shape = tmp.resolve("shape.safetensors");
        Safetensors.write(shape, wrong, Safetensors.readHeader(lab).metadata());
        assertRefused(shape, "tensor head.bias has shape [16]; the model needs [17]");
    }

    private Map<String, Safetensors.Tensor> tensors(Path file) {
        Safetensors.Header h = Safetensors.readHeader(file);
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        h.tensors().values().forEach(e -> out.put(e.name(), new Safetensors.Tensor(e.shape(),
                Safetensors.readFloats(h, e.name()))));
        return out;
    }

    private void assertRefused(Path file, String why) {
        Path out = tmp.resolve("refused");
        Exception e = assertThrows(RuntimeException.class,
                () -> ModelExchange.importFile(file, out, Map.of("heads", "2", "device", "cpu"), Map.of(), false));
        assertTrue(e instanceof ModelFileException || e instanceof InvalidConfigException, e.toString());
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertFalse(Files.exists(out), "nothing written");
    }

    // ---- untrusted files -----------------------------------------------------------------------------

    /** A file of an 8-byte little-endian length, {@code header} as JSON, then {@code data} bytes. */
    private Path raw(String name, long length, String header, int data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(length).put(h);
        Path f = tmp.resolve(name);
        Files.write(f, b.array());
        return f;
    }

    private Path raw(String name, String header, int data) throws IOException {
        return raw(name, header.getBytes(StandardCharsets.UTF_8).length, header, data);
    }

    @Test
    void damagedOrHostileFilesAreRefusedWithTheReasonWithoutReadingWhatTheyClaim() throws Exception {
        Map<Path, String> cases = new LinkedHashMap<>();
        cases.put(raw("huge-header", Long.MAX_VALUE, "{}", 24), "header length 9223372036854775807 is beyond the file");
        cases.put(raw("negative", -5, "{}", 24), "is beyond the file");
        Path tiny = tmp.resolve("tiny");
        Files.write(tiny, new byte[] {1, 2, 3});
        cases.put(tiny, "is 3 bytes long");
        cases.put(raw("not-json", "{\"a\": [1,", 0), "its header is not JSON");
        cases.put(raw("outside", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8),
                "tensor a ends at byte 16, beyond the file's 8 bytes of data");
        cases.put(raw("overlap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "it overlaps the one before");
        cases.put(raw("hole", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "a hole before it");
        cases.put(raw("dtype", "{\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8),
                "has dtype I64 (allowed: F32, F64, F16, BF16)");
        cases.put(raw("overflow", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8),
                "whose size overflows");
        cases.put(raw("mismatch", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                "needs 12 bytes but its data_offsets hold 8");
        cases.put(raw("trailing", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 16),
                "its data is 16 bytes but its tensors cover 8");
        cases.put(raw("meta", "{\"__metadata__\":{\"x\":1}}", 0), "__metadata__ value x is not a string");
        cases.put(raw("array", "[1,2]", 0), "its header is not a JSON object");
        for (Map.Entry<Path, String> c : cases.entrySet()) {
            ModelFileException e = assertThrows(ModelFileException.class, () -> Safetensors.readHeader(c.getKey()),
                    c.getKey().getFileName().toString());
            assertTrue(e.getMessage().startsWith(c.getKey().getFileName() + " "), e.getMessage());
            assertTrue(e.getMessage().contains(c.getValue()), c.getKey().getFileName() + ": " + e.getMessage());
            Path out = tmp.resolve("out-" + c.getKey().getFileName());
            assertThrows(ModelFileException.class, () -> ModelExchange.importFile(c.getKey(), out, Map.of(), Map.of(),
                    false));
            assertFalse(Files.exists(out));
        }
        Path valid = raw("valid", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        var e = assertThrows(ModelFileException.class, () -> ModelExchange.importFile(valid, tmp.resolve("v"), Map.of(),
                Map.of(), false));
        assertTrue(e.getMessage().contains("is not a model the lab knows"), e.getMessage());
    }

    @Test
    void halfAndBfloat16AndDoubleValuesAreReadAsFloats() throws Exception {
        ByteBuffer data = ByteBuffer.allocate(2 * 3 + 2 * 2 + 8).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort((short) 0x3c00).putShort((short) 0xc000).putShort((short) 0x0001); // F16: 1, -2, 2^-24
        data.putShort((short) 0x3f80).putShort((short) 0x4049); // BF16: 1, 3.140625
        data.putDouble(0.1);
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[6,10]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[10,18]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer f = ByteBuffer.allocate(8 + h.length + 18).order(ByteOrder.LITTLE_ENDIAN);
        f.putLong(h.length).put(h).put(data.array());
        Path file = tmp.resolve("types");
        Files.write(file, f.array());
        Safetensors.Header hd = Safetensors.readHeader(file);
        assertArrayEquals(new float[] {1, -2, 0x1p-24f}, Safetensors.readFloats(hd, "h"));
        assertArrayEquals(new float[] {1, 3.140625f}, Safetensors.readFloats(hd, "b"));
        assertArrayEquals(new float[] {0.1f}, Safetensors.readFloats(hd, "d"));
        assertEquals(List.of("h", "b", "d"), List.copyOf(hd.tensors().keySet()));
        assertTrue(Arrays.equals(new long[] {3}, hd.tensors().get("h").shape()));
    }
}
