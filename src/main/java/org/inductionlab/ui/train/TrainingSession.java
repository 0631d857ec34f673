package org.inductionlab.ui.train;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.inductionlab.engine.lab.TrainingJob;
import org.inductionlab.engine.lab.RunRecords;
import org.inductionlab.engine.train.TrainingListener;
import org.inductionlab.engine.train.TrainingOutcome;
import org.inductionlab.engine.train.TrainingProgress;
import org.inductionlab.ui.TaskExecutor;
import org.inductionlab.ui.train.TrainViewModel.State;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One training job at a time on the executor's training thread: opening it (create or resume, which
 * touch disk), running it, Pause, Resume and Stop, and its progress handed to the UI thread coalesced,
 * so a fast model never floods it. What the page makes of the end is the {@link Ends}' business.
 */
final class TrainingSession {

    /** Builds the job on the training thread. */
    interface JobSource {
        TrainingJob open() throws Exception;
    }

    /** How a session began and ended, told on the UI thread. */
    interface Ends {
        void started(TrainingJob job);

        void notStarted(Exception e);

        void finished(TrainingOutcome outcome, String run);

        void failed(Throwable e, String run, boolean hasCheckpoint);
    }

    private final TaskExecutor executor;
    private final TrainingCurves curves;
    private final ObjectProperty<State> state = new SimpleObjectProperty<>(State.IDLE);
    private final ObjectProperty<TrainingProgress> progress = new SimpleObjectProperty<>();
    private final StringProperty device = new SimpleStringProperty("");
    private final StringProperty status;
    private final AtomicReference<TrainingProgress> latest = new AtomicReference<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile TrainingJob job;
    private volatile boolean stopRequested;
    private volatile CountDownLatch done = new CountDownLatch(0);

    TrainingSession(TaskExecutor executor, TrainingCurves curves, StringProperty status) {
        this.executor = executor;
        this.curves = curves;
        this.status = status;
    }

    ObjectProperty<State> state() {
        return state;
    }

    ObjectProperty<TrainingProgress> progress() {
        return progress;
    }

    StringProperty device() {
        return device;
    }

    void launch(JobSource source, Ends ends) {
        stopRequested = false;
        CountDownLatch finished = new CountDownLatch(1);
        done = finished;
        state.set(State.RUNNING);
        status.set("Starting…");
        executor.training(() -> {
            try {
                TrainingJob j;
                try {
                    j = source.open();
                } catch (Exception e) {
                    executor.ui(() -> {
                        ends.notStarted(e);
                        state.set(State.IDLE);
                    });
                    return;
                }
                job = j;
                if (stopRequested) {
                    j.control().requestStop();
                }
                executor.ui(() -> ends.started(j));
                try {
                    TrainingOutcome o = j.run(new Listener(j));
                    executor.ui(() -> {
                        drain();
                        ends.finished(o, j.name()); // first, so the page sees how it ended when it turns idle
                        state.set(State.IDLE);
                    });
                } catch (Throwable e) {
                    boolean checkpoint = j.hasCheckpoint();
                    executor.ui(() -> {
                        drain();
                        ends.failed(e, j.name(), checkpoint);
                        state.set(State.IDLE);
                    });
                }
            } finally {
                job = null;
                finished.countDown();
            }
        });
    }

    void pause() {
        TrainingJob j = job;
        if (state.get() == State.RUNNING && j != null) {
            j.control().pause();
            status.set("Pausing after this step…");
        }
    }

    /** Continues a paused session; false when none is paused. */
    boolean resumePaused() {
        TrainingJob j = job;
        if (state.get() == State.PAUSED && j != null) {
            j.control().resume();
            return true;
        }
        return false;
    }

    /** Asks the session to stop after its current step; the checkpoint is written on the way out. */
    void stop() {
        if (state.get() == State.RUNNING || state.get() == State.PAUSED) {
            requestStop();
            state.set(State.STOPPING);
            status.set("Stopping after this step and writing the checkpoint…");
        }
    }

    private void requestStop() {
        stopRequested = true;
        TrainingJob j = job;
        if (j != null) {
            j.control().requestStop();
        }
    }

    /** Stops and waits (off the FX thread is best) until the checkpoint is written. */
    boolean stopAndWait(long millis) {
        requestStop();
        try {
            return done.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    boolean isTraining() {
        return done.getCount() > 0;
    }

    /** Hands progress from the training thread to the UI thread, coalescing bursts. */
    private final class Listener implements TrainingListener {
        private final TrainingJob job;

        Listener(TrainingJob job) {
            this.job = job;
        }

        @Override
        public void onStart(TrainingStart s) {
            if (s.resumed()) { // the curve so far, as metrics.csv holds it after the resume cut it back
                try {
                    RunRecords.Curves c = job.curves();
                    executor.ui(() -> {
                        curves.show(c.metrics(), c.phaseChange());
                        curves.heads().setAll(c.heads());
                        curves.generalisation().setAll(c.generalisation());
                    });
                } catch (IOException e) {
                    // no earlier curve
                }
            }
            executor.ui(() -> device.set(s.device()));
        }

        @Override
        public void onProgress(TrainingProgress p) {
            curves.add(p);
            latest.set(p);
            if (!drainScheduled.getAndSet(true)) {
                executor.ui(TrainingSession.this::drain);
            }
        }

        @Override
        public void onCurriculumStage(long step, int length) {
            executor.ui(() -> curves.stages().add(new long[] {step, length}));
        }

        @Override
        public void onHeadScores(long step, org.inductionlab.engine.eval.HeadScores s) {
            var rows = s.rows(step);
            executor.ui(() -> curves.heads().addAll(rows));
        }

        @Override
        public void onGeneralisation(long step, java.util.List<org.inductionlab.engine.run.GeneralisationRow> rows) {
            executor.ui(() -> curves.generalisation().addAll(rows));
        }

        @Override
        public void onPhaseChange(long step) {
            executor.ui(() -> curves.phaseChangeStep().set(step));
        }

        @Override
        public void onPaused(boolean paused) {
            executor.ui(() -> {
                if (state.get() != State.STOPPING) {
                    state.set(paused ? State.PAUSED : State.RUNNING);
                    status.set(paused ? "Paused; the checkpoint is saved. Resume or Stop." : "Training…");
                }
            });
        }

        @Override
        public void onCheckpoint(long step) {
            executor.ui(() -> {
                if (state.get() == State.RUNNING) {
                    status.set("Training " + job.name() + " — checkpoint at step " + step);
                }
            });
        }
    }

    private void drain() {
        drainScheduled.set(false);
        TrainingProgress p = latest.get();
        if (p != null) {
            progress.set(p);
        }
        curves.changed();
    }
}
