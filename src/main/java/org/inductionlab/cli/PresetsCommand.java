package org.inductionlab.cli;

import org.inductionlab.engine.config.HyperparameterSchema;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.Preset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "presets", mixinStandardHelpOptions = true,
        description = "List the presets, or with --keys every hyperparameter key, its range and meaning.")
final class PresetsCommand implements Callable<Integer> {

    /** Where the presets' prose wraps, so its continuation lines keep to the column. */
    static final int WIDTH = 100;

    @Option(names = "--keys", description = "list the keys --set accepts")
    boolean keys;

    @Override
    public Integer call() {
        (keys ? keysTable() : presetsTable(Preset.builtIn())).forEach(System.out::println);
        return Cli.OK;
    }

    /** Each key with its default, allowed values and meaning, the columns as wide as their longest entry. */
    static List<String> keysTable() {
        Hyperparameters d = Hyperparameters.defaults();
        int key = 0;
        int def = 0;
        int allowed = 0;
        for (HyperparameterSchema.Field f : HyperparameterSchema.FIELDS) {
            key = Math.max(key, f.key().length());
            def = Math.max(def, f.format(f.get(d)).length());
            allowed = Math.max(allowed, allowed(f).length());
        }
        String row = "  %-" + key + "s  default %-" + def + "s  allowed %-" + allowed + "s  %s";
        List<String> out = new ArrayList<>();
        HyperparameterSchema.Group group = null;
        for (HyperparameterSchema.Field f : HyperparameterSchema.FIELDS) {
            if (f.group() != group) {
                group = f.group();
                out.add(group.title + ":");
            }
            out.add(String.format(Locale.ROOT, row, f.key(), f.format(f.get(d)), allowed(f), f.help()));
        }
        return out;
    }

    private static String allowed(HyperparameterSchema.Field f) {
        return f.kind() == HyperparameterSchema.Kind.LAYOUT ? "fixed:P|prefix:K|anywhere" : f.allowed();
    }

    /** Each preset's name, then its description and values wrapped under one column. */
    static List<String> presetsTable(List<Preset> presets) {
        int name = presets.stream().mapToInt(p -> p.name().length()).max().orElse(0);
        String indent = " ".repeat(name + 2);
        List<String> out = new ArrayList<>();
        for (Preset p : presets) {
            List<String> text = wrap(p.description(), WIDTH - indent.length());
            text.addAll(wrap(p.values().toString(), WIDTH - indent.length()));
            for (int i = 0; i < text.size(); i++) {
                out.add((i == 0 ? String.format(Locale.ROOT, "%-" + name + "s  ", p.name()) : indent) + text.get(i));
            }
        }
        return out;
    }

    /** {@code text} in lines of at most {@code width} characters, broken at spaces (a longer word stays whole). */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.strip().split("\\s+")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() > 0 ? " " : "").append(word);
        }
        if (line.length() > 0 || lines.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }
}
