package org.inductionlab.engine.platform;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** Memory the next computation may use: free RAM on the CPU, free memory of the card on a GPU. */
public final class MachineMemory {
    private MachineMemory() {}

    public static long availableBytes(Device device) {
        if (device.isGpu()) {
            try {
                var usage = CudaUtils.getGpuMemory(device);
                return usage.getMax() - usage.getUsed();
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                return Long.MAX_VALUE; // cannot tell; let the card say no
            }
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getFreeMemorySize();
        }
        return Long.MAX_VALUE;
    }

    /** This process's resident set size, or -1 where /proc is missing. */
    public static long residentBytes() {
        long kib = selfStatusKib("VmRSS:");
        return kib < 0 ? -1 : kib * 1024;
    }

    /** Peak resident set size of this process, or -1. */
    public static long peakResidentBytes() {
        long kib = selfStatusKib("VmHWM:");
        return kib < 0 ? -1 : kib * 1024;
    }

    /** A kB field of /proc/self/status, or -1 when there is none. */
    private static long selfStatusKib(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return -1;
    }

    public static String mib(long bytes) {
        return bytes < 0 ? "?" : String.format(java.util.Locale.ROOT, "%,d MiB", bytes >> 20);
    }
}
