package org.inductionlab.engine.train;

import org.inductionlab.engine.run.RunStatus;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.eval.HeadScores;
import org.inductionlab.engine.eval.Generalisation;
import org.inductionlab.engine.run.GeneralisationRow;
import org.inductionlab.engine.model.TransformerModel;
import org.inductionlab.engine.run.AttentionFrame;
import org.inductionlab.engine.model.Autograd;
import org.inductionlab.engine.model.Logits;
import org.inductionlab.engine.model.ModelCost;
import org.inductionlab.engine.model.ExecutionPlan;
import org.inductionlab.engine.model.DropoutMasks;
import org.inductionlab.engine.model.ForwardPass;
import org.inductionlab.engine.model.Tape;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.model.SequenceModel;
import org.inductionlab.engine.platform.EngineRuntime;
import org.inductionlab.engine.run.MetricsRow;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunInfo;
import org.inductionlab.engine.run.TrainingState;
import org.inductionlab.engine.task.InductionTask;
import org.inductionlab.engine.task.RepeatTask;
import org.inductionlab.engine.config.TaskKind;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * The training loop: batches from the task, last-token cross-entropy, Adam, the course's early stop, and
 * checkpoints. Each step's arrays live in a sub-manager closed at the end of the step, so native memory
 * stays flat however long it runs.
 */
public final class Trainer {

    private final Hyperparameters hp;
    private final RunFolder folder; // null: train in memory only (bench, tests)
    private final TrainingListener listener;
    private final TrainingControl control;

    public Trainer(Hyperparameters hp, RunFolder folder, TrainingListener listener, TrainingControl control) {
        this.hp = hp.validated();
        this.folder = folder;
        this.listener = listener == null ? new TrainingListener() {} : listener;
        this.control = control == null ? new TrainingControl() : control;
    }

    /**
     * Whether a held-out scoring may run under a budget of {@code percent} % of the training time: when the
     * scorings so far ({@code spent}) and this one ({@code next}: what the last took, or for the first, its
     * price from {@link #firstScoringNanos}) stay within that share of {@code training} (all in ns; measured,
     * so the cost stays bounded on any model and machine). 0 % means no limit.
     */
    public static boolean withinBudget(double percent, long spent, long next, long training) {
        return percent == 0 || (double) spent + next <= percent / 100 * training;
    }

    /**
     * What a first held-out scoring will cost before any has run: its arithmetic ({@code scoringFlops}) at
     * the rate the training steps so far ran ({@code trainingFlops} in {@code trainingNanos}). A scoring
     * runs slower per FLOP than a step (long sequences, narrow heads), so this is low, by about half for
     * {@code induction}; the next is priced at what this one took. Without it the first scoring ran at
     * step 100 whatever it cost: 7-10 s against 2 s of training at that point (docs/benchmarks.md).
     */
    public static long firstScoringNanos(double scoringFlops, double trainingFlops, long trainingNanos) {
        return trainingFlops <= 0 ? Long.MAX_VALUE : (long) (scoringFlops / trainingFlops * trainingNanos);
    }

    /** Trains from scratch, or from the folder's checkpoint when {@code resume}. */
    public TrainingOutcome run(boolean resume) throws IOException {
        EngineRuntime.start(hp.threads());
        Device device = EngineRuntime.device(hp.device());
        Engine engine = EngineRuntime.engine();
        try (NDManager root = NDManager.newBaseManager(device);
             SequenceModel model = SequenceModel.create(hp, root);
             AdamOptimizer optimizer = new AdamOptimizer(hp.optimizer(), hp.weightDecay(), model.parameters(), root)) {

            TrainingState state = new TrainingState(0, 0, 0, new double[0], Double.NaN, 0);
            long phaseChange = -1;
            if (resume) {
                state = restore(root, model, optimizer);
                folder.truncateMetrics(state.step());
                folder.truncateHeadScores(state.step());
                folder.truncateGeneralisation(state.step());
                AttentionFrame.truncate(folder.path(), state.step());
                phaseChange = PhaseChange.firstStep(hp, folder.readMetrics());
            }
            engine.setRandomSeed((int) (hp.seed() * 31 + state.step())); // libtorch's own draws (Mamba's state noise; dropout on a GPU)
            Session s = new Session(model, optimizer, state, root);
            s.phaseChangeStep = phaseChange;
            if (resume) { // a length that passed before this session is not announced again
                s.passedLengths.addAll(Generalisation.passed(folder.readGeneralisation()));
            }
            listener.onStart(new TrainingListener.TrainingStart(state.step(), hp.maxSteps(), model.parameterCount(),
                    EngineRuntime.describe(device), resume));
            TrainingOutcome outcome;
            try {
                outcome = s.loop();
            } catch (IOException | RuntimeException | Error e) {
                TrainingOutcome failed = s.outcome(TrainingOutcome.Reason.FAILED, String.valueOf(e.getMessage()));
                safeRecordEnd(failed);
                listener.onFinish(failed);
                throw e;
            }
            s.checkpoint();
            recordEnd(outcome);
            listener.onFinish(outcome);
            return outcome;
        }
    }

