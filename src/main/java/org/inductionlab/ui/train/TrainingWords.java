package org.inductionlab.ui.train;

import org.inductionlab.engine.text.Durations;
import org.inductionlab.engine.train.TrainingProgress;

import java.util.Locale;

/** The dashboard's words for a step: where the curriculum is, and the ETA with what it counts to. */
final class TrainingWords {
    private TrainingWords() {}

    /** "epoch 0.03 of 25 · stage 2 of 4 (L=64)", or "epoch 0.03 of 25 · L=256" without a curriculum. */
    static String step(TrainingProgress p) {
        return p.epochText() + " · " + (p.stageText().isEmpty() ? "L=" + p.trainLength() : p.stageText());
    }

    /**
     * The ETA as a clock under an hour ("12:05"), in hours past it ("20.8 h": "20:50:46" beside the elapsed clock
     * reads as a time of day), or "–" where nothing can be estimated.
     */
    static String etaValue(TrainingProgress p) {
        if (!p.hasEta()) {
            return "–";
        }
        return p.etaSeconds() >= 3600 ? Durations.words(p.etaSeconds()) : Durations.clock(p.etaSeconds());
    }

    /** "ETA to the early stop at current pace", "ETA to max_steps", "ETA to stage 3 of 4 at current pace", "ETA: none before the last stage". */
    static String etaCaption(TrainingProgress p) {
        return p.hasEta() ? "ETA " + p.etaMeaning() : "ETA: " + p.etaMeaning();
    }

    /** Value and caption in one line: "4:10 to max_steps", "– (ETA: none before the last stage)". */
    static String eta(TrainingProgress p) {
        return p.hasEta() ? String.format(Locale.ROOT, "%s %s", etaValue(p), p.etaMeaning())
                : "– (" + etaCaption(p) + ")";
    }
}
