package org.inductionlab.engine.lab;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.inductionlab.engine.config.DeviceChoice;
import org.inductionlab.engine.config.HyperparameterSchema;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.config.Norm;
import org.inductionlab.engine.config.PositionalKind;
import org.inductionlab.engine.exchange.ModelFileException;
import org.inductionlab.engine.exchange.Safetensors;
import org.inductionlab.engine.model.SequenceModel;
import org.inductionlab.engine.model.TransformerKind;
import org.inductionlab.engine.platform.EngineRuntime;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunInfo;
import org.inductionlab.engine.run.RunStatus;
import org.inductionlab.engine.run.Runs;
import org.inductionlab.engine.run.TrainingState;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Models in and out of the lab as safetensors files: a run's weights with its hyperparameters in the
 * metadata ({@link #export}), and a run folder made from such a file ({@link #importFile}) — one the lab
 * wrote, or a PyTorch {@code nn.TransformerEncoder} model saved with {@code safetensors.torch.save_file}.
 *
 * <p>The lab's names ({@code model.parameters()}, in this order): {@code embedding.weight} [V+1, d],
 * the positional encoding's own ({@code positions.weight} [max_positions, d] for learned, none for
 * sinusoidal, rotary and none), then per layer N {@code layers.N.attention.qkv.weight} [3d, d] (W_Q, W_K,
 * W_V stacked; head h is rows h*d/H..(h+1)*d/H of each), {@code .qkv.bias} [3d], {@code
 * .attention.out.weight} [d, d], {@code .out.bias} [d], {@code .norm1.gamma/.beta} [d], {@code
 * .ff.in.weight} [ff, d], {@code .ff.in.bias} [ff], {@code .ff.out.weight} [d, ff], {@code .ff.out.bias} [d],
 * {@code .norm2.gamma/.beta} [d]; {@code final_norm.gamma/.beta} [d] for pre-norm; {@code head.weight}
 * [V+1, d], {@code head.bias} [V+1]. Linear weights are (out, in), as in PyTorch. A Mamba run's names are
 * its own ({@code MambaModel}: {@code layers.N.in_proj.weight}, {@code .A_log}, …); a file the lab wrote
 * says its architecture and, in the metadata, only the hyperparameters that architecture reads (the rest
 * take their defaults on import).
 */
public final class ModelExchange {

    /** The metadata key that marks a file the lab wrote, and its other keys. */
    public static final String FORMAT = "induction-lab";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a file names the tensors. */
    public enum Scheme {
        /** The lab's own names (an exported run). */
        LAB("the lab's own names"),
        /** PyTorch's nn.TransformerEncoder under some prefix, with an embedding and an output layer. */
        TORCH_ENCODER("PyTorch nn.TransformerEncoder names");

        public final String words;

        Scheme(String words) {
            this.words = words;
        }
    }

    private ModelExchange() {}

    // ---- out ------------------------------------------------------------------------------------------

    /** Writes the run's weights, with its hyperparameters in the metadata, to {@code out} (all or nothing). */
    public static void export(Path runDir, Path out) throws IOException {
        try (LoadedRun r = LoadedRun.open(runDir, DeviceChoice.CPU)) {
            Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
            r.model().parameters().forEach((name, a) ->
                    tensors.put(name, new Safetensors.Tensor(a.getShape().getShape(), a.toFloatArray())));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", FORMAT);
            meta.put("format_version", "1");
            meta.put("architecture", r.hyperparameters().architecture().toString());
            // only what the architecture reads: a Mamba file says nothing of norms or positions
            meta.put("hyperparameters", JSON.writeValueAsString(r.hyperparameters().applyingText()));
            meta.put("run", r.folder().name());
            RunInfo.Training t = r.folder().info().training();
            meta.put("steps", String.valueOf(t == null ? 0 : t.steps()));
            Safetensors.write(out, tensors, meta);
        }
    }

    // ---- in -------------------------------------------------------------------------------------------

    /**
     * Whether importing {@code file} needs the number of heads from the user: a file the lab did not write
     * carries no hyperparameters, and shapes cannot tell the heads. Reads only the header; a file that
     * cannot be read says no (the import says what is wrong with it).
     */
    public static boolean needsHeads(Path file) {
        try {
            return !FORMAT.equals(Safetensors.readHeader(file).metadata().get("format"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** What an import made. */
    public record Imported(Path run, Hyperparameters hyperparameters, Scheme scheme, int tensors) {}

    /**
     * Makes a run folder in {@code outDir} from {@code file}. Hyperparameters come from the file's
     * metadata when the lab wrote it, else from the tensors' shapes (vocab, d_model, layers, ff_mult,
     * norm), with {@code set} on top ({@code heads} must be given then: shapes cannot tell it).
     * {@code rename} maps the file's names to the ones expected. Every tensor is checked (present, no
     * extra, the right shape) and read before anything is written; on any problem nothing is.
     */
    public static Imported importFile(Path file, Path outDir, Map<String, String> set, Map<String, String> rename,
                                      boolean force) throws IOException {
        Safetensors.Header header = Safetensors.readHeader(file);
        Map<String, Safetensors.Entry> tensors = renamed(header, rename);
        Naming naming = Naming.detect(file, header, tensors);
        Hyperparameters hp = hyperparameters(file, header, tensors, naming, set);

        EngineRuntime.start(hp.threads());
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
             SequenceModel model = SequenceModel.create(hp, manager)) {
            Map<String, NDArray> values = new LinkedHashMap<>();
            Set<String> used = new HashSet<>();
            for (Map.Entry<String, NDArray> p : model.parameters().entrySet()) {
                String name = naming.fileName(p.getKey());
                Safetensors.Entry e = tensors.get(name);
                long[] want = p.getValue().getShape().getShape();
                if (e == null) {
                    throw new ModelFileException(file, "has no tensor " + name + " (the model needs it with shape "
                            + Safetensors.Entry.shapeText(want) + ")");
                }
                if (!java.util.Arrays.equals(e.shape(), want)) {
                    throw new ModelFileException(file, "tensor " + name + " has shape " + e.shapeText()
                            + "; the model needs " + Safetensors.Entry.shapeText(want));
                }
                used.add(name);
                NDArray a = manager.create(Safetensors.readFloats(header, e.name()), new Shape(want));
                a.setName(p.getKey());
                values.put(p.getKey(), a);
            }
            for (String name : tensors.keySet()) {
                if (!used.contains(name) && !naming.isKnownBuffer(name, tensors.get(name), hp, header)) {
                    throw new ModelFileException(file, "has a tensor " + name + " " + tensors.get(name).shapeText()
                            + " that the lab's model has no place for (--map old=new renames a tensor)");
                }
            }
            model.load(values);

            RunFolder folder = Runs.create(outDir, hp, "imported", force);
            try {
                long steps = steps(header);
                Map<String, String> from = new LinkedHashMap<>();
                from.put("file", file.toAbsolutePath().toString());
                from.put("names", naming.scheme.words + (naming.prefix.isEmpty() ? "" : " under " + naming.prefix));
                from.put("imported", Instant.now().toString());
                folder.writeInfo(folder.info().withImportedFrom(from).withTraining(new RunInfo.Training(
                        RunStatus.FINISHED.word(), steps, (double) steps / hp.stepsPerEpoch(), Double.NaN, Double.NaN,
                        0, "imported from " + file.getFileName(), Instant.now().toString())));
                NDList params = new NDList(model.parameters().values().toArray(new NDArray[0]));
                folder.writeCheckpoint(new TrainingState(steps, 0, 0, new double[0], Double.NaN, 0), params, null);
            } catch (IOException | RuntimeException e) {
                Runs.delete(outDir);
                throw e;
            }
            return new Imported(outDir, hp, naming.scheme, used.size());
        }
    }

    private static long steps(Safetensors.Header h) {
        try {
            return Math.max(0, Long.parseLong(h.metadata().getOrDefault("steps", "0")));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The file's tensors under the names {@code rename} gives them (old=new); an old name not in the file is refused. */
    private static Map<String, Safetensors.Entry> renamed(Safetensors.Header h, Map<String, String> rename) {
        Map<String, Safetensors.Entry> out = new LinkedHashMap<>(h.tensors());
        for (Map.Entry<String, String> r : rename.entrySet()) {
            Safetensors.Entry e = out.remove(r.getKey());
            if (e == null) {
                throw new InvalidConfigException("map", "the file has no tensor " + r.getKey() + " to rename");
            }
            if (out.containsKey(r.getValue())) {
                throw new InvalidConfigException("map", r.getKey() + "=" + r.getValue() + " renames onto a tensor the"
                        + " file already has");
            }
            out.put(r.getValue(), e);
        }
        return out;
    }

    /** Hyperparameters from the metadata (a lab file) or the shapes (anything else), then {@code set}. */
    private static Hyperparameters hyperparameters(Path file, Safetensors.Header h, Map<String, Safetensors.Entry> t,
                                                   Naming naming, Map<String, String> set) {
        Map<String, String> text = new LinkedHashMap<>();
        String stored = h.metadata().get("hyperparameters");
        if (FORMAT.equals(h.metadata().get("format")) && stored != null) {
            try {
                text.putAll(JSON.readValue(stored, new TypeReference<Map<String, String>>() {}));
            } catch (IOException e) {
                throw new ModelFileException(file, "has hyperparameters in its metadata that are not a JSON object of strings");
            }
            HyperparameterSchema.Parsed parsed = HyperparameterSchema.parse(text);
            if (!parsed.ok()) {
                throw new ModelFileException(file, "metadata: " + parsed.problems().get(0));
            }
        } else {
            text.putAll(naming.inferred(file, t));
            if (!set.containsKey("heads")) {
                throw new InvalidConfigException("heads", "the file does not say how many heads its attention has;"
                        + " give it with --set heads=N (a divisor of d_model " + text.get("d_model") + ")");
            }
        }
        text.put("device", "auto");
        text.putAll(set);
        return HyperparameterSchema.build(parseAll(text)).validated();
    }

    private static Map<String, Object> parseAll(Map<String, String> text) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : text.entrySet()) {
            HyperparameterSchema.Field f = HyperparameterSchema.field(e.getKey());
            values.put(f.key(), f.parse(e.getValue()));
        }
        return values;
    }

    /** Which names the file uses, and the lab name -> file name mapping that follows. */
    private record Naming(Scheme scheme, String prefix, String embedding, String output) {

        static final String TORCH_QKV = "layers.0.self_attn.in_proj_weight";

        /**
         * A file the lab wrote (its metadata says so) uses the lab's names whatever the architecture; so
         * does one with a lab Transformer's names and no metadata; else PyTorch's encoder names are looked for.
         */
        static Naming detect(Path file, Safetensors.Header h, Map<String, Safetensors.Entry> t) {
            boolean labFile = FORMAT.equals(h.metadata().get("format"));
            if (labFile || t.containsKey("layers.0.attention.qkv.weight") && t.containsKey("embedding.weight")) {
                return new Naming(Scheme.LAB, "", "embedding.weight", "head");
            }
            String prefix = null;
            for (String name : new TreeMap<>(t).keySet()) {
                if (name.endsWith(TORCH_QKV)) {
                    prefix = name.substring(0, name.length() - TORCH_QKV.length());
                    break;
                }
            }
            if (prefix == null) {
                throw new ModelFileException(file, "is not a model the lab knows: neither its own names"
                        + " (layers.0.attention.qkv.weight) nor PyTorch nn.TransformerEncoder's (…"
                        + TORCH_QKV + "); --map old=new renames tensors");
            }
            String emb = List.of("input_emb.weight", "encoder.weight", "embedding.weight", "embed.weight").stream()
                    .filter(t::containsKey).findFirst().orElseThrow(() -> new ModelFileException(file,
                            "has no embedding (looked for input_emb.weight, encoder.weight, embedding.weight,"
                                    + " embed.weight); --map NAME=input_emb.weight names it"));
            String out = List.of("decoder", "head", "output", "lm_head").stream()
                    .filter(o -> t.containsKey(o + ".weight")).findFirst().orElseThrow(() -> new ModelFileException(
                            file, "has no output layer (looked for decoder.weight, head.weight, output.weight,"
                                    + " lm_head.weight); --map NAME=decoder.weight names it"));
            return new Naming(Scheme.TORCH_ENCODER, prefix, emb, out);
        }

        /** The file's name for the lab's parameter {@code lab}. */
        String fileName(String lab) {
            if (scheme == Scheme.LAB) {
                return lab;
            }
            if (lab.equals("embedding.weight")) {
                return embedding;
            }
            if (lab.startsWith("head.")) {
                return output + lab.substring("head".length());
            }
            if (lab.startsWith("final_norm.")) {
                return prefix + "norm." + (lab.endsWith("gamma") ? "weight" : "bias");
            }
            if (lab.startsWith("layers.")) {
                int dot = lab.indexOf('.', "layers.".length());
                String layer = prefix + lab.substring(0, dot + 1);
                String rest = lab.substring(dot + 1);
                return layer + switch (rest) {
                    case "attention.qkv.weight" -> "self_attn.in_proj_weight";
                    case "attention.qkv.bias" -> "self_attn.in_proj_bias";
                    case "attention.out.weight" -> "self_attn.out_proj.weight";
                    case "attention.out.bias" -> "self_attn.out_proj.bias";
                    case "ff.in.weight" -> "linear1.weight";
                    case "ff.in.bias" -> "linear1.bias";
                    case "ff.out.weight" -> "linear2.weight";
                    case "ff.out.bias" -> "linear2.bias";
                    default -> rest.replace(".gamma", ".weight").replace(".beta", ".bias"); // norm1, norm2
                };
            }
            return lab; // e.g. positions.weight of a learned table
        }

        /**
         * PyTorch's sinusoidal positional encoding saves its table as a buffer ({@code pos_encoder.pe},
         * [max_len, 1, d] in the word-language-model example): accepted when it is the table the lab computes.
         */
        boolean isKnownBuffer(String name, Safetensors.Entry e, Hyperparameters hp, Safetensors.Header h) {
            if (scheme != Scheme.TORCH_ENCODER || !name.endsWith("pe") || hp.positional() != PositionalKind.SINUSOIDAL) {
                return false;
            }
            long[] s = e.shape();
            int d = hp.dModel();
            if (s.length < 2 || s[s.length - 1] != d || e.elements() / d > 1 << 20) {
                return false;
            }
            float[] pe = Safetensors.readFloats(h, e.name());
            int rows = (int) Math.min(pe.length / d, 64);
            for (int pos = 0; pos < rows; pos++) {
                for (int i = 0; i < d; i++) {
                    double angle = pos * Math.exp(-(i - i % 2) * Math.log(10000.0) / d);
                    double want = i % 2 == 0 ? Math.sin(angle) : Math.cos(angle);
                    if (Math.abs(pe[pos * d + i] - want) > 1e-4) {
                        throw new ModelFileException(h.file(), "buffer " + name + " is not the sinusoidal table the"
                                + " lab uses (position " + pos + ", column " + i + ": " + pe[pos * d + i] + ", expected "
                                + (float) want + ")");
                    }
                }
            }
            return true;
        }

        /** Hyperparameters that the shapes of an nn.TransformerEncoder model tell. */
        Map<String, String> inferred(Path file, Map<String, Safetensors.Entry> t) {
            long[] emb = t.get(embedding).shape();
            if (emb.length != 2 || emb[0] < 3) {
                throw new ModelFileException(file, "embedding " + embedding + " has shape "
                        + Safetensors.Entry.shapeText(emb) + "; expected [V+1, d_model]");
            }
            int layers = 0;
            while (t.containsKey(prefix + "layers." + layers + ".self_attn.in_proj_weight")) {
                layers++;
            }
            Safetensors.Entry ff = t.get(prefix + "layers.0.linear1.weight");
            Map<String, String> text = new LinkedHashMap<>();
            text.put("architecture", TransformerKind.INSTANCE.architecture().toString()); // an encoder is a Transformer
            text.put("vocab", String.valueOf(emb[0] - 1));
            text.put("d_model", String.valueOf(emb[1]));
            text.put("layers", String.valueOf(layers));
            if (ff != null && ff.shape().length == 2 && emb[1] > 0 && ff.shape()[0] % emb[1] == 0) {
                text.put("ff_mult", String.valueOf(ff.shape()[0] / emb[1]));
            }
            // nn.TransformerEncoder(norm=LayerNorm) is how a pre-norm (norm_first=True) stack ends
            text.put("norm", (t.containsKey(prefix + "norm.weight") ? Norm.PRE : Norm.POST).toString());
            text.put("positional", PositionalKind.SINUSOIDAL.toString());
            text.put("dropout", "0");
            return text;
        }
    }
}
