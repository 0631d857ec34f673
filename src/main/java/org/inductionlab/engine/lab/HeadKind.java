package org.inductionlab.engine.lab;

import org.inductionlab.engine.eval.DetectHead;
import org.inductionlab.engine.eval.HeadScores;
import org.inductionlab.engine.model.SequenceModel;

import java.util.Locale;

/**
 * Which induction head, if any, a Transformer grew: a generic one, which on any repeated random tokens
 * attends to the token after the present token's earlier occurrence (Olsson et al. 2022), or a
 * trigger-specific one, which copies the token after S and nothing else. One rule, shown by the {@code probe}
 * command and the Runs page alike, on the lab's probe input (a random block repeated twice, seed 1):
 * <ul>
 *   <li>{@value #GENERIC} — some head's TransformerLens induction score ({@link DetectHead}, its defaults) is
 *       at least {@value #GENERIC_RATIO}x what uniform attention scores on the same tokens;</li>
 *   <li>{@value #TRIGGER_SPECIFIC} — no such head, but one puts at least {@value #TARGET_RATIO}x its uniform
 *       share (and {@value #TARGET_MIN} or more) of the final S's attention on the token after the first S;</li>
 *   <li>{@value #NONE} — neither.</li>
 * </ul>
 */
public record HeadKind(String verdict, String why, DetectHead tl, HeadScores lab, HeadScores.Uniform uniform) {

    public static final String GENERIC = "generic induction head";
    public static final String TRIGGER_SPECIFIC = "trigger-specific";
    public static final String NONE = "no induction head";
    public static final double GENERIC_RATIO = 5;
    public static final double TARGET_RATIO = 5;
    public static final double TARGET_MIN = 0.2;

    /** Whether {@code model} has heads to judge (a Transformer; Mamba's hidden attention is not attention). */
    public static boolean applies(SequenceModel model) {
        return model.hyperparameters().architecture().attentionHeads() && model.recordsAttention();
    }

    /** Measures and judges {@code model}'s heads on the probe input drawn with {@code seed}. */
    public static HeadKind of(SequenceModel model, long seed) {
        return judge(DetectHead.measure(model, seed), HeadScores.measure(model, seed),
                HeadScores.uniform(model.hyperparameters()));
    }

    static HeadKind judge(DetectHead tl, HeadScores lab, HeadScores.Uniform u) {
        int[] ind = tl.topInductionHead();
        double score = tl.induction()[ind[0]][ind[1]];
        double ratio = tl.inductionRatio(ind[0], ind[1]);
        int[] tgt = lab.topTargetHead();
        double target = lab.target()[tgt[0]][tgt[1]];
        String verdict;
        String why;
        if (ratio >= GENERIC_RATIO) {
            verdict = GENERIC;
            why = String.format(Locale.ROOT, "layer %d head %d: TL induction score %.3f, %.1f× uniform %.3f (%s, on"
                            + " %d random tokens repeated twice); it attends to the token after the present token's"
                            + " earlier occurrence, whatever the token", ind[0], ind[1], score, ratio, tl.inductionUniform(),
                    DetectHead.NAME, lab.block());
        } else if (target >= TARGET_MIN && target >= TARGET_RATIO * u.target()) {
            verdict = TRIGGER_SPECIFIC;
            why = String.format(Locale.ROOT, "copies after S only: layer %d head %d puts %.2f of the final S's attention"
                            + " on the token after the first S (uniform %.3f), but on repeated random tokens the best TL"
                            + " induction score is %.3f (layer %d head %d) against %.3f for uniform attention (%.1f×)",
                    tgt[0], tgt[1], target, u.target(), score, ind[0], ind[1], tl.inductionUniform(), ratio);
        } else {
            verdict = NONE;
            why = String.format(Locale.ROOT, "best TL induction score %.3f (layer %d head %d, %.1f× uniform %.3f); best"
                            + " target score %.3f (uniform %.3f)", score, ind[0], ind[1], ratio, tl.inductionUniform(),
                    target, u.target());
        }
        return new HeadKind(verdict, why, tl, lab, u);
    }

    /** "generic induction head (layer 1 head 2: ...)": the verdict with its reason, one line. */
    public String sentence() {
        return verdict + " (" + why + ")";
    }
}
