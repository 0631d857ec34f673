package org.inductionlab.engine.lab;

import org.inductionlab.engine.config.DeviceChoice;
import org.inductionlab.engine.platform.EngineRuntime;
import org.inductionlab.engine.platform.MachineMemory;
import org.inductionlab.engine.platform.NativeTuning;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The machine the lab runs on, as a front end needs it: starting the engine and saying what it runs on,
 * this process's memory in words, and how to start the lab again with the tuned allocator (the window,
 * the command line, a study's tasks and job scripts).
 */
public final class Machine {
    private Machine() {}

    /** What the engine runs on, in words. */
    public record Engine(String djl, String build, String device, int gpus, String allocator) {
        /** "libtorch 2.7.1 (cpu) · CPU (2 threads) · tuned allocator". */
        public String summary() {
            return build + " · " + device + " · " + allocator;
        }
    }

    /** Starts libtorch (once per process, on all cores) and says what it runs on; "auto" picks the device. */
    public static Engine start() {
        EngineRuntime.start(0);
        return new Engine(EngineRuntime.djlVersion(), EngineRuntime.build(),
                EngineRuntime.describe(EngineRuntime.device(DeviceChoice.AUTO)), EngineRuntime.gpuCount(),
                NativeTuning.describe());
    }

    /** This process's resident memory now, in bytes. */
    public static long residentBytes() {
        return MachineMemory.residentBytes();
    }

    /** This process's peak resident memory so far, in bytes. */
    public static long peakResidentBytes() {
        return MachineMemory.peakResidentBytes();
    }

    /** "812 MiB". */
    public static String mib(long bytes) {
        return MachineMemory.mib(bytes);
    }

    /**
     * Starts this program again with the tuned allocator when this JVM lacks it ({@code extra} added to its
     * environment, {@code log} told why, the child's stderr passed to {@code errors}); returns the child's
     * exit code, or -1 when no relaunch was needed.
     */
    public static int relaunchTuned(Class<?> mainClass, String[] args, Map<String, String> extra, Consumer<String> log,
                                    java.io.PrintStream errors) {
        return NativeTuning.relaunchIfNeeded(mainClass, args, extra, log, errors);
    }

    /** The command that starts this program again with {@code mainClass} (see NativeTuning), or null. */
    public static List<String> selfCommand(Class<?> mainClass) {
        return NativeTuning.selfCommand(mainClass);
    }
}
