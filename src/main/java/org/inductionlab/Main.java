package org.inductionlab;

import org.inductionlab.cli.Cli;
import org.inductionlab.engine.lab.Machine;

/**
 * Starts the lab: with no arguments the window, otherwise the command line. Not a JavaFX Application, so
 * JavaFX on the class path works and the CLI never loads it.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        boolean window = args.length == 0 || (args.length == 1 && args[0].equals("gui"));
        int relaunched = Machine.relaunchTuned(Main.class, args,
                window ? java.util.Map.of("OMP_WAIT_POLICY", "PASSIVE") : java.util.Map.of(), line -> {
                    if (System.getenv("INDUCTIONLAB_DEBUG") != null) {
                        System.err.println("induction-lab: " + line);
                    }
                }, System.err);
        if (relaunched >= 0) {
            System.exit(relaunched);
        }
        if (window) {
            if (openWindow()) {
                return;
            }
            args = new String[] {"--help"};
        }
        picocli.CommandLine cli = Cli.commandLine();
        try {
            // the window's own command (headless page renders) joins when the UI is on the class path
            cli.addSubcommand("snapshot", Class.forName("org.inductionlab.ui.SnapshotCommand")
                    .getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException e) {
            // a CLI-only build
        }
        System.exit(cli.execute(args));
    }

    /** Opens the window when the UI is on the class path; false when it is not (a CLI-only build). */
    private static boolean openWindow() {
        try {
            Class<?> app = Class.forName("org.inductionlab.ui.LabLauncher");
            app.getMethod("launch", String[].class).invoke(null, (Object) new String[0]);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the window failed to start: " + e.getCause(), e.getCause());
        }
    }
}
