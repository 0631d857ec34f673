package org.inductionlab.ui;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One kind of work a view model sends off the FX thread (a map, a probe, a plot, a sweep, a rename), with
 * what a page shows of it: whether it runs ({@link #busy}), how far it is ({@link #progress}), and why it
 * failed ({@link #error}).
 *
 * <p>{@link #start} asks a question whose answer belongs to the input it was asked for: a newer start, or
 * {@link #cancel}, makes the older one's result, progress and error be dropped when they arrive, so a
 * result for an old input is never shown. {@link #submit} runs an action whose outcome must always be
 * heard (a rename, an import): each one's is delivered.
 *
 * <p>Quick work runs on the executor's background worker; long work ({@link #longJobs}: sweeps) on its own
 * thread, so a refresh or a rename never queues behind a sweep. Call it on the FX thread (any thread with
 * {@link TaskExecutor#inline()}).
 */
public final class BackgroundTask {

    /** The work, on a worker thread. */
    public interface Work<T> {
        T run(Request request) throws Exception;
    }

    /** What running work may ask and tell. */
    public final class Request {
        private final long id;
        private final boolean guarded;

        private Request(long id, boolean guarded) {
            this.id = id;
            this.guarded = guarded;
        }

        /** False once a newer {@link #start} or a {@link #cancel} has replaced this request. */
        public boolean current() {
            return !guarded || generation.get() == id;
        }

        /** How far the work is, 0..1 (any thread). */
        public void progress(double fraction) {
            show(() -> progress.set(fraction));
        }

        /** Runs {@code update} on the FX thread if this request is still current when it gets there. */
        public void show(Runnable update) {
            executor.ui(() -> {
                if (current()) {
                    update.run();
                }
            });
        }
    }

    private final TaskExecutor executor;
    private final boolean longJob;
    private final AtomicLong generation = new AtomicLong();
    private int running; // FX thread
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");

    private BackgroundTask(TaskExecutor executor, boolean longJob) {
        this.executor = executor;
        this.longJob = longJob;
    }

    /** Work of seconds, on the background worker. */
    public static BackgroundTask quick(TaskExecutor executor) {
        return new BackgroundTask(executor, false);
    }

    /** Work of minutes (a sweep), on the executor's long-job thread. */
    public static BackgroundTask longJobs(TaskExecutor executor) {
        return new BackgroundTask(executor, true);
    }

    /** Whether a current request is running. */
    public ReadOnlyBooleanProperty busy() {
        return busy.getReadOnlyProperty();
    }

    /** How far the current request is, 0..1. */
    public ReadOnlyDoubleProperty progress() {
        return progress.getReadOnlyProperty();
    }

    /** Why the last request failed, in one line; "" while none has. */
    public ReadOnlyStringProperty error() {
        return error.getReadOnlyProperty();
    }

    /**
     * Asks a question: runs {@code work} and hands its result to {@code done}, or its failure to
     * {@code failed}, on the FX thread, unless a newer start or a cancel came in between.
     */
    public <T> void start(Work<T> work, Consumer<T> done, Consumer<Throwable> failed) {
        run(new Request(generation.incrementAndGet(), true), work, done, failed);
    }

    /** Runs an action: every outcome is delivered, whatever was started since. */
    public <T> void submit(Work<T> work, Consumer<T> done, Consumer<Throwable> failed) {
        run(new Request(generation.get(), false), work, done, failed);
    }

    /** Drops the current question: whatever it gives when it ends is ignored. */
    public void cancel() {
        generation.incrementAndGet();
        running = 0;
        busy.set(false);
    }

    private <T> void run(Request request, Work<T> work, Consumer<T> done, Consumer<Throwable> failed) {
        if (request.guarded) {
            running = 0; // what ran before is no longer waited for
        }
        running++;
        busy.set(true);
        progress.set(0);
        error.set("");
        Runnable job = () -> {
            T result;
            try {
                result = work.run(request);
            } catch (Throwable e) {
                request.show(() -> {
                    ended();
                    error.set(Fx.message(e));
                    failed.accept(e);
                });
                return;
            }
            request.show(() -> {
                ended();
                done.accept(result);
            });
        };
        if (longJob) {
            executor.longJob(job);
        } else {
            executor.background(job);
        }
    }

    private void ended() {
        running = Math.max(0, running - 1);
        busy.set(running > 0);
    }
}
