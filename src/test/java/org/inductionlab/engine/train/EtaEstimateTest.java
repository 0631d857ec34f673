package org.inductionlab.engine.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class EtaEstimateTest {

    @Test
    void aRisingAccuracyPastThePhaseChangeCountsToTheEarlyStop() {
        EtaEstimate eta = new EtaEstimate(20, 0.53, 0.99);
        for (int i = 0; i <= 20; i++) {
            eta.add(0.60 + 0.001 * i); // +0.001 per step, now at 0.62
        }
        assertEquals(370, eta.stepsToTarget(), 1);
    }

    @Test
    void beforeThePhaseChangeOrWhenFlatThereIsNoEarlyStopEstimate() {
        EtaEstimate rising = new EtaEstimate(20, 0.53, 0.99);
        EtaEstimate flat = new EtaEstimate(20, 0.53, 0.99);
        for (int i = 0; i <= 30; i++) {
            rising.add(0.10 + 0.01 * i / 30); // rising, but still near chance
            flat.add(0.80);
        }
        assertEquals(-1, rising.stepsToTarget());
        assertEquals(-1, flat.stepsToTarget());
        EtaEstimate young = new EtaEstimate(20, 0.53, 0.99);
        young.add(0.9);
        assertEquals(-1, young.stepsToTarget(), "too few steps for a slope");
    }
}
