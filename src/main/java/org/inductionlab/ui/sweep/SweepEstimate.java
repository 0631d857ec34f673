package org.inductionlab.ui.sweep;

import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.config.Problem;
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.lab.RunEntry;
import org.inductionlab.engine.lab.SweepJob;
import org.inductionlab.engine.text.Durations;
import org.inductionlab.ui.Fx;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The Sweep page's words for a plan: why it is refused (the engine's problem in the page's labels and 2^N),
 * and its estimate, from the engine's: the time for every selected run at its own size,
 * the costly end of the range with its error bars, the advice past a CPU's ceiling, the default longest
 * length, and the lengths that will be refused as too big.
 */
final class SweepEstimate {
    private SweepEstimate() {}

    /** The text for {@code runs} swept by {@code plan} (a hint for none); a bad plan throws, naming its setting. */
    static String describe(List<RunEntry> runs, Function<RunEntry, LengthSweep.Plan> plan, Predicate<RunEntry> onGpu) {
        if (runs.isEmpty()) {
            return "Pick one or more runs to sweep.";
        }
        double total = 0;
        List<LengthSweep.Estimate> perLength = List.of();
        StringBuilder refused = new StringBuilder();
        boolean gpu = false;
        int longest = 0;
        for (RunEntry r : runs) { // each run at its own size
            gpu |= onGpu.test(r);
            LengthSweep.Plan p = plan.apply(r);
            longest = Math.max(longest, p.maxExponent());
            List<LengthSweep.Estimate> est = SweepJob.estimate(r.hyperparameters(), p, onGpu.test(r));
            for (LengthSweep.Estimate e : est) {
                total += e.seconds();
                if (!e.fits() && refused.indexOf("2^" + Integer.numberOfTrailingZeros(e.length()) + ":") < 0) {
                    refused.append(e.describe()).append(" — too big, will be refused\n");
                }
            }
            if (perLength.isEmpty()) {
                perLength = est;
            }
        }
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "About %s for %d run%s on this machine's %s"
                + " (a first guess, refined as lengths finish).", Durations.words(total), runs.size(),
                runs.size() == 1 ? "" : "s", gpu ? "GPU" : "CPU"));
        if (!perLength.isEmpty()) { // the lines below are the first ticked run's; the total above is every run's
            text.append(String.format(Locale.ROOT, "%nFor %s%s:", runs.get(0).name(),
                    runs.size() == 1 ? "" : " (the first ticked run)"));
        }
        int shown = 0;
        for (int i = perLength.size() - 1; i >= 0 && shown < 3; i--, shown++) { // the costly end of the range
            LengthSweep.Estimate e = perLength.get(i);
            text.append(String.format(Locale.ROOT, "%n2^%d: ~%s, %d sequences (error bars up to ±%.0f points)",
                    Integer.numberOfTrailingZeros(e.length()), Durations.words(e.seconds()), e.sequences(),
                    SweepJob.errorBarPoints(e.sequences())));
        }
        String advice = SweepJob.ceilingAdvice(gpu, longest);
        if (advice != null) {
            text.append("\n").append(advice);
        }
        RunEntry first = runs.get(0);
        text.append(String.format(Locale.ROOT, "%nDefault longest length for %s here: 2^%d (each length up to it is"
                + " expected to take under %s).", first.name(), SweepJob.defaultMaxExponent(first.hyperparameters(),
                onGpu.test(first)), Durations.words(SweepJob.SECONDS_PER_LENGTH)));
        return (text + "\n" + refused).trim();
    }

    /** The page's names for the engine's sweep settings, and its notation for exponents (2^7, as the spinners show). */
    static final Problem.Words PAGE_WORDS = new Problem.Words() {
        private final Map<String, String> names = Map.of("min_exponent", "Shortest", "max_exponent", "Longest",
                "sequences_per_length", "Sequences", "layout", "Layout");

        @Override
        public String name(String key) {
            return names.getOrDefault(key, key);
        }

        @Override
        public String number(String key, long value) {
            return key.endsWith("_exponent") ? "2^" + value : Long.toString(value);
        }
    };

    /** Why a plan is refused, in the page's words: "Longest: 2^7 is out of range (…)". */
    static String inPageWords(RuntimeException e) {
        return e instanceof InvalidConfigException bad ? bad.describe(PAGE_WORDS) : Fx.message(e);
    }
}
