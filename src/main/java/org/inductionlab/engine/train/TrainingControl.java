package org.inductionlab.engine.train;

/** Pause, resume and stop a training session from another thread. Checked between steps. */
public final class TrainingControl {
    private volatile boolean stopRequested;
    private boolean paused;

    public void requestStop() {
        stopRequested = true;
        synchronized (this) {
            notifyAll();
        }
    }

    public boolean stopRequested() {
        return stopRequested;
    }

    public synchronized void pause() {
        paused = true;
    }

    public synchronized void resume() {
        paused = false;
        notifyAll();
    }

    public synchronized boolean paused() {
        return paused;
    }

    /** Blocks while paused; returns early when a stop is requested. */
    synchronized void awaitResume() throws InterruptedException {
        while (paused && !stopRequested) {
            wait();
        }
    }
}
