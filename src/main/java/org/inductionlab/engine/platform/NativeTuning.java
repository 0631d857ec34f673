package org.inductionlab.engine.platform;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.module.ModuleFinder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Makes libtorch's memory allocation (and its threads' idling) fast however the lab is started.
 *
 * <p>PyTorch's CPU allocator is plain malloc. One training step's attention scores are larger than a glibc
 * arena heap, so with default settings glibc maps fresh pages for them at every step and each page faults
 * again: steps ran 10x slower here (see docs/benchmarks.md). The cure is four environment variables, which
 * glibc and libtorch read only at process start; a fifth shortens the spinning of libtorch's idle OpenMP
 * threads, which otherwise hold the cores the lab's own parallel loops run on. So on Linux, when they are not already set, {@link
 * #relaunchIfNeeded} starts this same program again (same java or app launcher, JVM options, class path
 * and arguments) with them set, passes its exit code through, and forwards Ctrl-C/termination so the
 * child can checkpoint. Set {@code INDUCTIONLAB_RELAUNCH=0} (or {@code -Dinductionlab.relaunch=false}) to
 * opt out.
 */
public final class NativeTuning {

    /** The settings, as measured in docs/benchmarks.md ("Allocator tuning"). */
    public static final Map<String, String> ENVIRONMENT = orderedEnvironment();

    private static final String MARKER = "INDUCTIONLAB_TUNED";

    private NativeTuning() {}

