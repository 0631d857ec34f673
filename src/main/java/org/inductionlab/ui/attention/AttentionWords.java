package org.inductionlab.ui.attention;

import org.inductionlab.engine.eval.AttentionMap;
import org.inductionlab.engine.lab.Ablation;
import org.inductionlab.engine.lab.AttentionQuery;
import org.inductionlab.engine.lab.ShortcutProbe;

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
}
