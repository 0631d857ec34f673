package org.inductionlab.cli;

import org.inductionlab.engine.config.HyperparameterSchema;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.Preset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "presets", mixinStandardHelpOptions = true,
        description = "List the presets, or with --keys every hyperparameter key, its range and meaning.")
final class PresetsCommand implements Callable<Integer> {

    @Option(names = "--keys", description = "list the keys --set accepts")
    boolean keys;

    @Override
    public Integer call() {
        if (keys) {
            Hyperparameters d = Hyperparameters.defaults();
            HyperparameterSchema.Group group = null;
            for (HyperparameterSchema.Field f : HyperparameterSchema.FIELDS) {
                if (f.group() != group) {
                    group = f.group();
                    System.out.println(group.title + ":");
                }
                System.out.printf("  %-17s default %-9s allowed %-24s %s%n", f.key(), f.format(f.get(d)),
                        f.kind() == HyperparameterSchema.Kind.LAYOUT ? "fixed:P|prefix:K|anywhere" : f.allowed(), f.help());
            }
            return Cli.OK;
        }
        for (Preset p : Preset.builtIn()) {
            System.out.printf("%-7s %s%n        %s%n", p.name(), p.description(), p.values());
        }
        return Cli.OK;
    }
}
