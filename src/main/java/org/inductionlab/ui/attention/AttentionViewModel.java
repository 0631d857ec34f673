package org.inductionlab.ui.attention;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.eval.HeadScores;
import org.inductionlab.engine.lab.Ablation;
import org.inductionlab.engine.lab.AttentionQuery;
import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.lab.RunRecords;
import org.inductionlab.engine.lab.ShortcutProbe;
import org.inductionlab.ui.Fx;
import org.inductionlab.ui.LabContext;
import org.inductionlab.engine.lab.RunEntry;
import org.inductionlab.ui.event.RunEvents;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Attention page: a run, a sequence (generated, typed, or a line of a token file), and the map of
 * every head's weights computed on the worker thread. The page stays responsive while it computes; a
 * newer request makes an older result be dropped, and Cancel drops the one in flight.
 */
public final class AttentionViewModel {

    /** Where the input comes from; HISTORY is the watched sequence as training recorded it, step by step. */
    public enum Source { GENERATED, TYPED, FILE, HISTORY }

    private final LabContext ctx;
    private final ObjectProperty<RunEntry> run = new SimpleObjectProperty<>();
    private final ObjectProperty<Source> source = new SimpleObjectProperty<>(Source.GENERATED);
    private final IntegerProperty length = new SimpleIntegerProperty(64);
    private final StringProperty layout = new SimpleStringProperty("");
    private final LongProperty seed = new SimpleLongProperty(1);
    private final StringProperty typed = new SimpleStringProperty("");
    private final ObjectProperty<Path> file = new SimpleObjectProperty<>();
    private final IntegerProperty line = new SimpleIntegerProperty(1);
    private final ObjectProperty<AttentionMap> map = new SimpleObjectProperty<>();
    private final ObjectProperty<HeadScores> scores = new SimpleObjectProperty<>();
    private Path scoredRun; // the background thread's: whose scores are current
    private final IntegerProperty layer = new SimpleIntegerProperty(0);
    private final IntegerProperty head = new SimpleIntegerProperty(0);
    private final BooleanProperty busy = new SimpleBooleanProperty(false);
    private final StringProperty message = new SimpleStringProperty("");
    private final BooleanProperty error = new SimpleBooleanProperty(false);
    private final StringProperty ablation = new SimpleStringProperty("");
    private final ReadOnlyObjectWrapper<Ablation.Result> ablationResult = new ReadOnlyObjectWrapper<>();
    private final StringProperty answer = new SimpleStringProperty("");
    private final AtomicLong generation = new AtomicLong();
    private final TrainingHistory history = new TrainingHistory();

    // the background thread's cache: reloading a model for every sequence would be slow
    private LoadedRun loaded;

