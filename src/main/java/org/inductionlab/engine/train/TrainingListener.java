package org.inductionlab.engine.train;

/** Hears a training session. Called on the training thread: hand work to your own thread if needed. */
public interface TrainingListener {

    /** Before the first step: the model is built (or restored) and about to train. */
    default void onStart(TrainingStart start) {}

    /** After every step. */
    default void onProgress(TrainingProgress progress) {}

    /**
     * The phase change: the running accuracy first reached halfway from chance to 100 % at this step
     * ({@link PhaseChange}). Once per run; a resumed run that passed it before does not hear it again.
     */
    default void onPhaseChange(long step) {}

    /** The curriculum moved to a longer training length from this step on. */
    default void onCurriculumStage(long step, int length) {}

    /** Every head's standard scores were recorded at this step (every scores_every steps). */
    default void onHeadScores(long step, org.inductionlab.engine.eval.HeadScores scores) {}

    /** The held-out set was scored at the longer lengths at this step (every generalisation_every steps). */
    default void onGeneralisation(long step, java.util.List<org.inductionlab.engine.run.GeneralisationRow> rows) {}

    /** A held-out length first reached 90 % at this step (once per length and run). */
    default void onLengthPassed(int length, long step) {}

    /** A checkpoint was written at this step. */
    default void onCheckpoint(long step) {}

    /** Paused (true) or resumed (false). */
    default void onPaused(boolean paused) {}

    /** The end, however it came, failures included. */
    default void onFinish(TrainingOutcome outcome) {}

    /** What a session starts from. */
    record TrainingStart(long firstStep, long maxSteps, long parameterCount, String device, boolean resumed) {}
}
