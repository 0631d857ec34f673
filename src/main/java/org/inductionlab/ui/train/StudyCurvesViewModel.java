package org.inductionlab.ui.train;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.inductionlab.engine.lab.study.Study;
import org.inductionlab.engine.lab.study.StudyCurves;
import org.inductionlab.ui.BackgroundTask;
import org.inductionlab.ui.Fx;
import org.inductionlab.ui.LabContext;
import org.inductionlab.ui.event.RunEvents;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A study's training curves on the Train page, its seeds as bands ({@link StudyCurves}): the study last opened
 * (the Runs page's Open study… tells it) or one chosen here. No FX thread needed.
 */
public final class StudyCurvesViewModel {

    private final BackgroundTask loading;
    private final ReadOnlyObjectWrapper<Path> study = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<List<StudyCurves.Group>> groups = new ReadOnlyObjectWrapper<>(List.of());
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper error = new ReadOnlyBooleanWrapper(false);

    public StudyCurvesViewModel(LabContext ctx) {
        loading = BackgroundTask.quick(ctx.executor());
        ctx.events().subscribe(RunEvents.ShowStudy.class, e -> open(e.study()));
    }

    /** Reads {@code dir}'s runs' curves; what was shown stays until they are read (or the folder is refused). */
    public void open(Path dir) {
        loading.start(request -> {
            Study s = Study.open(dir);
            return new Object[] {s.name(), StudyCurves.of(s)};
        }, loaded -> {
            @SuppressWarnings("unchecked")
            List<StudyCurves.Group> g = (List<StudyCurves.Group>) loaded[1];
            study.set(dir);
            groups.set(g);
            title.set("Study " + loaded[0] + ": training curves, each group's seeds as a band (mean line, min to max)");
            error.set(false);
            message.set(g.isEmpty() ? "No run of this study has trained yet." : summary(g));
        }, e -> {
            error.set(true);
            message.set("Not a study folder: " + Fx.message(e));
        });
    }

    /** A line per group: its runs and each seed's phase change. */
    static String summary(List<StudyCurves.Group> groups) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < groups.size(); i++) { // numbered as the charts' legend is
            StudyCurves.Group g = groups.get(i);
            s.append(i == 0 ? "" : "\n").append(groups.size() == 1 ? "" : (i + 1) + ": ").append(g.name()).append(": ")
                    .append(g.members().size()).append(g.members().size() == 1 ? " run" : " runs").append(", phase change ")
                    .append(g.members().stream().map(m -> "seed " + m.seed() + (m.phaseChange() < 0 ? " not reached"
                            : String.format(Locale.ROOT, " at %,d", m.phaseChange()))).collect(Collectors.joining(", ")));
        }
        return s.toString();
    }

    /** The study shown, or null. */
    public ReadOnlyObjectProperty<Path> study() {
        return study.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<List<StudyCurves.Group>> groups() {
        return groups.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty title() {
        return title.getReadOnlyProperty();
    }

    /** The groups and their seeds' phase changes in words, or why the folder was refused. */
    public ReadOnlyStringProperty message() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty error() {
        return error.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busy() {
        return loading.busy();
    }
}
