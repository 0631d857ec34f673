package org.inductionlab.ui.attention;

import org.inductionlab.engine.eval.HeadScores;
import org.inductionlab.engine.lab.AttentionQuery;
import org.inductionlab.engine.lab.HeadKind;
import org.inductionlab.engine.lab.LoadedRun;

import java.nio.file.Path;

/**
 * The Attention page's loaded model, kept between requests (reloading it for every sequence would be slow):
 * used and closed on the background worker only, as {@link LoadedRun} asks.
 */
final class RunModelCache {
    private LoadedRun loaded;
    private HeadScores scores; // the loaded run's, once measured
    private HeadKind kind; // the same, with TransformerLens's scores and the verdict

    /** The run in {@code path}, loaded once and kept until another run is asked for or it is forgotten. */
    LoadedRun get(Path path) {
        if (loaded != null && path.equals(loaded.path())) {
            return loaded;
        }
        forget();
        loaded = LoadedRun.open(path, null);
        return loaded;
    }

    /** The standard head scores of {@code run} (the same for any input), measured once while it is kept. */
    HeadScores scores(LoadedRun run) {
        if (run != loaded || scores == null) {
            scores = AttentionQuery.scores(run);
        }
        return scores;
    }

    /** Which induction head {@code run} grew, with TransformerLens's scores ({@link HeadKind}); null for a Mamba. */
    HeadKind kind(LoadedRun run) {
        if (!HeadKind.applies(run.model())) {
            return null;
        }
        if (run != loaded || kind == null) {
            kind = HeadKind.of(run.model(), AttentionQuery.DEFAULT_SEED);
        }
        return kind;
    }

    /** Closes the kept model (a run was renamed or deleted). */
    void forget() {
        scores = null;
        kind = null;
        if (loaded != null) {
            loaded.close();
            loaded = null;
        }
    }
}
