package org.inductionlab.ui;

import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.stage.Window;
import org.inductionlab.engine.lab.Machine;
import org.inductionlab.ui.event.EventBus;

import java.util.function.Consumer;

/**
 * The services every page is given (rather than looking them up): settings, the run library, the task
 * executor (background worker, training thread, UI thread), the event bus between pages, navigation,
 * and the engine's description.
 */
public final class LabContext {

    /** The lab's pages, in the order of the side bar. */
    public enum Page {
        TRAIN("Train"), SWEEP("Sweep"), ATTENTION("Attention"), RUNS("Runs"), ABOUT("About");

        public final String title;

        Page(String title) {
            this.title = title;
        }
    }

    private final LabSettings settings;
    private final TaskExecutor executor;
    private final RunLibrary runs;
    private final EventBus events = new EventBus();
    private volatile int gpus;
    private final ReadOnlyStringWrapper engineStatus = new ReadOnlyStringWrapper("starting the engine…");
    private final ReadOnlyStringWrapper device = new ReadOnlyStringWrapper("");
    private Consumer<Page> navigator = p -> { };
    private Window window;

    /** The window's context: background work on one worker thread, results on the FX thread. */
    public LabContext(LabSettings settings) {
        this(settings, TaskExecutor.fx());
    }

    public LabContext(LabSettings settings, TaskExecutor executor) {
        this.settings = settings;
        this.executor = executor;
        this.runs = new RunLibrary(settings, executor);
    }

    public LabSettings settings() {
        return settings;
    }

    public RunLibrary runs() {
        return runs;
    }

    /**
     * Where work runs: one background thread for quick work (maps, probes, the disk) and one for long jobs
     * (sweeps), so a rename or a refresh never waits minutes behind a sweep; libtorch's CPU threads are
     * shared by the process, so a map computed during a sweep slows it a little rather than waiting for it.
     */
    public TaskExecutor executor() {
        return executor;
    }

    /** How pages ask each other for things without holding each other. */
    public EventBus events() {
        return events;
    }

    /** GPUs libtorch sees; 0 until the engine has started. */
    public int gpus() {
        return gpus;
    }

    public void navigate(Page page) {
        navigator.accept(page);
    }

    public void setNavigator(Consumer<Page> navigator) {
        this.navigator = navigator;
    }

    public Window window() {
        return window;
    }

    public void setWindow(Window window) {
        this.window = window;
    }

    /** "libtorch 2.7.1 · CPU (2 threads) · tuned allocator", filled in once the engine has started. */
    public ReadOnlyStringProperty engineStatus() {
        return engineStatus.getReadOnlyProperty();
    }

    /** The device "auto" resolves to, e.g. "CPU (2 threads)"; empty until the engine has started. */
    public ReadOnlyStringProperty device() {
        return device.getReadOnlyProperty();
    }

    /** Starts the engine in the background so the window opens at once. */
    public void startEngine() {
        executor.background(() -> {
            try {
                Machine.Engine engine = Machine.start();
                gpus = engine.gpus();
                String dev = engine.device();
                String text = engine.summary();
                executor.ui(() -> {
                    engineStatus.set(text);
                    device.set(dev);
                });
            } catch (RuntimeException | Error e) {
                executor.ui(() -> engineStatus.set("engine failed to start: " + Fx.message(e)));
            }
            runs.refresh();
        });
    }

    public void shutdown() {
        executor.shutdown();
    }
}
