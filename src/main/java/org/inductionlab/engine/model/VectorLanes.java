package org.inductionlab.engine.model;

/**
 * Whether this JVM has the JDK's vector API ({@code jdk.incubator.vector}), which {@link ScanKernel} is
 * written in. An incubator module is resolved only when asked for on the command line: the lab asks when it
 * relaunches itself (NativeTuning), and the tests' JVM asks (the pom). Without it Mamba's training scan runs
 * in libtorch ({@link MambaModel#sequentialScan}): the same numbers, slower. Kept apart from ScanKernel so
 * that asking never loads a class that names the module.
 */
public final class VectorLanes {
    private VectorLanes() {}

    private static final boolean PRESENT = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /** The module this JVM must be started with: {@code --add-modules} of it. */
    public static final String MODULE = "jdk.incubator.vector";

    public static boolean available() {
        return PRESENT;
    }
}
