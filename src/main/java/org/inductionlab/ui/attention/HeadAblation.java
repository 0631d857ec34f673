package org.inductionlab.ui.attention;

import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.lab.Ablation;
import org.inductionlab.engine.lab.RunEntry;
import org.inductionlab.engine.lab.ShortcutProbe;
import org.inductionlab.ui.BackgroundTask;
import org.inductionlab.ui.Fx;
import org.inductionlab.ui.TaskExecutor;

/**
 * The Attention page's "Ablate this head / its layer": the engine's {@link Ablation} (what {@code probe
 * --ablate} runs, with its default sequences and seed) on the shown run, in the background; the sentence
 * and the numbers behind it, dropped with the map they belong to.
 */
final class HeadAblation {
    private final RunModelCache models;
    private final BackgroundTask task;
    private final StringProperty text = new SimpleStringProperty("");
    private final ReadOnlyObjectWrapper<Ablation.Result> result = new ReadOnlyObjectWrapper<>();

    HeadAblation(TaskExecutor executor, RunModelCache models) {
        this.models = models;
        this.task = BackgroundTask.quick(executor);
    }

    StringProperty text() {
        return text;
    }

    ReadOnlyObjectProperty<Ablation.Result> result() {
        return result.getReadOnlyProperty();
    }

    /** Zeroes head {@code head} of {@code layer} (or the whole layer) of run {@code r} and re-probes it. */
    void measure(RunEntry r, int layer, int head, boolean wholeLayer) {
        Hyperparameters hp = r.hyperparameters();
        int l = Math.min(layer, hp.layers() - 1);
        int h = Math.min(head, hp.heads() - 1);
        boolean[][] heads = Ablation.heads(hp, l, h, wholeLayer);
        String what = wholeLayer ? "all of layer " + l : org.inductionlab.engine.lab.UnitNames.head(hp, l, h);
        text.set("Ablating " + what + "…");
        result.set(null);
        task.start(request -> Ablation.measure(models.get(r.path()), heads, ShortcutProbe.DEFAULT_SEQUENCES,
                ShortcutProbe.DEFAULT_SEED), done -> {
                    result.set(done);
                    text.set(AttentionWords.ablation(what, done));
                }, e -> text.set("Ablation failed: " + Fx.message(e)));
    }

    /** Drops the shown ablation and the one in flight. */
    void clear() {
        task.cancel();
        text.set("");
        result.set(null);
    }
}
