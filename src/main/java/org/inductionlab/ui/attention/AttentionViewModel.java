package org.inductionlab.ui.attention;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.eval.HeadScores;
import org.inductionlab.engine.eval.MambaCarriers;
import org.inductionlab.engine.lab.HeadKind;
import org.inductionlab.engine.lab.Ablation;
import org.inductionlab.engine.lab.AttentionQuery;
import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.lab.MambaMemoryProbe;
import org.inductionlab.engine.lab.RunEntry;
import org.inductionlab.engine.lab.RunRecords;
import org.inductionlab.ui.BackgroundTask;
import org.inductionlab.ui.Fx;
import org.inductionlab.ui.LabContext;
import org.inductionlab.ui.event.RunEvents;

/**
 * The Attention page: a run, a sequence (generated, typed, or a line of a token file: the engine's
 * {@link AttentionQuery}), and the map of every head's weights computed in the background. The page stays
 * responsive while it computes; a newer request, a change of input, or Cancel makes an older result be
 * dropped, never shown.
 */
public final class AttentionViewModel {

    /** Where the input comes from; HISTORY is the watched sequence as training recorded it, step by step. */
    public enum Source { GENERATED, TYPED, FILE, HISTORY }

    private final LabContext ctx;
    private final ObjectProperty<RunEntry> run = new SimpleObjectProperty<>();
    private final AttentionInput input = new AttentionInput();
    private final ObjectProperty<AttentionMap> map = new SimpleObjectProperty<>();
    private final ObjectProperty<HeadScores> scores = new SimpleObjectProperty<>();
    private final ObjectProperty<HeadKind> headKind = new SimpleObjectProperty<>();
    private final IntegerProperty layer = new SimpleIntegerProperty(0);
    private final IntegerProperty head = new SimpleIntegerProperty(0);
    private final StringProperty message = new SimpleStringProperty("");
    private final BooleanProperty error = new SimpleBooleanProperty(false);
    private final StringProperty answer = new SimpleStringProperty("");
    private final BooleanProperty layoutApplies = new SimpleBooleanProperty(true);
    private final ObjectProperty<MambaCarriers> carriers = new SimpleObjectProperty<>();
    private final TrainingHistory history = new TrainingHistory();
    private final RunModelCache models = new RunModelCache(); // the background worker's
    private final BackgroundTask maps;
    private final HeadAblation ablation;

    public AttentionViewModel(LabContext ctx) {
        this.ctx = ctx;
        this.maps = BackgroundTask.quick(ctx.executor());
        this.ablation = new HeadAblation(ctx.executor(), models);
        run.addListener((o, a, r) -> {
            clear(); // a map is only ever shown under the run that made it
            if (r != null) {
                Hyperparameters hp = r.hyperparameters();
                input.length().set(Math.min(hp.trainLength(), 128));
                layoutApplies.set(AttentionQuery.layoutApplies(hp));
                input.layout().set(layoutApplies.get() ? hp.layout().toString() : ""); // repeated tokens: no S
                layer.set(Math.min(layer.get(), hp.layers() - 1));
                head.set(Math.min(head.get(), hp.heads() - 1));
                if (input.source().get() == Source.HISTORY) {
                    compute(); // reading the recording is quick: no button to press
                }
            }
        });
        input.source().addListener((o, a, b) -> {
            if (b == Source.HISTORY && run.get() != null) {
                compute();
            }
        });
        history.index().addListener((o, a, b) -> {
            if (input.source().get() == Source.HISTORY && history.count().get() > 0) {
                showRecorded(false);
            }
        });
        // a map is only ever shown for the input that made it: any change of input clears it
        for (javafx.beans.Observable field : input.fields()) {
            field.addListener(o -> clear());
        }
        ctx.events().subscribe(RunEvents.ShowInAttention.class, e -> {
            run.set(e.run());
            compute();
        });
        ctx.events().subscribe(RunEvents.Moved.class, e -> {
            forgetModel();
            RunEntry r = run.get();
            if (r != null && r.path().equals(e.path())) {
                run.set(null);
            }
        });
    }

    /** Drops the map, the verdict and what is computing for them (the run or the input changed). */
    private void clear() {
        maps.cancel();
        ablation.clear();
        map.set(null);
        headKind.set(null);
        scores.set(null);
        carriers.set(null);
        history.clear();
        answer.set("");
        message.set("");
        error.set(false);
    }

    public ObjectProperty<RunEntry> run() {
        return run;
    }

    /** The sequence asked about: its source and each source's fields. */
    public AttentionInput input() {
        return input;
    }

    /** Whether a generated sequence's layout means anything for the run: not for the repeat task (no S). */
    public ReadOnlyBooleanProperty layoutApplies() {
        return layoutApplies;
    }

    public ObjectProperty<AttentionMap> map() {
        return map;
    }

    /** Each head's standard scores ({@link HeadScores}) for the run of the current map; null while there is none. */
    public ObjectProperty<HeadScores> scores() {
        return scores;
    }

    /** TransformerLens's detect_head scores and which induction head the run grew; null for a recording or a Mamba. */
    public ObjectProperty<HeadKind> headKind() {
        return headKind;
    }

    public IntegerProperty layer() {
        return layer;
    }

    public IntegerProperty head() {
        return head;
    }