    public AttentionViewModel(LabContext ctx) {
        this.ctx = ctx;
        run.addListener((o, a, r) -> {
            clear(); // a map is only ever shown under the run that made it
            if (r != null) {
                Hyperparameters hp = r.hyperparameters();
                length.set(Math.min(hp.trainLength(), 128));
                layout.set(hp.layout().toString());
                layer.set(Math.min(layer.get(), hp.layers() - 1));
                head.set(Math.min(head.get(), hp.heads() - 1));
                if (source.get() == Source.HISTORY) {
                    compute(); // reading the recording is quick: no button to press
                }
            }
        });
        source.addListener((o, a, b) -> {
            if (b == Source.HISTORY && run.get() != null) {
                compute();
            }
        });
        history.index().addListener((o, a, b) -> {
            if (source.get() == Source.HISTORY && history.count().get() > 0) {
                showRecorded(false);
            }
        });
        // a map is only ever shown for the input that made it: any change of input clears it
        for (javafx.beans.Observable input : List.of(source, length, layout, seed, typed, file, line)) {
            input.addListener(o -> clear());
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

    /** Drops the map and the verdict (the run changed, or the one computing was cancelled). */
    private void clear() {
        generation.incrementAndGet();
        map.set(null);
        scores.set(null);
        history.clear();
        ablation.set("");
        ablationResult.set(null);
        answer.set("");
        busy.set(false);
        message.set("");
        error.set(false);
    }

    /**
     * Each head's previous-token, induction, duplicate-token and target scores with the standard
     * definitions ({@link HeadScores}), for the run of the current map; null while there is none.
     */
    public ObjectProperty<HeadScores> scores() {
        return scores;
    }

    /** Whether {@link #message()} is an error (shown red, whole). */
    public BooleanProperty error() {
        return error;
    }

    public ObjectProperty<RunEntry> run() {
        return run;
    }

    public ObjectProperty<Source> source() {
        return source;
    }

    public IntegerProperty length() {
        return length;
    }

    public StringProperty layout() {
        return layout;
    }

    public LongProperty seed() {
        return seed;
    }

    public StringProperty typed() {
        return typed;
    }

    public ObjectProperty<Path> file() {
        return file;
    }

    public IntegerProperty line() {
        return line;
    }

    public ObjectProperty<AttentionMap> map() {
        return map;
    }

    public IntegerProperty layer() {
        return layer;
    }

    public IntegerProperty head() {
        return head;
    }

    public BooleanProperty busy() {
        return busy;
    }

    /** An error or a hint, in words. */
    public StringProperty message() {
        return message;
    }

    /** "The model says 7 (p = 0.99); the answer is 7." */
    public StringProperty answer() {
        return answer;
    }

    /** The engine's description of the sequence the fields choose (not for HISTORY). */
    AttentionQuery.Source query() {
        return switch (source.get()) {
            case TYPED -> new AttentionQuery.Typed(typed.get());
            case FILE -> new AttentionQuery.FileLine(file.get(), line.get());
            default -> new AttentionQuery.Generated(length.get(), layout.get(), seed.get());
        };
    }

    /** The recorded steps of the "Training steps" source. */
    public TrainingHistory history() {
        return history;
    }

    /** Computes the map for the current choices on the worker thread. */
    public void compute() {
        RunEntry r = run.get();
        if (r == null) {
            message.set("Choose a run.");
            return;
        }
        if (source.get() == Source.HISTORY) {
            loadHistory(r);
            return;
        }
        long gen = generation.incrementAndGet();
        busy.set(true);
        message.set("Computing…");
        AttentionQuery.Source query = query();
        ctx.executor().background(() -> {
            try {
                LoadedRun loadedRun = model(r.path());
                AttentionQuery.Answer a = AttentionQuery.ask(loadedRun, query);
                // the run's standard head scores (the same for any input): measured once per run
                HeadScores s = r.path().equals(scoredRun) && scores.get() != null ? scores.get()
                        : AttentionQuery.scores(loadedRun);
                scoredRun = r.path();
                ctx.executor().ui(() -> {
                    if (generation.get() != gen) {
                        return; // a newer request or a cancel
                    }
                    AttentionMap m = a.map();
                    scores.set(s);
                    map.set(m);
                    busy.set(false);
                    error.set(false);
                    message.set(r.name() + " · " + a.input().description());
                    int[] best = m.topTargetHead();
                    layer.set(best[0]);
                    head.set(best[1]);
                    answer.set(String.format(Locale.ROOT, "The model says %d (p = %.2f)%s", a.predicted(),
                            a.probability(), a.correct() == null ? "."
                                    : "; the answer is " + a.input().answer() + (a.correct() ? " ✓" : " ✗")));
                });
            } catch (Throwable e) {
                failed(gen, r, e);
            }
        });
    }

    /** Shows why the request {@code gen} for run {@code r} failed, red, unless a newer one replaced it. */
    private void failed(long gen, RunEntry r, Throwable e) {
        ctx.executor().ui(() -> {
            if (generation.get() == gen) {
                busy.set(false);
                error.set(true);
                message.set(r.name() + ": " + Fx.message(e));
            }
        });
    }

    /** Reads the run's recording on the worker thread and shows its last step. */
    private void loadHistory(RunEntry r) {
        long gen = generation.incrementAndGet();
        busy.set(true);
        message.set("Reading the recording…");
        ctx.executor().background(() -> {
            try {
                RunRecords.Attention rec = RunRecords.attention(r.path());
                ctx.executor().ui(() -> {
                    if (generation.get() != gen) {
                        return;
                    }
                    busy.set(false);
                    history.set(rec);
                    if (rec.isEmpty()) {
                        error.set(true);
                        message.set(r.name() + " has no recorded attention: runs trained with scores_every = 0, or"
                                + " before this version of the lab, have none. Train one to watch its heads form.");
                        return;
                    }
                    showRecorded(true);
                });
            } catch (Throwable e) {
                failed(gen, r, e);
            }
        });
    }

    /** Shows the recorded step the history points at; the head the user chose stays chosen while scrubbing. */
    private void showRecorded(boolean selectBest) {
        AttentionMap m = history.map();
        scores.set(history.scores());
        map.set(m);
        error.set(false);
        RunEntry r = run.get();
        message.set((r == null ? "" : r.name() + " · ") + "the watched sequence (length " + (m.length() + 1)
                + ", S anywhere, seed 1) at " + history.describe());
        if (selectBest) {
            int[] best = m.topTargetHead();
            layer.set(best[0]);
            head.set(best[1]);
        }
        int[] t = m.taskTarget();
        Integer truth = t == null ? null : m.token(t[1]);
        answer.set(String.format(Locale.ROOT, "At step %,d the model says %d (p = %.2f)%s", history.step(),
                m.predictedToken(), m.predictedProbability(), truth == null ? "."
                        : "; the answer is " + truth + (truth == m.predictedToken() ? " ✓" : " ✗")));
    }

    /** What ablating the selected head (or its whole layer) did to the accuracy; "" before any. */
    public StringProperty ablation() {
        return ablation;
    }

    /** The numbers behind {@link #ablation()}: the engine's ablation, before and after; null before any. */
    public ReadOnlyObjectProperty<Ablation.Result> ablationResult() {
        return ablationResult.getReadOnlyProperty();
    }

    /**
     * Zeroes the selected head's output (or every head of its layer) before W_O and re-scores the run with
     * the engine's {@link Ablation} (what {@code probe --ablate} runs, with its default sequences and seed),
     * against the unablated model: does the answer depend on this head? Shows the training length's rows.
     */
    public void ablate(boolean wholeLayer) {
        RunEntry r = run.get();
        if (r == null || source.get() == Source.HISTORY) {
            return; // a recorded step's model is not kept: only the final one can be ablated
        }
        Hyperparameters hp = r.hyperparameters();
        int l = Math.min(layer.get(), hp.layers() - 1);
        int h = Math.min(head.get(), hp.heads() - 1);
        boolean[][] heads = Ablation.heads(hp, l, h, wholeLayer);
        String what = wholeLayer ? "all of layer " + l : "L" + l + " H" + h;
        ablation.set("Ablating " + what + "…");
        ablationResult.set(null);
        ctx.executor().background(() -> {
            try {
                Ablation.Result result = Ablation.measure(model(r.path()), heads,
                        ShortcutProbe.DEFAULT_SEQUENCES, ShortcutProbe.DEFAULT_SEED);
                StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                        "With %s ablated, at length %d (%d sequences each):", what, result.after().trainLength(),
                        ShortcutProbe.DEFAULT_SEQUENCES));
                for (Ablation.Row row : result.atTrainLength()) {
                    sb.append(String.format(Locale.ROOT, "  S %s %.1f %% (was %.1f %%)", row.layout(),
                            100 * row.after().accuracy(), 100 * row.before().accuracy()));
                }
                sb.append(String.format(Locale.ROOT, ". Verdict: %s (was %s).", result.after().verdict(),
                        result.before().verdict()));
                String text = sb.toString();
                ctx.executor().ui(() -> {
                    if (r.equals(run.get())) {
                        ablationResult.set(result);
                        ablation.set(text);
                    }
                });
            } catch (Throwable e) {
                ctx.executor().ui(() -> ablation.set("Ablation failed: " + Fx.message(e)));
            }
        });
    }

    /** Drops the computation in flight (its result is ignored when it arrives). */
    public void cancel() {
        generation.incrementAndGet();
        busy.set(false);
        message.set("Cancelled.");
    }

    private LoadedRun model(Path path) {
        if (loaded != null && path.equals(loaded.path())) {
            return loaded;
        }
        closeLoaded();
        loaded = LoadedRun.open(path, null);
        return loaded;
    }

    private void closeLoaded() {
        if (loaded != null) {
            loaded.close();
            loaded = null;
        }
    }

    /** Forget the cached model (a run was deleted or renamed). */
    public void forgetModel() {
        ctx.executor().background(this::closeLoaded);
    }
}
