package org.inductionlab.ui;

import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.stage.Window;
import org.inductionlab.engine.config.DeviceChoice;
import org.inductionlab.engine.platform.EngineRuntime;
import org.inductionlab.engine.platform.NativeTuning;
import org.inductionlab.ui.runs.RunLibrary;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The services every page is given (rather than looking them up): settings, the run library, the
 * background worker for sweeps and attention, navigation, and the engine's description.
 */
public final class LabContext {

    /** The lab's pages, in the order of the side bar. */
    public enum Page {
        TRAIN("Train"), SWEEP("Sweep"), ATTENTION("Attention"), RUNS("Runs");

        public final String title;

        Page(String title) {
            this.title = title;
        }
    }

    private final LabSettings settings;
    private final RunLibrary runs;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lab-worker");
        t.setDaemon(true);
        return t;
    });
    private final ReadOnlyStringWrapper engineStatus = new ReadOnlyStringWrapper("starting the engine…");
    private final ReadOnlyStringWrapper device = new ReadOnlyStringWrapper("");
    private Consumer<Page> navigator = p -> { };
    private Window window;

    public LabContext(LabSettings settings) {
        this.settings = settings;
        this.runs = new RunLibrary(settings);
    }

    public LabSettings settings() {
        return settings;
    }

    public RunLibrary runs() {
        return runs;
    }

    /**
     * One background thread for sweeps and attention maps: libtorch's CPU threads are shared by the
     * process, and two jobs at once on a small machine only slow each other down.
     */
    public ExecutorService worker() {
        return worker;
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
        worker.submit(() -> {
            try {
                EngineRuntime.start(0);
                String dev = EngineRuntime.describe(EngineRuntime.device(DeviceChoice.AUTO));
                String text = "libtorch " + EngineRuntime.libtorchVersion() + " · " + dev + " · " + NativeTuning.describe();
                Fx.run(() -> {
                    engineStatus.set(text);
                    device.set(dev);
                });
            } catch (RuntimeException | Error e) {
                Fx.run(() -> engineStatus.set("engine failed to start: " + Fx.message(e)));
            }
            runs.refresh();
        });
    }

    public void shutdown() {
        worker.shutdownNow();
    }
}