    private static Map<String, String> orderedEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MALLOC_ARENA_MAX", "1");
        env.put("MALLOC_MMAP_MAX_", "0");
        env.put("MALLOC_TRIM_THRESHOLD_", "68719476736");
        env.put("THP_MEM_ALLOC_ENABLE", "1");
        // libtorch's OpenMP threads spin up to 300,000 times after each parallel operation before they sleep
        // (milliseconds on an AMD core, whose pause instruction is slow), holding a core that the lab's own
        // parallel loops (the Mamba scan, the attention kernel, dropout masks) need right after: 10,000
        // spins made a mamba step ~20 % and a fast step ~25 % faster on 2 cores (docs/benchmarks.md, issue 24)
        env.put("GOMP_SPINCOUNT", "10000");
        return java.util.Collections.unmodifiableMap(env);
    }

    /** True when this process already runs with the tuned allocator settings. */
    public static boolean active() {
        for (Map.Entry<String, String> e : ENVIRONMENT.entrySet()) {
            if (!e.getValue().equals(System.getenv(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** One line for status bars and bench output. */
    public static String describe() {
        if (active()) {
            return System.getenv(MARKER) != null ? "tuned allocator (relaunched)" : "tuned allocator";
        }
        return applies() ? "default allocator (relaunch disabled)" : "default allocator";
    }

    /** Whether the settings matter on this OS (glibc on Linux). */
    static boolean applies() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
    }

    private static boolean optedOut() {
        String env = System.getenv("INDUCTIONLAB_RELAUNCH");
        String prop = System.getProperty("inductionlab.relaunch");
        return "0".equals(env) || "false".equalsIgnoreCase(env) || "false".equalsIgnoreCase(prop)
                || System.getenv(MARKER) != null; // never relaunch twice
    }

    /**
     * When this process would benefit and has not got the settings, runs the program again with them and
     * {@code extra} variables, its stderr passed to {@code errors} (less the JVM's incubator notice), and
     * returns its exit code; returns -1 when this process should go on itself. The window passes
     * {@code OMP_WAIT_POLICY=PASSIVE}: idle libtorch threads then sleep instead of spinning, which costs the
     * command line ~10 % per step but keeps a window (and a sweep beside training) responsive.
     */
    public static int relaunchIfNeeded(Class<?> mainClass, String[] args, Map<String, String> extra,
                                       java.util.function.Consumer<String> debug, java.io.PrintStream errors) {
        if (!applies() || active() || optedOut()) {
            return -1;
        }
        List<String> command = commandLine(mainClass, args);
        if (command == null) {
            return -1;
        }
        debug.accept("relaunching with tuned allocator settings: " + command);
        // stderr through this process: the JVM's one-line notice that an incubator module is in use (the
        // vector API, see VECTOR_MODULE) is not the user's business and would precede every error line
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(ENVIRONMENT);
        pb.environment().putAll(extra);
        // A jpackage launcher marks its environment (_JPACKAGE_LAUNCHER); a child launcher that inherits the
        // mark skips its own configuration and takes the arguments as a plain java command line.
        pb.environment().keySet().removeIf(k -> k.startsWith("_JPACKAGE"));
        pb.environment().put(MARKER, "1");
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            return -1; // carry on untuned rather than not at all
        }
        Thread forward = new Thread(() -> {
            // The terminal's Ctrl-C reaches the child too; a plain kill of this process is passed on as
            // SIGTERM, which lets the child stop and keep its checkpoint before we exit.
            if (child.isAlive()) {
                child.destroy();
                try {
                    child.waitFor();
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "relaunch-forward");
        Runtime.getRuntime().addShutdownHook(forward);
        Thread pump = new Thread(() -> passErrors(child.getErrorStream(), errors), "relaunch-stderr");
        pump.setDaemon(true);
        pump.start();
        try {
            int code = child.waitFor();
            pump.join(2000); // the child's last words
            try {
                Runtime.getRuntime().removeShutdownHook(forward);
            } catch (IllegalStateException shuttingDown) {
                // we were told to stop; the hook has waited for the child already
            }
            return code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** The JDK's vector API, which Mamba's training scan is written in (ScanKernel); the child asks for it. */
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    /** What the JVM prints first on stderr when an incubator module is resolved. */
    static final String INCUBATOR_NOTICE = "WARNING: Using incubator modules: " + VECTOR_MODULE;

    /** Copies the child's stderr to {@code out}, less the JVM's incubator notice (its first line, if it is that). */
    static void passErrors(java.io.InputStream in, java.io.PrintStream out) {
        try (in) {
            java.io.ByteArrayOutputStream first = new java.io.ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                first.write(b);
            }
            String line = first.toString(java.nio.charset.StandardCharsets.UTF_8);
            if (!line.strip().equals(INCUBATOR_NOTICE)) {
                out.write(first.toByteArray());
                if (b == '\n') {
                    out.write('\n');
                }
                out.flush();
            }
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) != -1) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // the child is gone
        }
    }

    /**
     * This program's command line: the app launcher if jpackage made one (it adds its own JVM options),
     * else java with this JVM's options (and the vector API, where this runtime has it), class path and
     * main class.
     */
    static List<String> commandLine(Class<?> mainClass, String[] args) {
        List<String> cmd = new ArrayList<>();
        String self = ProcessHandle.current().info().command().orElse(null);
        String appPath = System.getProperty("jpackage.app-path");
        if (appPath == null && self != null && !isJava(self)) {
            appPath = self; // JDK 17's launchers do not always set jpackage.app-path
        }
        if (appPath != null) {
            cmd.add(appPath);
        } else {
            String java = self;
            if (java == null) {
                return null;
            }
            cmd.add(java);
            List<String> options = ManagementFactory.getRuntimeMXBean().getInputArguments();
            for (String opt : options) {
                if (!opt.startsWith("-agentlib:jdwp")) { // a debugger attaches to the parent only
                    cmd.add(opt);
                }
            }
            if (ModuleFinder.ofSystem().find(VECTOR_MODULE).isPresent()
                    && options.stream().noneMatch(o -> o.contains(VECTOR_MODULE))) {
                cmd.add("--add-modules=" + VECTOR_MODULE);
            }
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(mainClass.getName());
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * The command that starts this program again (launcher, or java with this JVM's options, class path and
     * {@code mainClass}), without arguments: what a study's local tasks and job scripts run. Null when the
     * JVM does not say how it was started.
     */
    public static List<String> selfCommand(Class<?> mainClass) {
        List<String> cmd = commandLine(mainClass, new String[0]);
        return cmd == null ? null : List.copyOf(cmd);
    }

    private static boolean isJava(String executable) {
        String name = java.nio.file.Path.of(executable).getFileName().toString().toLowerCase(Locale.ROOT);
        return name.equals("java") || name.equals("java.exe") || name.equals("javaw.exe") || name.equals("javaw");
    }
}
