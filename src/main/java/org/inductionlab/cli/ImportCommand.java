package org.inductionlab.cli;

import org.inductionlab.engine.lab.ModelExchange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Make a run folder from a safetensors model: one the lab exported, or a PyTorch model.",
                "A PyTorch model is an nn.TransformerEncoder (embedding input_emb/encoder, output decoder, as in"
                        + " PyTorch's word-language-model example; sinusoidal positions, embedding scaled by sqrt(d)).",
                "Hyperparameters come from the file's metadata, else from its shapes plus --set (heads is required"
                        + " then). Nothing is written unless every tensor is present, used and of the right shape."})
final class ImportCommand implements Callable<Integer> {

    @Option(names = "--from", required = true, paramLabel = "FILE", description = "the .safetensors file")
    Path from;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the run folder to create")
    Path out;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "a hyperparameter (repeatable), e.g. heads=8")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--map", paramLabel = "OLD=NEW", description = "rename a tensor of the file before matching (repeatable)")
    Map<String, String> rename = new LinkedHashMap<>();

    @Option(names = "--force", description = "replace a run already in --out (it is moved aside, not deleted)")
    boolean force;

    @Override
    public Integer call() throws Exception {
        ModelExchange.Imported r = ModelExchange.importFile(from, out, set, rename, force);
        // the model's shape in the settings its architecture reads (a Mamba run has a state size, no norm)
        Map<String, String> hp = r.hyperparameters().applyingText();
        StringBuilder shape = new StringBuilder(hp.get("architecture"));
        for (String key : new String[] {"layers", "d_model", "heads", "norm", "d_state"}) {
            if (hp.containsKey(key)) {
                shape.append(", ").append(key).append(' ').append(hp.get(key));
            }
        }
        System.out.printf("imported %d tensors (%s) into %s: %s%n", r.tensors(), r.scheme().words, r.run(), shape);
        return Cli.OK;
    }
}
