package org.inductionlab.engine.platform;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Flushes subnormal floats to zero in libtorch's CPU work, as {@code torch.set_flush_denormal(True)} does. A
 * confident attention head puts weights like e^-100 on most keys; those are subnormal floats, and every
 * multiply-add that meets one takes a slow microcode path on x86 (a training step of the {@code induction}
 * model slowed from ~120 to ~190 ms as it grew confident). Flushing them changes values below 1.2e-38 to 0,
 * nothing a softmax or a gradient of this size can see.
 *
 * <p>The setting (SSE's FTZ and DAZ bits) belongs to a thread, and libtorch's OpenMP workers copy it from the
 * thread that first asks them for work. So each thread that drives the engine sets it before its first
 * operation ({@link EngineRuntime#start} does). {@code INDUCTIONLAB_DENORMALS=keep} leaves floats as they are.
 */
public final class Denormals {
    private Denormals() {}

    private static final ThreadLocal<Boolean> DONE = ThreadLocal.withInitial(() -> false);
    private static volatile Function setter;
    private static volatile boolean looked;

    /** Whether this process flushes (on by default; x86 Linux with libtorch loaded). */
    public static boolean wanted() {
        String env = System.getenv("INDUCTIONLAB_DENORMALS");
        String prop = System.getProperty("inductionlab.denormals");
        return !("keep".equalsIgnoreCase(env) || "keep".equalsIgnoreCase(prop));
    }

    /** Sets flush-to-zero on the calling thread, once; true when it is set. */
    public static boolean flushOnThisThread() {
        if (DONE.get()) {
            return true;
        }
        if (!wanted()) {
            return false;
        }
        Function f = setter();
        if (f == null) {
            return false;
        }
        boolean ok = (f.invokeInt(new Object[] {1}) & 0xFF) != 0;
        DONE.set(ok);
        return ok;
    }

    /** One line for status and bench output. */
    public static String describe() {
        if (!wanted()) {
            return "subnormal floats kept";
        }
        return setter() != null ? "subnormals flushed" : "subnormals kept (not supported here)";
    }

    private static Function setter() {
        if (!looked) {
            synchronized (Denormals.class) {
                if (!looked) {
                    setter = lookup();
                    looked = true;
                }
            }
        }
        return setter;
    }

    /** at::cpu::set_flush_denormal(bool) in the libtorch this process loaded, or null. */
    private static Function lookup() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!(arch.contains("amd64") || arch.contains("x86_64"))) {
            return null;
        }
        try {
            Path maps = Path.of("/proc/self/maps");
            if (!Files.isReadable(maps)) {
                return null;
            }
            String library = null;
            for (String line : Files.readAllLines(maps)) {
                int at = line.indexOf('/');
                if (at >= 0 && line.endsWith("libtorch_cpu.so")) {
                    library = line.substring(at);
                    break;
                }
            }
            if (library == null) {
                return null;
            }
            return NativeLibrary.getInstance(library).getFunction("_ZN2at3cpu18set_flush_denormalEb");
        } catch (IOException | UnsatisfiedLinkError | RuntimeException e) {
            return null;
        }
    }
}
