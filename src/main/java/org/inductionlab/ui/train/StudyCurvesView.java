package org.inductionlab.ui.train;

import javafx.geometry.Insets;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.VBox;
import org.inductionlab.engine.lab.study.StudyCurves;
import org.inductionlab.ui.control.AnnotatedLineChart;
import org.inductionlab.ui.control.StepAxis;
import org.inductionlab.ui.control.WrappingColumn;

import java.util.ArrayList;
import java.util.List;

/**
 * A study's training curves, its seeds as bands: loss, running accuracy and the last layer's best target score
 * against step, a line per group (the mean over its seeds) in a shaded band from the lowest seed to the
 * highest, and each seed's phase change marked on the accuracy chart.
 */
public final class StudyCurvesView extends BorderPane {

    private final AnnotatedLineChart loss = chart("Loss (mean over the seeds)", null);
    private final AnnotatedLineChart accuracy = chart("Running accuracy (%)", new StepAxis(null, 0, 100, 20, 25, 50, 100));
    private final AnnotatedLineChart heads = chart("The last layer's best head on the task target",
            new StepAxis("score", 0, 1, 0.25, 0.5, 1));

    public StudyCurvesView(StudyCurvesViewModel vm) {
        setId("study-curves");
        getStyleClass().add("page");
        Label title = new Label();
        title.getStyleClass().add("section-title");
        title.setWrapText(true);
        title.setMinHeight(USE_PREF_SIZE);
        title.textProperty().bind(vm.title());
        Label message = new Label();
        message.setId("study-curves-message");
        message.setWrapText(true);
        message.setMinHeight(USE_PREF_SIZE);
        message.textProperty().bind(vm.message());
        vm.error().addListener((o, a, bad) -> {
            message.getStyleClass().remove("problem");
            if (bad) {
                message.getStyleClass().add("problem");
            }
        });
        accuracy.setLegendVisible(true); // which line is which group (numbered as in the summary)
        accuracy.setLegendSide(javafx.geometry.Side.RIGHT);
        VBox charts = new WrappingColumn(8, title, accuracy, loss, heads, message);
        charts.setPadding(new Insets(10));
        ScrollPane scroll = new ScrollPane(charts);
        scroll.setFitToWidth(true);
        scroll.setFitToHeight(true);
        scroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        scroll.getStyleClass().add("page-scroll");
        setCenter(scroll);
        vm.groups().addListener((o, a, g) -> show(g));
        show(vm.groups().get());
    }

    private void show(List<StudyCurves.Group> groups) {
        loss.getData().clear();
        accuracy.getData().clear();
        heads.getData().clear();
        for (int i = 0; i < groups.size(); i++) {
            StudyCurves.Group g = groups.get(i);
            String name = (groups.size() == 1 ? "" : (i + 1) + ": ") + g.name() + " (" + g.members().size()
                    + (g.members().size() == 1 ? " seed)" : " seeds)");
            add(loss, name, g.bands().get(StudyCurves.Series.LOSS), 1);
            add(accuracy, name, g.bands().get(StudyCurves.Series.RUNNING_ACCURACY), 100);
            add(heads, name, g.bands().get(StudyCurves.Series.HEAD_TARGET), 1);
        }
        accuracy.markers().setAll(phaseMarkers(groups));
    }

    /**
     * Each seed's phase change as a dashed line, unlabelled (a study has many, and the numbered steps are
     * under the charts), in its group's colour: the chart's colour for the group's place (lab.css
     * {@code .phase-marker.group-K}, K = place mod 8, as the chart's own {@code default-colorK}).
     */
    public static List<AnnotatedLineChart.Marker> phaseMarkers(List<StudyCurves.Group> groups) {
        List<AnnotatedLineChart.Marker> phases = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            for (StudyCurves.Member m : groups.get(i).members()) {
                if (m.phaseChange() >= 0) {
                    phases.add(new AnnotatedLineChart.Marker(m.phaseChange(), "", "phase-marker group-" + i % 8));
                }
            }
        }
        return phases;
    }

    /** The group's mean line in the chart's colour for its place, its band in the same colour behind it. */
    private static void add(AnnotatedLineChart chart, String name, List<StudyCurves.Band> bands, double scale) {
        XYChart.Series<Number, Number> s = new XYChart.Series<>();
        s.setName(name);
        List<XYChart.Data<Number, Number>> data = new ArrayList<>(bands.size());
        for (StudyCurves.Band b : bands) {
            XYChart.Data<Number, Number> d = new XYChart.Data<>(b.step(), b.mean() * scale);
            d.setExtraValue(new double[] {b.min() * scale, b.max() * scale});
            data.add(d);
        }
        s.getData().setAll(data);
        chart.getData().add(s);
        chart.showAsBand(s);
    }

    private static AnnotatedLineChart chart(String title, javafx.scene.chart.ValueAxis<Number> y) {
        NumberAxis x = new NumberAxis();
        x.setLabel("step");
        x.setForceZeroInRange(true);
        if (y == null) {
            NumberAxis auto = new NumberAxis();
            auto.setForceZeroInRange(true);
            y = auto;
        }
        AnnotatedLineChart c = new AnnotatedLineChart(x, y);
        c.setTitle(title);
        c.setLegendVisible(false);
        c.getStyleClass().add("study-chart"); // a minimum height in em (lab.css)
        return c;
    }
}
