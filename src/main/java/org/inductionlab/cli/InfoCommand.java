package org.inductionlab.cli;

import org.inductionlab.engine.lab.Machine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "info", mixinStandardHelpOptions = true, description = "What the engine runs on.")
final class InfoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Machine.Engine e = Machine.start();
        System.out.println("DJL " + e.djl() + ", " + e.build());
        System.out.println("device (auto): " + e.device());
        System.out.println("GPUs visible to DJL: " + e.gpus());
        System.out.println("allocator: " + e.allocator());
        System.out.println("java " + System.getProperty("java.version") + " on " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch"));
        return Cli.OK;
    }
}