    private TrainingState restore(NDManager root, SequenceModel model, AdamOptimizer optimizer) {
        if (folder == null) {
            throw new IllegalStateException("resume needs a run folder");
        }
        try (NDManager scratch = root.newSubManager();
             RunFolder.Checkpoint cp = folder.readCheckpoint(scratch)) {
            model.load(org.inductionlab.engine.run.RunModels.parameters(cp));
            if (cp.optimizer() == null) {
                throw new org.inductionlab.engine.run.RunFolderException(folder.path()
                        + " has a model-only checkpoint (no optimizer state); it can be evaluated but not resumed");
            }
            optimizer.restore(cp.optimizer(), cp.state().optimizerUpdates());
            return cp.state();
        }
    }

    private void recordEnd(TrainingOutcome o) throws IOException {
        if (folder != null) {
            folder.updateTraining(new RunInfo.Training(o.reason().status().word(), o.step(), epoch(o.step()),
                    o.runningAccuracy(), o.loss(), o.wallSeconds(),
                    o.reason() == TrainingOutcome.Reason.FAILED ? "failed: " + o.message() : o.reason().words,
                    Instant.now().toString()));
        }
    }

    private void safeRecordEnd(TrainingOutcome o) {
        try {
            recordEnd(o);
        } catch (IOException | RuntimeException ignored) {
            // the original failure is what matters
        }
    }

    private double epoch(long step) {
        return (double) step / hp.stepsPerEpoch();
    }

    /** The mutable state of one session, so the loop reads top to bottom. */
    private final class Session {
        final SequenceModel model;
        final AdamOptimizer optimizer;
        final NDManager root;
        final InductionTask task = new InductionTask(hp.vocab(), hp.layout(), hp.seed());
        // task repeat: every position of the repeat scored (ScoredLoss); null for the trigger task
        final RepeatTask repeat = hp.task() == TaskKind.REPEAT ? new RepeatTask(hp.vocab(), hp.seed()) : null;
        RunningAccuracy running;
        int stage; // curriculum stage: the training length is hp.lengthAtStage(stage)
        final double elapsedBefore;
        final long startNanos = System.nanoTime();
        long pausedNanos; // time spent paused: not training, so not in the elapsed time or the step rate
        final long firstStep;
        long step;
        double lastLoss;
        double lastBatchAccuracy;
        double msPerStepAverage = Double.NaN;
        double lossSinceLog;
        int stepsSinceLog;
        long phaseChangeStep = -1;
        // to the early stop (the final length), and to the next curriculum stage: each afresh at a new stage
        EtaEstimate eta = new EtaEstimate(hp.window(), PhaseChange.threshold(hp), hp.target());
        EtaEstimate nextStage = new EtaEstimate(hp.window(), 0, hp.curriculumAdvance()); // any rise counts
        final ExecutionPlan plan; // how each step's passes are cut up on this device
        final DropoutMasks masks; // this session's dropout masks, from the seed and the step it starts at
        final java.util.Map<String, NDArray> trainable; // every parameter but those of a frozen layer
        final java.util.List<NDArray> frozen;
        final java.util.Set<Integer> passedLengths = new java.util.TreeSet<>(); // held-out lengths past 90 %
        long trainingNanos; // this session's time in training steps
        long generalisationNanos; // and in held-out scorings
        long lastGeneralisationNanos; // the last scoring's
        double trainingFlops; // the arithmetic of this session's steps (each at its length), to price a first scoring
        final java.util.Map<Integer, Double> stepFlops = new java.util.HashMap<>(); // by length

