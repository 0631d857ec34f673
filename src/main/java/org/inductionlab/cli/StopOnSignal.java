package org.inductionlab.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (or SIGTERM from a scheduler) asks the work to stop and waits for it to finish its step and keep
 * its checkpoint, up to a limit, before the JVM exits. Closing it, when the work ended by itself, removes
 * the hook.
 */
final class StopOnSignal implements AutoCloseable {
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;

    private StopOnSignal(Runnable requestStop, int waitSeconds) {
        hook = new Thread(() -> {
            requestStop.run();
            try {
                done.await(waitSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "stop-on-signal");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    static StopOnSignal install(Runnable requestStop, int waitSeconds) {
        return new StopOnSignal(requestStop, waitSeconds);
    }

    @Override
    public void close() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the signal came: the hook is waiting for us and now returns
        }
    }
}
