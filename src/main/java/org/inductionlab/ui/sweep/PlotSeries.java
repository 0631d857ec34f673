package org.inductionlab.ui.sweep;

import org.inductionlab.engine.lab.RunEntry;
import org.inductionlab.engine.lab.RunRecords;
import org.inductionlab.engine.lab.study.Study;
import org.inductionlab.engine.lab.study.StudyGroups;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.engine.task.TriggerLayout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the Sweep page plots, read from the runs' sweep.csv files: a line per run and layout ("run · layout",
 * † for a run trained with S at a fixed place), or for a study grouped by a setting a line per value with
 * the mean over its runs and bars from the lowest run to the highest. Reads the disk: call it off the FX thread.
 */
final class PlotSeries {
    private PlotSeries() {}

    /** What the plot shows: the runs, the study they may belong to, and the setting its runs are grouped by (or null). */
    record Selection(List<RunEntry> runs, Study study, String groupBy) {
        Map<String, List<SweepPoint>> read() {
            return of(runs, study, groupBy);
        }
    }

    /** Whether {@code study} is open and at least one of its runs is in {@code runs} (its note and "Group by" apply). */
    static javafx.beans.binding.BooleanBinding studyPlotted(javafx.collections.ObservableList<RunEntry> runs,
                                                            javafx.beans.value.ObservableValue<Study> study) {
        return javafx.beans.binding.Bindings.createBooleanBinding(() -> study.getValue() != null
                && runs.stream().anyMatch(r -> study.getValue().holds(r.path())), runs, study);
    }

    /** The plot's series for {@code runs}; {@code study}'s runs grouped by {@code groupBy} unless it is null. */
    static Map<String, List<SweepPoint>> of(List<RunEntry> runs, Study study, String groupBy) {
        Map<String, List<SweepPoint>> out = new LinkedHashMap<>();
        boolean grouped = study != null && groupBy != null;
        if (grouped) {
            Set<String> names = new HashSet<>();
            runs.stream().filter(r -> study.holds(r.path())).forEach(r -> names.add(r.path().getFileName().toString()));
            try {
                for (StudyGroups.Point g : StudyGroups.of(study, groupBy, names::contains)) {
                    out.computeIfAbsent(String.format(Locale.ROOT, "%s=%s · %s (%d runs)", groupBy, g.group(),
                            g.layout(), g.runs()), k -> new ArrayList<>()).add(new SweepPoint(g.length(), g.layout(),
                            g.runs(), 0, g.mean(), g.min(), g.max(), 0));
                }
            } catch (IOException | RuntimeException e) {
                // an unreadable study shows no groups
            }
        }
        for (RunEntry r : runs) {
            if (grouped && study.holds(r.path())) {
                continue;
            }
            try {
                for (SweepPoint p : RunRecords.sweep(r.path())) {
                    // † marks a run trained with S at a fixed place: position alone can solve its task
                    String mark = r.hyperparameters().layout() instanceof TriggerLayout.Fixed ? " †" : "";
                    out.computeIfAbsent(r.name() + mark + " · " + p.layout(), k -> new ArrayList<>()).add(p);
                }
            } catch (Exception e) {
                // a run without a readable sweep simply has no points
            }
        }
        return out;
    }
}
