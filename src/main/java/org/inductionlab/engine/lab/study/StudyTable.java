package org.inductionlab.engine.lab.study;

import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunFolderException;
import org.inductionlab.engine.run.RunInfo;
import org.inductionlab.engine.run.RunStatus;
import org.inductionlab.engine.run.SweepPoint;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One table of a study's results: a row per finished run × measured length × layout, with the settings the
 * study varies as columns, so a spreadsheet or pandas can group by any of them.
 */
public final class StudyTable {
    private StudyTable() {}

    /**
     * A row: the run, its varied settings, its training outcome (with the step of its phase change, -1 when
     * none, as {@link org.inductionlab.engine.train.PhaseChange} finds it in metrics.csv), and one sweep point.
     */
    public record Row(String run, String variant, Map<String, String> values, long steps, long phaseChange,
                      double runningAccuracy, double wallSeconds, SweepPoint point) {}

    /** Every finished run's sweep points, in the study's run order and the sweep's length order. */
    public static List<Row> rows(Study study) throws IOException {
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < study.runs().size(); i++) {
            RunFolder f;
            try {
                f = RunFolder.open(study.runPath(i));
            } catch (RunFolderException e) {
                continue;
            }
            RunInfo.Training t = f.info().training();
            if (t == null || t.runStatus() != RunStatus.FINISHED) {
                continue;
            }
            Map<String, String> values = new java.util.LinkedHashMap<>();
            var hp = f.hyperparameters();
            for (String k : study.variedKeys()) {
                var field = org.inductionlab.engine.config.HyperparameterSchema.field(k);
                values.put(k, field.format(field.get(hp)));
            }
            long phaseChange = org.inductionlab.engine.train.PhaseChange.firstStep(hp, f.readMetrics());
            for (SweepPoint p : f.readSweep()) {
                out.add(new Row(f.name(), study.runs().get(i).variant(), values, t.steps(), phaseChange,
                        t.runningAccuracy(),
                        t.wallSeconds(), p));
            }
        }
        return out;
    }

    /** The CSV header for {@code study}: run, the varied settings, training, then the sweep point's columns. */
    public static String header(Study study) {
        StringBuilder s = new StringBuilder(study.namedVariants() ? "study,run,variant" : "study,run");
        study.variedKeys().forEach(k -> s.append(',').append(k));
        return s.append(",steps,phase_change,running_accuracy,wall_seconds,").append(SweepPoint.CSV_HEADER).toString();
    }

    /**
     * The whole table as CSV text. Values are the settings' canonical text, quoted (RFC 4180) where it holds a
     * comma, as a per-layer setting such as {@code window:2,none} does.
     */
    public static String csv(Study study) throws IOException {
        StringBuilder s = new StringBuilder(header(study)).append('\n');
        for (Row r : rows(study)) {
            s.append(quoted(study.name())).append(',').append(quoted(r.run()));
            if (study.namedVariants()) {
                s.append(',').append(quoted(r.variant()));
            }
            for (String k : study.variedKeys()) {
                s.append(',').append(quoted(r.values().getOrDefault(k, "")));
            }
            s.append(String.format(Locale.ROOT, ",%d,%d,%.4f,%.1f,", r.steps(), r.phaseChange(), r.runningAccuracy(),
                            r.wallSeconds()))
                    .append(r.point().toCsv()).append('\n');
        }
        return s.toString();
    }

    static String quoted(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
