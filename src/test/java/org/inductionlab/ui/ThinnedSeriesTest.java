package org.inductionlab.ui;

import org.inductionlab.ui.control.ThinnedSeries;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ThinnedSeriesTest {

    @Test
    void twoHundredThousandStepsStayUnderCapacityAndKeepTheMean() {
        ThinnedSeries s = new ThinnedSeries(1000);
        double sum = 0;
        for (long step = 1; step <= 200_000; step++) {
            double y = Math.sin(step / 5000.0) + (step % 2 == 0 ? 0.5 : -0.5); // a curve with step-to-step noise
            s.add(step, y);
            sum += y;
        }
        List<double[]> pts = s.points();
        assertTrue(pts.size() <= 1001, "kept " + pts.size());
        assertTrue(pts.size() > 400, "still detailed: " + pts.size());
        assertEquals(200_000, pts.get(pts.size() - 1)[0], "the last step is shown");
        for (int i = 1; i < pts.size(); i++) {
            assertTrue(pts.get(i)[0] > pts.get(i - 1)[0], "steps increase");
        }
        // bucket means cancel the +-0.5 noise: the thinned curve follows the sine
        for (double[] p : pts.subList(0, pts.size() - 1)) {
            assertEquals(Math.sin(p[0] / 5000.0), p[1], 0.05, "at step " + p[0]);
        }
        assertTrue(s.stride() >= 128);
        assertTrue(Math.abs(sum) < 1e6);
    }

    @Test
    void fewPointsAreKeptAsTheyCame() {
        ThinnedSeries s = new ThinnedSeries(100);
        for (int i = 1; i <= 10; i++) {
            s.add(i, i * 2);
        }
        List<double[]> pts = s.points();
        assertEquals(10, pts.size());
        assertEquals(20, pts.get(9)[1]);
    }
}
