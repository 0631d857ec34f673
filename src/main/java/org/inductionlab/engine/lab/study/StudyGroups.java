package org.inductionlab.engine.lab.study;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A study's sweeps grouped by one setting ("lr", "positional", "variant"…): at each length and layout the
 * mean accuracy over the group's runs (its seeds, mostly) and their spread, min to max. What the Sweep page
 * draws for "sinusoidal vs rotary vs none" as one picture.
 */
public final class StudyGroups {
    private StudyGroups() {}

    /** One group's point: {@code runs} runs measured there, their mean accuracy, lowest and highest. */
    public record Point(String group, String layout, int length, int runs, double mean, double min, double max) {}

    /**
     * The finished runs that {@code include} accepts (by run name), grouped by {@code key} — a varied
     * setting, or "variant" — in the order the groups first appear.
     */
    public static List<Point> of(Study study, String key, Predicate<String> include) throws IOException {
        if (!study.groupKeys().contains(key)) {
            throw new IllegalArgumentException(key + " is not varied in study " + study.name()
                    + " (allowed: " + String.join(", ", study.groupKeys()) + ")");
        }
        Map<String, List<StudyTable.Row>> cells = new LinkedHashMap<>();
        for (StudyTable.Row r : StudyTable.rows(study)) {
            if (!include.test(r.run())) {
                continue;
            }
            String group = key.equals("variant") ? r.variant() : r.values().get(key);
            cells.computeIfAbsent(group + "\u0000" + r.point().layout() + "\u0000" + r.point().length(),
                    k -> new ArrayList<>()).add(r);
        }
        List<Point> out = new ArrayList<>();
        for (Map.Entry<String, List<StudyTable.Row>> e : cells.entrySet()) {
            String[] k = e.getKey().split("\u0000");
            double sum = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (StudyTable.Row r : e.getValue()) {
                double a = r.point().accuracy();
                sum += a;
                min = Math.min(min, a);
                max = Math.max(max, a);
            }
            out.add(new Point(k[0], k[1], Integer.parseInt(k[2]), e.getValue().size(), sum / e.getValue().size(), min, max));
        }
        return out;
    }
}