        Session(SequenceModel model, AdamOptimizer optimizer, TrainingState state, NDManager root) {
            this.model = model;
            this.optimizer = optimizer;
            this.root = root;
            this.plan = ExecutionPlan.of(model.device());
            this.masks = DropoutMasks.seeded(hp.seed() * 31 + state.step());
            this.running = RunningAccuracy.of(hp.window(), state.recentAccuracies());
            this.elapsedBefore = state.elapsedSeconds();
            this.step = state.step();
            this.firstStep = state.step();
            this.lastLoss = state.lastLoss();
            this.stage = state.curriculumStage();
            double[] recent = state.recentAccuracies();
            this.lastBatchAccuracy = recent.length > 0 ? recent[recent.length - 1] : 0; // a review step keeps it
            this.trainable = new java.util.LinkedHashMap<>();
            this.frozen = new java.util.ArrayList<>();
            model.parameters().forEach((name, p) -> {
                if (frozenLayer(name)) {
                    frozen.add(p);
                } else {
                    trainable.put(name, p);
                }
            });
        }

        /** Whether a parameter belongs to a layer the interventions freeze (its name starts "layers.N."). */
        boolean frozenLayer(String name) {
            if (!name.startsWith("layers.")) {
                return false;
            }
            int dot = name.indexOf('.', "layers.".length());
            return dot > 0 && hp.interventions().freezes(Integer.parseInt(name.substring("layers.".length(), dot)));
        }

        int length() {
            return hp.lengthAtStage(stage);
        }

        /**
         * The curriculum (Olsson et al.'s phase change comes sooner on short sequences): once the running
         * accuracy over a full window reaches curriculum_advance, double the length and start the window
         * afresh, so each stage is judged on its own length.
         */
        void advanceCurriculum() {
            if (length() < hp.trainLength() && running.full() && running.mean() >= hp.curriculumAdvance()) {
                stage++;
                running = new RunningAccuracy(hp.window());
                eta = new EtaEstimate(hp.window(), PhaseChange.threshold(hp), hp.target());
                nextStage = new EtaEstimate(hp.window(), 0, hp.curriculumAdvance());
                listener.onCurriculumStage(step, length());
            }
        }

        TrainingOutcome loop() throws IOException {
            int batch = hp.batchSize();
            while (true) {
                // the early stop counts only at the final length, and not before min_steps
                if (step >= hp.minSteps() && length() == hp.trainLength() && running.full()
                        && running.mean() >= hp.target()) {
                    return outcome(TrainingOutcome.Reason.TARGET_REACHED, null);
                }
                if (step >= hp.maxSteps()) {
                    return outcome(TrainingOutcome.Reason.MAX_STEPS, null);
                }
                if (control.paused()) {
                    checkpoint();
                    listener.onPaused(true);
                    long pausedAt = System.nanoTime();
                    try {
                        control.awaitResume();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        control.requestStop();
                    }
                    pausedNanos += System.nanoTime() - pausedAt;
                    listener.onPaused(false);
                }
                if (control.stopRequested()) {
                    return outcome(TrainingOutcome.Reason.STOPPED, null);
                }

                long t0 = System.nanoTime();
                double lr = LearningRateSchedule.at(hp, step);
                int review = reviewLength(); // a shorter stage's length again, kept out of the running accuracy
                if (model instanceof TransformerModel t) {
                    t.setTrainingStep(step); // a clamp acts in its range of steps
                }
                if (repeat != null) {
                    trainRepeatStep(repeat.batch(step * batch, batch, review > 0 ? review : length()), lr, review == 0);
                } else {
                    trainStep(task.batch(step * batch, batch, review > 0 ? review : length()), lr, review == 0);
                }
                step++;
                trainingNanos += System.nanoTime() - t0;
                trainingFlops += stepFlops.computeIfAbsent(review > 0 ? review : length(), l -> 3.0 * hp.batchSize()
                        * ModelCost.forwardFlops(hp, l - 1, ForwardPass.training(plan)));
                double ms = (System.nanoTime() - t0) / 1e6;
                msPerStepAverage = Double.isNaN(msPerStepAverage) ? ms : 0.95 * msPerStepAverage + 0.05 * ms;
                lossSinceLog += lastLoss;
                stepsSinceLog++;

                TrainingProgress p = progress(lr);
                listener.onProgress(p);
                if (phaseChangeStep < 0 && p.runningAccuracy() >= PhaseChange.threshold(hp)) {
                    phaseChangeStep = step;
                    listener.onPhaseChange(step);
                }
                if (folder != null && (step % hp.logEvery() == 0)) {
                    folder.appendMetrics(List.of(new MetricsRow(step, p.epoch(), lossSinceLog / stepsSinceLog,
                            lastBatchAccuracy, p.runningAccuracy(), lr, p.tokensPerSecond(), p.elapsedSeconds(),
                            length())));
                    lossSinceLog = 0;
                    stepsSinceLog = 0;
                }
                if (hp.scoresEvery() > 0 && step % hp.scoresEvery() == 0) {
                    recordHeadScores();
                }
                if (repeat == null && hp.generalisationEvery() > 0 && step % hp.generalisationEvery() == 0 && withinBudget()) {
                    long g0 = System.nanoTime();
                    recordGeneralisation();
                    lastGeneralisationNanos = System.nanoTime() - g0;
                    generalisationNanos += lastGeneralisationNanos;
                }
                advanceCurriculum(); // before the checkpoint, so a resume continues at the same length
                if (step % hp.checkpointEvery() == 0) {
                    checkpoint();
                }
            }
        }

