package org.inductionlab.ui.sweep;

import javafx.beans.property.IntegerProperty;
import javafx.beans.property.StringProperty;
import org.inductionlab.engine.lab.SweepJob;
import org.inductionlab.ui.LabSettings;

/** The Sweep page's choices kept between sessions (shortest and longest length, layout, sequences). */
final class SweepSettings {
    private SweepSettings() {}

    /** Sets the choices from {@code s}; returns whether the longest length was chosen (not left to the default). */
    static boolean load(LabSettings s, IntegerProperty minExp, IntegerProperty maxExp, StringProperty layout,
                        IntegerProperty sequences) {
        minExp.set((int) s.getDouble("sweep_min_exp", SweepJob.DEFAULT_MIN_EXPONENT));
        maxExp.set((int) s.getDouble("sweep_max_exp", SweepJob.FIXED_DEFAULT_MAX_EXPONENT));
        layout.set(s.get("sweep_layout", SweepViewModel.OWN_LAYOUT));
        sequences.set((int) s.getDouble("sweep_sequences", 0));
        return s.getDouble("sweep_max_exp", -1) > 0;
    }

    /** Writes the choices to {@code s} and saves it. */
    static void save(LabSettings s, IntegerProperty minExp, IntegerProperty maxExp, StringProperty layout,
                     IntegerProperty sequences) {
        s.put("sweep_min_exp", minExp.get());
        s.put("sweep_max_exp", maxExp.get());
        s.put("sweep_layout", layout.get());
        s.put("sweep_sequences", sequences.get());
        s.save();
    }
}
