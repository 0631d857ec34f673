package org.inductionlab.engine.lab;

import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.eval.MambaCarriers;
import org.inductionlab.engine.eval.MambaMemory;
import org.inductionlab.engine.model.MambaModel;

import java.util.Locale;

/**
 * Where a Mamba run keeps M, and for how long ({@link MambaMemory}), and on one input which channels carry it
 * to the answer ({@link MambaCarriers}: what the Attention page shows for a Mamba); a run of another
 * architecture is refused.
 */
public final class MambaMemoryProbe {
    private MambaMemoryProbe() {}

    /** Measures the loaded run on {@code sequences} sequences of {@code length}, the first S at {@code trigger}. */
    public static MambaMemory measure(LoadedRun run, int length, int trigger, int sequences) {
        return MambaMemory.measure(mamba(run), length, trigger, sequences, 1);
    }

    /**
     * Δ along {@code input} for every channel and, where the input defines an answer, the channels that write M
     * and what zeroing each does to the answer (see {@link MambaCarriers}).
     */
    public static MambaCarriers carriers(LoadedRun run, AttentionQuery.Input input) {
        return MambaCarriers.measure(mamba(run), input.tokens(), input.answer());
    }

    /** Whether {@code run} is a Mamba, whose carriers {@link #carriers} reads. */
    public static boolean applies(LoadedRun run) {
        return run.model() instanceof MambaModel;
    }

    private static MambaModel mamba(LoadedRun run) {
        if (!(run.model() instanceof MambaModel mamba)) {
            throw new InvalidConfigException("run_folder", run.path() + " is a " + run.hyperparameters().architecture()
                    .toString().toLowerCase(Locale.ROOT) + " run (allowed: a Mamba run; for attention see 'scores')");
        }
        return mamba;
    }
}
