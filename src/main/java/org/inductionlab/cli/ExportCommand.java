package org.inductionlab.cli;

import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.lab.ModelExchange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a run's trained weights to a safetensors file, its hyperparameters in the metadata.",
                "python/induction_lab_torch.py builds the same model in plain PyTorch from such a file."})
final class ExportCommand implements Callable<Integer> {

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "the run folder to export")
    Path run;

    @Option(names = "--format", paramLabel = "FORMAT", description = "safetensors (the only one; default)")
    String format = "safetensors";

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the file to write (replaced whole)")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("safetensors")) {
            throw new InvalidConfigException("--format", format + " is not known (allowed: safetensors)");
        }
        ModelExchange.export(run, out);
        System.out.println("wrote " + out + " (" + java.nio.file.Files.size(out) + " bytes)");
        return Cli.OK;
    }
}
