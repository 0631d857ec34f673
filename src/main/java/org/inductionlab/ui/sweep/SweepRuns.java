package org.inductionlab.ui.sweep;

import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.lab.LoadedRun;
import org.inductionlab.engine.lab.RunEntry;
import org.inductionlab.engine.lab.SweepJob;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.engine.text.Durations;
import org.inductionlab.ui.BackgroundTask;
import org.inductionlab.ui.Fx;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The Sweep page's sweep: the chosen runs one after another with the engine's {@link SweepJob} (each point
 * saved to the run's sweep.csv as it is measured), on the long-job thread, telling the page what it does
 * ({@code say}), how far it is, and when a point is saved ({@code saved}, to redraw the plot).
 */
final class SweepRuns {
    private SweepRuns() {}

    /** Sweeps {@code runs[i]} by {@code plans[i]}; returns the page's closing sentence, however it ended. */
    static String sweep(List<RunEntry> runs, List<LengthSweep.Plan> plans, BackgroundTask.Request request,
                        Consumer<String> say, Runnable saved, BooleanSupplier cancelled) {
        try {
            List<String> checks = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                String check = sweepOne(runs.get(i), plans.get(i), i, runs.size(), request, say, saved, cancelled);
                if (check != null) {
                    checks.add(runs.get(i).name() + ": " + check);
                }
            }
            return "Sweep finished." + (checks.isEmpty() ? "" : " " + String.join(" ", checks));
        } catch (CancellationException e) {
            return "Sweep cancelled; the lengths already measured are kept.";
        } catch (Throwable e) {
            return "Sweep failed: " + Fx.message(e);
        }
    }

    /** Sweeps one run; returns what the half precision check found (on a GPU), or null where none ran. */
    private static String sweepOne(RunEntry run, LengthSweep.Plan plan, int index, int count,
                                   BackgroundTask.Request request, Consumer<String> say, Runnable saved,
                                   BooleanSupplier cancelled) {
        String[] check = {null};
        try (LoadedRun loaded = LoadedRun.open(run.path(), null)) {
            int lengths = plan.maxExponent() - plan.minExponent() + 1;
            SweepJob.run(loaded, plan, null, new LengthSweep.Listener() {
                int lengthIndex;

                @Override
                public void onPrecision(LengthSweep.PrecisionCheck c) {
                    check[0] = c.describe();
                    say.accept(run.name() + ": " + c.describe());
                }

                @Override
                public void onLengthStart(int length, int i, int total, LengthSweep.Estimate est) {
                    lengthIndex = i;
                    say.accept(String.format(Locale.ROOT, "%s: length 2^%d (%d of %d), %d sequences, ~%s", run.name(),
                            Integer.numberOfTrailingZeros(length), i + 1, total, est.sequences(),
                            Durations.words(est.seconds())));
                }

                @Override
                public void onSequences(int length, int doneSeqs, int total) {
                    request.progress((index + (lengthIndex + (double) doneSeqs / total) / lengths) / count);
                }

                @Override
                public void onPoint(SweepPoint p) {
                    saved.run();
                }

                @Override
                public void onRefused(int length, String reason) {
                    say.accept("2^" + Integer.numberOfTrailingZeros(length) + " refused: " + reason);
                }
            }, cancelled);
        }
        return check[0];
    }
}
