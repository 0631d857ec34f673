package org.inductionlab.ui;

import org.inductionlab.engine.lab.study.StudyCurves;
import org.inductionlab.ui.control.AnnotatedLineChart;
import org.inductionlab.ui.train.StudyCurvesView;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A study's phase changes: one dashed line per seed that has one, in its group's colour. */
class StudyPhaseMarkersTest {

    @Test
    void eachSeedsPhaseChangeIsMarkedInItsGroupsColour() {
        List<StudyCurves.Group> groups = List.of(
                new StudyCurves.Group("lr=0.001", List.of(new StudyCurves.Member("a", 0, 700),
                        new StudyCurves.Member("b", 1, -1)), Map.of()),
                new StudyCurves.Group("lr=0.003", List.of(new StudyCurves.Member("c", 0, 400),
                        new StudyCurves.Member("d", 1, 450)), Map.of()));
        List<AnnotatedLineChart.Marker> markers = StudyCurvesView.phaseMarkers(groups);
        assertEquals(List.of(700.0, 400.0, 450.0), markers.stream().map(AnnotatedLineChart.Marker::x).toList(),
                "seed 1 of the first group never reached it");
        assertEquals(List.of("phase-marker group-0", "phase-marker group-1", "phase-marker group-1"),
                markers.stream().map(AnnotatedLineChart.Marker::styleClass).toList());
    }
}
