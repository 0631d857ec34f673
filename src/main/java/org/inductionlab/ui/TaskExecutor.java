package org.inductionlab.ui;

import javafx.application.Platform;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Where a view model's work runs, injected so view models are tested without a window: in the lab, quick
 * background work on one worker thread, minutes-long jobs (sweeps) on another, training on its own thread,
 * and results published on the FX thread; in tests, {@link #inline()} runs everything on the caller's
 * thread, in order. View models go through {@link BackgroundTask}.
 */
public interface TaskExecutor {

    /** Disk, libtorch, attention maps, probes: off the FX thread, one at a time. */
    void background(Runnable task);

    /**
     * A job of minutes (a sweep): off the FX thread, one at a time, beside {@link #background}, so a refresh
     * or a rename never waits behind it.
     */
    void longJob(Runnable task);

    /** A training session: its own thread, beside the background worker. */
    void training(Runnable task);

    /** Publishes to the view: on the FX thread (now if already there). */
    void ui(Runnable task);

    /** Stops the background worker. */
    default void shutdown() {}

    /** The window's executor. */
    static TaskExecutor fx() {
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lab-worker");
            t.setDaemon(true);
            return t;
        });
        ExecutorService longJobs = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lab-long-jobs");
            t.setDaemon(true);
            return t;
        });
        return new TaskExecutor() {
            @Override
            public void background(Runnable task) {
                worker.execute(task); // an escaped exception reaches the default handler (an error dialog)
            }

            @Override
            public void longJob(Runnable task) {
                longJobs.execute(task);
            }

            @Override
            public void training(Runnable task) {
                Thread t = new Thread(task, "training");
                t.setDaemon(false); // the checkpoint is written before the process ends
                t.start();
            }

            @Override
            public void ui(Runnable task) {
                if (Platform.isFxApplicationThread()) {
                    task.run();
                } else {
                    Platform.runLater(task);
                }
            }

            @Override
            public void shutdown() {
                worker.shutdownNow();
                longJobs.shutdownNow();
            }
        };
    }

    /** Everything at once on the calling thread: for view-model tests. */
    static TaskExecutor inline() {
        return new TaskExecutor() {
            @Override
            public void background(Runnable task) {
                task.run();
            }

            @Override
            public void longJob(Runnable task) {
                task.run();
            }

            @Override
            public void training(Runnable task) {
                task.run();
            }

            @Override
            public void ui(Runnable task) {
                task.run();
            }
        };
    }
}
