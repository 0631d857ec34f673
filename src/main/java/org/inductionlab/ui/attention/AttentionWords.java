package org.inductionlab.ui.attention;

import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.eval.MambaCarriers;
import org.inductionlab.engine.eval.MambaMemory;
import org.inductionlab.engine.lab.Ablation;
import org.inductionlab.engine.lab.AttentionQuery;
import org.inductionlab.engine.lab.ShortcutProbe;
import org.inductionlab.engine.lab.UnitNames;

import java.util.Locale;

/** The Attention page's sentences about an answer and an ablation. */
final class AttentionWords {
    private AttentionWords() {}

    /**
     * "The model says 7 (p = 0.99); the answer is 7 ✓", or where the input defines no answer, why: "…; no
     * answer to check: there is only one S, …".
     */
    static String answer(AttentionQuery.Answer a) {
        return String.format(Locale.ROOT, "The model says %d (p = %.2f); %s", a.predicted(), a.probability(),
                a.correct() == null ? a.input().noAnswer() + "."
                        : "the answer is " + a.input().answer() + (a.correct() ? " ✓" : " ✗"));
    }

    /** "At step 1,200 the model says 7 (p = 0.99); the answer is 7 ✓", for a recorded map. */
    static String recordedAnswer(long step, AttentionMap m) {
        int[] t = m.taskTarget();
        Integer truth = t == null ? null : m.token(t[1]);
        return String.format(Locale.ROOT, "At step %,d the model says %d (p = %.2f)%s", step, m.predictedToken(),
                m.predictedProbability(), truth == null ? "."
                        : "; the answer is " + truth + (truth == m.predictedToken() ? " ✓" : " ✗"));
    }

    /** Channels listed under the Δ chart. */
    static final int CARRIERS_LISTED = 5;

    /** The one sentence that tells a student how to read the Δ chart. */
    static final String READ_DELTA = "How to read it: where a channel's Δ jumps it writes what its convolution"
            + " window holds into its state, where Δ stays low it keeps it — so a line that jumps just after M and"
            + " stays low until the final S carries M there, and the more zeroing that channel lowers the"
            + " answer's logit, the more the answer rests on it.";

    /**
     * The channels that carry M on this input, most needed first, or why none are listed: "L0 ch 55 (H3):
     * writes at 874 (Δ 4.99, 70,065× the noise's), keeps 14 %; zeroed: logit −4.97, p 0.12".
     */
    static String carriers(MambaCarriers c, Hyperparameters hp) {
        if (!c.hasAnswer()) {
            return "This input defines no answer, so no channel is looked for; the chart shows Δ averaged over"
                    + " each layer's channels.";
        }
        if (c.carriers().isEmpty()) {
            return String.format(Locale.ROOT, "No channel's Δ while M is in its window is %.0f× its Δ on the noise:"
                    + " this model does not write M selectively (the chart shows each layer's mean Δ).",
                    MambaMemory.WRITES_AT);
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%d of %d channels write M (Δ ≥ %.0f× the"
                + " noise's); %s. Per channel: where it writes and its Δ there, how much of that its slowest state"
                + " keeps to the final S, and with the channel zeroed the change in the logit of %d and its p (now"
                + " %.2f).", c.writers(), c.layers() * c.channels(),
                MambaMemory.WRITES_AT, c.rankedByLogit() ? (c.writers() > c.carriers().size() ? "the "
                        + c.carriers().size() + " most selective zeroed one by one" : "each zeroed in turn")
                        + ", most needed first" : "ranked by Δ ratio (a model this wide cannot zero one channel alone)",
                c.answer(), c.answerProbability()));
        for (MambaCarriers.Carrier k : c.carriers().subList(0, Math.min(CARRIERS_LISTED, c.carriers().size()))) {
            sb.append(String.format(Locale.ROOT, "%n%s: writes at %d (Δ %.3g, %,.0f× the noise's), keeps %.0f %%;",
                    UnitNames.channel(hp, k.layer(), k.channel()), k.writeAt(), k.deltaAtWrite(), k.selectivity(),
                    100 * k.keptToEnd()));
            if (!Double.isNaN(k.logitDrop())) {
                sb.append(String.format(Locale.ROOT, " zeroed: logit %s%.2f, p %.2f", k.logitDrop() >= 0 ? "−" : "+",
                        Math.abs(k.logitDrop()), k.probabilityAfter()));
            }
        }
        return sb.toString();
    }

    /** Why the "Training steps" source shows nothing for run {@code name}. */
    static String noRecording(String name) {
        return name + " has no recorded attention: runs trained with scores_every = 0, or before this version of"
                + " the lab, have none. Train one to watch its heads form.";
    }

    /** "With L1 H0 ablated, at length 32 (256 sequences each): S fixed:5 40.2 % (was 99.6 %) …. Verdict: …". */
    static String ablation(String what, Ablation.Result result) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "With %s ablated, at length %d (%d sequences"
                + " each):", what, result.after().trainLength(), ShortcutProbe.DEFAULT_SEQUENCES));
        for (Ablation.Row row : result.atTrainLength()) {
            sb.append(String.format(Locale.ROOT, "  S %s %.1f %% (was %.1f %%)", row.layout(),
                    100 * row.after().accuracy(), 100 * row.before().accuracy()));
        }
        return sb.append(String.format(Locale.ROOT, ". Verdict: %s (was %s).", result.after().verdict(),
                result.before().verdict())).toString();
    }

    /**
     * A head's scores beside what uniform attention scores, and TransformerLens's detect_head scores (its
     * defaults) when measured: "TL induction 0.43 (uniform 0.02)", and the run's verdict on its heads.
     */
    static String scoresTip(org.inductionlab.engine.eval.HeadScores s, org.inductionlab.engine.lab.HeadKind kind,
                            org.inductionlab.engine.config.Hyperparameters hp, int l, int h) {
        org.inductionlab.engine.eval.HeadScores.Uniform u = org.inductionlab.engine.eval.HeadScores.uniform(hp);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "The lab's scores (uniform attention in"
                        + " brackets): prev %.2f (%.3f), ind %.2f (%.3f), dup %.2f (%.3f), tgt %.2f (%.3f).",
                s.previousToken()[l][h], u.previousToken(), s.induction()[l][h], u.induction(),
                s.duplicateToken()[l][h], u.duplicateToken(), s.target()[l][h], u.target()));
        if (kind != null) {
            org.inductionlab.engine.eval.DetectHead tl = kind.tl();
            sb.append(String.format(Locale.ROOT, "%n%s: TL induction %.2f (uniform %.3f), TL previous %.2f"
                            + " (uniform %.3f), TL duplicate %.2f (uniform %.3f).%nThe run's heads: %s.",
                    org.inductionlab.engine.eval.DetectHead.NAME, tl.induction()[l][h], tl.inductionUniform(),
                    tl.previousToken()[l][h], tl.previousTokenUniform(), tl.duplicateToken()[l][h],
                    tl.duplicateTokenUniform(), kind.sentence()));
        }
        return sb.toString();
    }
}