    /** Whether a map (or a recording) is being computed for the current input. */
    public ReadOnlyBooleanProperty busy() {
        return maps.busy();
    }

    /** An error or a hint, in words. */
    public StringProperty message() {
        return message;
    }

    /** Whether {@link #message()} is an error (shown red, whole). */
    public BooleanProperty error() {
        return error;
    }

    /** "The model says 7 (p = 0.99); the answer is 7." */
    public StringProperty answer() {
        return answer;
    }

    /**
     * For a Mamba run, what carries the answer on this input: Δ along the sequence and the channels that write
     * M, each zeroed to measure what it costs the answer ({@link MambaCarriers}); null for a Transformer, a
     * recorded step, or while there is no map.
     */
    public ObjectProperty<MambaCarriers> carriers() {
        return carriers;
    }

    /** {@link #carriers()} in words: the channels that carry M and what zeroing each costs, or why none; "" without. */
    public String carriersText() {
        MambaCarriers c = carriers.get();
        return c == null || run.get() == null ? "" : AttentionWords.carriers(c, run.get().hyperparameters());
    }

    /** The recorded steps of the "Training steps" source. */
    public TrainingHistory history() {
        return history;
    }

    /** What ablating the selected head (or its whole layer) did to the accuracy; "" before any. */
    public StringProperty ablation() {
        return ablation.text();
    }

    /** The numbers behind {@link #ablation()}: the engine's ablation, before and after; null before any. */
    public ReadOnlyObjectProperty<Ablation.Result> ablationResult() {
        return ablation.result();
    }

    /** Computes the map for the current choices in the background (or reads the recording, for HISTORY). */
    public void compute() {
        RunEntry r = run.get();
        if (r == null) {
            message.set("Choose a run.");
            return;
        }
        if (input.source().get() == Source.HISTORY) {
            message.set("Reading the recording…");
            maps.start(request -> RunRecords.attention(r.path()), rec -> showRecording(r, rec), e -> failed(r, e));
            return;
        }
        message.set("Computing…");
        AttentionQuery.Source query = input.query();
        record Shown(AttentionQuery.Answer answer, HeadScores scores, MambaCarriers carriers, HeadKind kind) {}
        maps.start(request -> {
            LoadedRun loaded = models.get(r.path());
            AttentionQuery.Answer a = AttentionQuery.ask(loaded, query);
            // the run's standard head scores (the same for any input): measured once per loaded run; for a
            // Mamba, which channels carry M on this input
            return new Shown(a, models.scores(loaded),
                    MambaMemoryProbe.applies(loaded) ? MambaMemoryProbe.carriers(loaded, a.input()) : null,
                    models.kind(loaded));
        }, shown -> {
            AttentionMap m = shown.answer().map();
            headKind.set(shown.kind());
            scores.set(shown.scores());
            carriers.set(shown.carriers());
            map.set(m);
            error.set(false);
            message.set(r.name() + " · " + shown.answer().input().description());
            selectBestHead(m);
            answer.set(AttentionWords.answer(shown.answer()));
        }, e -> failed(r, e));
    }

    private void failed(RunEntry r, Throwable e) {
        error.set(true);
        message.set(r.name() + ": " + Fx.message(e));
    }

    /**
     * Opens on the head that matters: a Transformer's with the most weight on the task's target, a Mamba's
     * group holding the channel whose zeroing costs the answer most (its hidden attention puts next to no
     * weight on the target: M reaches the final S through the state).
     */
    private void selectBestHead(AttentionMap m) {
        int[] focus = carriers.get() == null ? null : carriers.get().focus();
        int[] best = focus != null ? focus : m.topTargetHead();
        layer.set(best[0]);
        head.set(best[1]);
    }

    private void showRecording(RunEntry r, RunRecords.Attention rec) {
        history.set(rec);
        if (rec.isEmpty()) {
            error.set(true);
            message.set(AttentionWords.noRecording(r.name()));
        } else {
            showRecorded(true);
        }
    }

    /** Shows the recorded step the history points at; the head the user chose stays chosen while scrubbing. */
    private void showRecorded(boolean selectBest) {
        AttentionMap m = history.map();
        headKind.set(null);
        scores.set(history.scores());
        map.set(m);
        error.set(false);
        message.set((run.get() == null ? "" : run.get().name() + " · ") + history.caption());
        if (selectBest) {
            selectBestHead(m);
        }
        answer.set(AttentionWords.recordedAnswer(history.step(), m));
    }

    /**
     * Zeroes the selected head's output (or every head of its layer) before W_O and re-scores the run with
     * the engine's {@link Ablation} (what {@code probe --ablate} runs, with its default sequences and seed),
     * against the unablated model: does the answer depend on this head? Shows the training length's rows.
     */
    public void ablate(boolean wholeLayer) {
        RunEntry r = run.get();
        if (r != null && input.source().get() != Source.HISTORY) { // a recorded step's model is not kept
            ablation.measure(r, layer.get(), head.get(), wholeLayer);
        }
    }

    /** Drops the computation in flight (its result is ignored when it arrives). */
    public void cancel() {
        maps.cancel();
        message.set("Cancelled.");
    }

    /** Forget the loaded model (a run was deleted or renamed). */
    public void forgetModel() {
        ctx.executor().background(models::forget);
    }
}
