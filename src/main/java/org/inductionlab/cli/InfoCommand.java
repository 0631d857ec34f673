package org.inductionlab.cli;

import org.inductionlab.engine.config.DeviceChoice;
import org.inductionlab.engine.platform.EngineRuntime;
import org.inductionlab.engine.platform.NativeTuning;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "info", mixinStandardHelpOptions = true, description = "What the engine runs on.")
final class InfoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        EngineRuntime.start(0);
        System.out.println("DJL " + EngineRuntime.djlVersion() + ", " + EngineRuntime.build());
        System.out.println("device (auto): " + EngineRuntime.describe(EngineRuntime.device(DeviceChoice.AUTO)));
        System.out.println("GPUs visible to DJL: " + EngineRuntime.gpuCount());
        System.out.println("allocator: " + NativeTuning.describe());
        System.out.println("java " + System.getProperty("java.version") + " on " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch"));
        return Cli.OK;
    }
}
