package org.inductionlab.cli;

import java.util.Map;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.config.Problem;
import org.inductionlab.engine.lab.Machine;
import org.inductionlab.engine.model.PositionLimitException;
import org.inductionlab.engine.platform.DeviceUnavailableException;
import org.inductionlab.engine.run.RunFolderException;
import org.inductionlab.engine.task.TokenFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The command line: the same engine as the window, for scripts and clusters. Exit codes: 0 success,
 * 2 bad input (one line on stderr naming the field and what is allowed), 1 anything else.
 */
@Command(name = "induction-lab",
        mixinStandardHelpOptions = true,
        versionProvider = Cli.Version.class,
        description = {"Train a small Transformer on the induction-heads task, sweep its accuracy over lengths, and"
                + " read its attention. Without a command, opens the lab window."},
        subcommands = {TrainCommand.class, EvalCommand.class, ProbeCommand.class, ScoresCommand.class,
                PredictCommand.class, MemoryCommand.class, AttentionCommand.class, ExportCommand.class, ImportCommand.class, StudyCommand.class,
                BenchCommand.class, PresetsCommand.class, InfoCommand.class, CommandLine.HelpCommand.class})
public final class Cli implements Runnable {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /**
     * The command line alone, without the window: what a study's tasks and job scripts start (the lab's
     * Main opens the window when given no arguments). Relaunches with the tuned allocator like Main.
     */
    public static void main(String[] args) {
        int relaunched = Machine.relaunchTuned(Cli.class, args, Map.of(), line -> {
            if (System.getenv("INDUCTIONLAB_DEBUG") != null) {
                System.err.println("induction-lab: " + line);
            }
        }, System.err);
        System.exit(relaunched >= 0 ? relaunched : run(args));
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Cli());
        versionEverywhere(cl);
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("induction-lab: " + parameterMessage(ex) + " (see '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            err.flush();
            return BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parsed) -> {
            PrintWriter err = commandLine.getErr();
            String bad = badInput(ex, commandLine);
            if (bad != null) {
                err.println("induction-lab: " + bad);
                err.flush();
                return BAD_INPUT;
            }
            err.println("induction-lab: error: " + describe(ex));
            if (Boolean.getBoolean("inductionlab.debug")) {
                ex.printStackTrace(err);
            }
            err.flush();
            return FAILED;
        });
        return cl;
    }

    /**
     * The one-line message for bad input, or null when the exception is not about the input. The engine
     * names settings; here they become the flags a command-line user typed.
     */
    static String badInput(Throwable ex, CommandLine command) {
        Problem.Words flags = flags(command);
        if (ex instanceof InvalidConfigException e) {
            return e.describe(flags);
        }
        if (ex instanceof org.inductionlab.engine.exchange.ModelFileException e) {
            return (command != null && command.getCommandSpec().findOption("--from") != null ? "--from: " : "model: ")
                    + e.getMessage();
        }
        if (ex instanceof TokenFile.TokenFileException e) {
            return "input: " + e.getMessage();
        }
        if (ex instanceof DeviceUnavailableException e) {
            return e.getMessage();
        }
        if (ex instanceof PositionLimitException e) {
            return "length: " + e.getMessage();
        }
        if (ex instanceof RunFolderException e && e.holdsRun()) {
            boolean resumable = command != null && command.getCommandSpec().findOption("--resume") != null;
            return flags.name(e.badInputKey()) + ": " + e.heldFolder() + " already holds a run; " + (resumable
                    ? "use --resume to continue it or --force to replace it"
                    : "use --force to replace it, or choose another folder")
                    + " (the old run is moved aside, not deleted)";
        }
        if (ex instanceof RunFolderException e && e.badInputKey() != null) {
            return flags.name(e.badInputKey()) + ": " + e.getMessage();
        }
        return null;
    }

    /** Engine setting names that are flags of every command that takes them; --set keys stay as they are. */
    private static final Map<String, String> FLAGS = Map.of(
            "min_exponent", "--min-exp",
            "max_exponent", "--max-exp",
            "sequences_per_length", "--seqs");

    /** A command whose flags stand for more engine settings: each setting's key and the flag that sets it. */
    interface FlagNames {
        Map<String, String> flagNames();
    }

    /**
     * The engine's settings as {@code command}'s flags ({@code min_exponent} is {@code --min-exp}, the run
     * folder {@code --run} or {@code --out}, and what the command's {@link FlagNames} say); a key that is
     * already a flag, or a --set key, stays as it is.
     */
    static Problem.Words flags(CommandLine command) {
        Map<String, String> own = command != null && command.getCommand() instanceof FlagNames f ? f.flagNames()
                : Map.of();
        return key -> {
            if (own.containsKey(key)) {
                return own.get(key);
            }
            if (FLAGS.containsKey(key)) {
                return FLAGS.get(key);
            }
            if ("run_folder".equals(key)) {
                return command != null && command.getCommandSpec().findOption("--run") == null
                        && command.getCommandSpec().findOption("--out") != null ? "--out" : "--run";
            }
            return key;
        };
    }

    /**
     * picocli's words for bad parameters, where they read oddly, in the lab's: a map option's value without
     * '=' is "--set: 'foo' is not KEY=VALUE (e.g. --set heads=4)", told from the option and the value
     * picocli hands over, not from its sentence.
     */
    static String parameterMessage(CommandLine.ParameterException ex) {
        if (ex.getArgSpec() instanceof CommandLine.Model.OptionSpec o && o.typeInfo().isMap()
                && ex.getValue() != null && !ex.getValue().contains("=")) {
            String name = o.longestName();
            return name + ": '" + ex.getValue() + "' is not " + o.paramLabel()
                    + (o.paramLabel().equals("KEY=VALUE") ? " (e.g. " + name + " heads=4)" : "");
        }
        return firstLine(ex.getMessage()).replace("option option", "option");
    }

    static String describe(Throwable ex) {
        String m = ex.getMessage();
        return firstLine(m == null || m.isBlank() ? ex.getClass().getSimpleName() : m);
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Every command answers -V with the lab's version, not only the top one. */
    static void versionEverywhere(CommandLine cl) {
        cl.getCommandSpec().versionProvider(new Version());
        cl.getSubcommands().values().forEach(Cli::versionEverywhere);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Cli.class.getPackage().getImplementationVersion();
            return new String[] {"Induction Lab " + (v == null ? "(development build)" : v)};
        }
    }
}