        /**
         * Watching a head form: every head's standard scores on fixed probe inputs (seed 1), written to
         * heads.csv and told to the listener, and every head's attention on one fixed task sequence, appended
         * to attention.bin.gz for the Attention page to scrub through. No gradients; a few forward passes.
         */
        void recordHeadScores() throws IOException {
            HeadScores s = HeadScores.measure(model, 1);
            if (folder != null) {
                folder.appendHeadScores(s.rows(step));
                AttentionFrame.append(folder.path(),
                        AttentionMap.compute(model, HeadScores.watchedSequence(hp)).frame(step));
            }
            listener.onHeadScores(step, s);
        }

        /**
         * Generalisation while training: the fixed held-out set at the longer lengths, by trigger distance,
         * appended to generalisation.csv and told to the listener, with each length that first reaches 90 %.
         */
        void recordGeneralisation() throws IOException {
            List<GeneralisationRow> rows = Generalisation.measure(model, step);
            if (folder != null) {
                folder.appendGeneralisation(rows);
            }
            listener.onGeneralisation(step, rows);
            for (int length : Generalisation.passed(rows)) {
                if (passedLengths.add(length)) {
                    listener.onLengthPassed(length, step);
                }
            }
        }

        /** Whether a held-out scoring fits generalisation_budget now (see {@link Trainer#withinBudget}). */
        boolean withinBudget() {
            long next = lastGeneralisationNanos > 0 ? lastGeneralisationNanos
                    : firstScoringNanos(scoringFlops(), trainingFlops, trainingNanos);
            return Trainer.withinBudget(hp.generalisationBudget(), generalisationNanos, next, trainingNanos);
        }

        /** The arithmetic of one held-out scoring: its sequences at each of its lengths. */
        double scoringFlops() {
            double flops = 0;
            for (int length : Generalisation.lengths(hp, model)) {
                flops += Generalisation.SEQUENCES * ModelCost.evaluationFlops(hp, length - 1);
            }
            return flops;
        }

        /** A review step's length (a shorter stage's, see Hyperparameters.reviewLength), or 0. */
        int reviewLength() {
            return hp.reviewLength(stage, step);
        }

        /** The trigger task: the last position's cross-entropy against the answer. */
        void trainStep(InductionTask.Batch data, double lr, boolean counted) {
            optimise(lr, counted, (step, pass) -> {
                NDArray tokens = step.create(data.inputs(), new Shape(data.count(), data.inputLength()));
                NDArray answers = step.create(toLongs(data.answers()), new Shape(data.count(), 1));
                NDArray logits = model.forward(tokens, pass);
                return new NDArray[] {logits, logits.logSoftmax(1).gather(answers, 1).mean().neg()};
            }, logits -> (double) Logits.countCorrect(logits, data.answers()) / data.count());
        }

        /** The repeat task: logits at every position, the loss over the scored ones. */
        void trainRepeatStep(RepeatTask.Batch data, double lr, boolean counted) {
            optimise(lr, counted, (step, pass) -> {
                NDArray tokens = step.create(data.inputs(), new Shape(data.count(), data.inputLength()));
                NDArray logits = model.forwardEveryPosition(tokens, pass);
                return new NDArray[] {logits, ScoredLoss.loss(logits, data, step)};
            }, logits -> (double) ScoredLoss.countCorrect(logits, data) / Math.max(1, data.scoredCount()));
        }

