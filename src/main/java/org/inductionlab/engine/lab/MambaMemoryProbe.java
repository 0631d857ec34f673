package org.inductionlab.engine.lab;

import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.eval.MambaMemory;
import org.inductionlab.engine.model.MambaModel;

import java.util.Locale;

/** Where a Mamba run keeps M, and for how long ({@link MambaMemory}); a run of another architecture is refused. */
public final class MambaMemoryProbe {
    private MambaMemoryProbe() {}

    /** Measures the loaded run on {@code sequences} sequences of {@code length}, the first S at {@code trigger}. */
    public static MambaMemory measure(LoadedRun run, int length, int trigger, int sequences) {
        if (!(run.model() instanceof MambaModel mamba)) {
            throw new InvalidConfigException("run_folder", run.path() + " is a " + run.hyperparameters().architecture()
                    .toString().toLowerCase(Locale.ROOT) + " run (allowed: a Mamba run; for attention see 'scores')");
        }
        return MambaMemory.measure(mamba, length, trigger, sequences, 1);
    }
}
