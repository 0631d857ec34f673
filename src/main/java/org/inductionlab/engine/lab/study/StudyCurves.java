package org.inductionlab.engine.lab.study;

import org.inductionlab.engine.config.HyperparameterSchema;
import org.inductionlab.engine.lab.RunRecords;
import org.inductionlab.engine.run.HeadScoreRow;
import org.inductionlab.engine.run.MetricsRow;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunFolderException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A study's training curves with its seeds as bands: the runs that differ only in their seed form a group, and
 * at each logged step the group's loss, running accuracy and last-layer target score are given as the mean over
 * the runs that reached that step, with the lowest and the highest — where a phase change lives, which a
 * table of final accuracies cannot show. Each run's phase change (the step its running accuracy first passes
 * halfway from chance) comes with it. What the Train page draws for an opened study and {@code study table
 * --curves} prints.
 */
public final class StudyCurves {
    private StudyCurves() {}

    /** What is drawn: the training loss, the running accuracy, the last layer's best head on the task target. */
    public enum Series {
        LOSS("loss"), RUNNING_ACCURACY("running_accuracy"), HEAD_TARGET("head_target");

        private final String column;

        Series(String column) {
            this.column = column;
        }

        public String column() {
            return column;
        }
    }

    /** The group at one step: {@code runs} runs logged it, their mean, lowest and highest value. */
    public record Band(long step, int runs, double mean, double min, double max) {}

    /** A run of a group: its name, its seed and the step of its phase change (-1: not reached). */
    public record Member(String run, long seed, long phaseChange) {}

    /** One group: what its runs share (e.g. "MHA-RoPE" or "lr=0.003"), its runs, and its bands by series. */
    public record Group(String name, List<Member> members, Map<Series, List<Band>> bands) {}

    /** The groups of {@code study} in the order their runs appear; runs with no training curve yet are left out. */
    public static List<Group> of(Study study) throws IOException {
        Map<String, List<Integer>> byGroup = new LinkedHashMap<>();
        for (int i = 0; i < study.runs().size(); i++) {
            byGroup.computeIfAbsent(groupName(study, i), k -> new ArrayList<>()).add(i);
        }
        List<Group> out = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> e : byGroup.entrySet()) {
            List<Member> members = new ArrayList<>();
            Map<Series, TreeMap<Long, List<Double>>> values = new EnumMap<>(Series.class);
            for (Series s : Series.values()) {
                values.put(s, new TreeMap<>());
            }
            for (int i : e.getValue()) {
                RunFolder folder;
                RunRecords.Curves curves;
                try {
                    folder = RunFolder.open(study.runPath(i));
                    curves = RunRecords.curves(study.runPath(i));
                } catch (RunFolderException | IOException notYet) {
                    continue; // planned, not started (or unreadable: the study's status says which)
                }
                if (curves.metrics().isEmpty()) {
                    continue;
                }
                members.add(new Member(folder.name(), folder.hyperparameters().seed(), curves.phaseChange()));
                for (MetricsRow r : curves.metrics()) {
                    values.get(Series.LOSS).computeIfAbsent(r.step(), k -> new ArrayList<>()).add(r.loss());
                    values.get(Series.RUNNING_ACCURACY).computeIfAbsent(r.step(), k -> new ArrayList<>())
                            .add(r.runningAccuracy());
                }
                int last = curves.heads().stream().mapToInt(HeadScoreRow::layer).max().orElse(-1);
                Map<Long, Double> best = new TreeMap<>();
                for (HeadScoreRow h : curves.heads()) {
                    if (h.layer() == last) {
                        best.merge(h.step(), h.target(), Math::max);
                    }
                }
                best.forEach((step, v) -> values.get(Series.HEAD_TARGET).computeIfAbsent(step,
                        k -> new ArrayList<>()).add(v));
            }
            if (members.isEmpty()) {
                continue;
            }
            Map<Series, List<Band>> bands = new EnumMap<>(Series.class);
            values.forEach((series, bySteps) -> bands.put(series, bands(bySteps)));
            out.add(new Group(e.getKey(), List.copyOf(members), bands));
        }
        return out;
    }

    /** The CSV: a row per group × series × step, then nothing else (phase changes are in {@code study table}). */
    public static String csv(Study study) throws IOException {
        StringBuilder s = new StringBuilder("study,group,series,step,runs,mean,min,max\n");
        for (Group g : of(study)) {
            for (Map.Entry<Series, List<Band>> e : g.bands().entrySet()) {
                for (Band b : e.getValue()) {
                    s.append(StudyTable.quoted(study.name())).append(',').append(StudyTable.quoted(g.name()))
                            .append(',').append(e.getKey().column())
                            .append(String.format(Locale.ROOT, ",%d,%d,%.6f,%.6f,%.6f%n", b.step(), b.runs(),
                                    b.mean(), b.min(), b.max()));
                }
            }
        }
        return s.toString();
    }

    /** What run {@code i} shares with its seeds: its variant's name, or its varied settings other than the seed. */
    static String groupName(Study study, int i) {
        List<String> parts = new ArrayList<>();
        String variant = study.runs().get(i).variant();
        if (variant != null) {
            parts.add(variant);
        }
        // named variants are what their settings vary; without names, the varied settings other than the seed
        List<String> keys = variant != null ? List.of()
                : study.variedKeys().stream().filter(k -> !k.equals("seed")).toList();
        if (!keys.isEmpty()) {
            try {
                var hp = RunFolder.open(study.runPath(i)).hyperparameters();
                for (String k : keys) {
                    var field = HyperparameterSchema.field(k);
                    parts.add(k + "=" + field.format(field.get(hp)));
                }
            } catch (RunFolderException notYet) {
                parts.add("run " + study.runs().get(i).name());
            }
        }
        return parts.isEmpty() ? "all runs" : String.join(" · ", parts);
    }

    private static List<Band> bands(TreeMap<Long, List<Double>> bySteps) {
        List<Band> out = new ArrayList<>(bySteps.size());
        bySteps.forEach((step, vs) -> {
            double sum = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (double v : vs) {
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            out.add(new Band(step, vs.size(), sum / vs.size(), min, max));
        });
        return List.copyOf(out);
    }
}