        /**
         * One step of either task: its forward pass and loss ({logits, loss}, recorded for the gradient) under the
         * step's training pass, backward (through the pass's tape, where the model ran a part outside libtorch),
         * Adam on the trainable parameters, everything in a sub-manager closed at the end; a counted step's loss
         * and accuracy go to the running figures.
         */
        private void optimise(double lr, boolean counted,
                              java.util.function.BiFunction<NDManager, ForwardPass, NDArray[]> forward,
                              java.util.function.ToDoubleFunction<NDArray> accuracy) {
            try (NDManager step = root.newSubManager()) {
                NDArray[] logitsAndLoss;
                Tape tape = new Tape();
                try (GradientCollector gc = EngineRuntime.engine().newGradientCollector()) {
                    logitsAndLoss = forward.apply(step, ForwardPass.training(plan).withMasks(masks).withTape(tape));
                    tape.backward(gc, Autograd.scale(logitsAndLoss[1], model.lossScale()));
                }
                optimizer.step(trainable, lr, model.lossScale());
                frozen.forEach(Autograd::zeroGradient); // a frozen layer keeps its weights
                if (!counted) {
                    return;
                }
                lastLoss = logitsAndLoss[1].getFloat();
                lastBatchAccuracy = accuracy.applyAsDouble(logitsAndLoss[0]);
                running.add(lastBatchAccuracy);
            }
        }

        TrainingProgress progress(double lr) {
            double elapsed = elapsed();
            double tokensPerSecond = hp.batchSize() * (length() - 1) / (msPerStepAverage / 1000);
            eta.add(running.mean());
            nextStage.add(running.mean());
            int stages = hp.stageCount();
            double seconds;
            TrainingProgress.Eta kind;
            if (length() < hp.trainLength()) {
                // a shorter stage: max_steps would be counted at this length's step cost, and the early stop
                // waits for the last stage, so only the way to the next stage can be estimated
                long toNext = nextStage.stepsToTarget();
                kind = toNext >= 0 ? TrainingProgress.Eta.NEXT_STAGE : TrainingProgress.Eta.NONE;
                seconds = toNext >= 0 ? toNext * msPerStepAverage / 1000 : Double.NaN;
            } else {
                long toMax = hp.maxSteps() - step;
                long toTarget = eta.stepsToTarget();
                if (toTarget >= 0) {
                    toTarget = Math.max(toTarget, hp.minSteps() - step); // and not before min_steps
                }
                boolean early = toTarget >= 0 && toTarget < toMax;
                kind = early ? TrainingProgress.Eta.EARLY_STOP : TrainingProgress.Eta.MAX_STEPS;
                seconds = (early ? toTarget : toMax) * msPerStepAverage / 1000;
            }
            return new TrainingProgress(step, hp.maxSteps(), epoch(step), lastLoss, lastBatchAccuracy, running.mean(),
                    lr, tokensPerSecond, msPerStepAverage, elapsed, seconds, kind, length(),
                    Math.min(stage, stages - 1), stages);
        }

        double elapsed() {
            return elapsedBefore + (System.nanoTime() - startNanos - pausedNanos) / 1e9;
        }

        void checkpoint() throws IOException {
            if (folder == null) {
                return;
            }
            TrainingState state = new TrainingState(step, optimizer.updates(), elapsed(), running.values(), lastLoss,
                    stage);
            NDList params = new NDList(model.parameters().values().toArray(new NDArray[0]));
            folder.writeCheckpoint(state, params, optimizer.state());
            folder.updateTraining(new RunInfo.Training(RunStatus.TRAINING.word(), step, epoch(step), running.mean(), lastLoss,
                    elapsed(), null, Instant.now().toString()));
            listener.onCheckpoint(step);
        }

        TrainingOutcome outcome(TrainingOutcome.Reason reason, String message) {
            double session = (System.nanoTime() - startNanos - pausedNanos) / 1e9;
            double ms = step > firstStep ? session * 1000 / (step - firstStep) : Double.NaN;
            return new TrainingOutcome(reason, step, running.mean(), lastLoss, elapsed(), ms, message);
        }
    }

    private static long[] toLongs(int[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
