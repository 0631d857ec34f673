package org.inductionlab.engine;

import org.inductionlab.engine.task.InductionTask;
import org.inductionlab.engine.task.TriggerLayout;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class InductionTaskTest {

    @Test
    void sequencesFollowTheCourseLayout() {
        InductionTask task = new InductionTask(16, new TriggerLayout.Fixed(5), 3);
        for (int i = 0; i < 200; i++) {
            InductionTask.Sequence s = task.sequence(i, 64);
            int[] t = s.tokens();
            assertEquals(64, t.length);
            assertEquals(16, t[5], "S at the trigger position");
            assertEquals(16, t[62], "S again at L-2");
            assertEquals(t[6], t[63], "the answer is the token after the first S");
            assertEquals(t[63], s.answer());
            assertEquals(2, Arrays.stream(t).filter(x -> x == 16).count(), "S appears exactly twice");
            assertTrue(Arrays.stream(t).allMatch(x -> x >= 0 && x <= 16));
        }
    }

    @Test
    void anywhereAndPrefixLayoutsStayInRange() {
        InductionTask anywhere = new InductionTask(16, new TriggerLayout.Anywhere(), 1);
        InductionTask prefix = new InductionTask(16, new TriggerLayout.Prefix(10), 1);
        int maxAnywhere = 0;
        for (int i = 0; i < 2000; i++) {
            int p = anywhere.sequence(i, 32).triggerPosition();
            assertTrue(p >= 0 && p < 28, "anywhere: first S in [0, L-4)");
            maxAnywhere = Math.max(maxAnywhere, p);
            int q = prefix.sequence(i, 32).triggerPosition();
            assertTrue(q >= 0 && q < 10, "prefix:10: first S in [0, 10)");
        }
        assertEquals(27, maxAnywhere, "anywhere reaches the last allowed position");
    }

    @Test
    void sameSeedSameSequencesWhateverTheBatching() {
        InductionTask a = new InductionTask(16, new TriggerLayout.Fixed(5), 42);
        InductionTask b = new InductionTask(16, new TriggerLayout.Fixed(5), 42);
        InductionTask.Batch big = a.batch(0, 12, 40);
        for (int start = 0; start < 12; start += 4) {
            InductionTask.Batch small = b.batch(start, 4, 40);
            for (int r = 0; r < 4; r++) {
                assertArrayEquals(Arrays.copyOfRange(big.inputs(), (start + r) * 39, (start + r + 1) * 39),
                        Arrays.copyOfRange(small.inputs(), r * 39, (r + 1) * 39));
                assertEquals(big.answers()[start + r], small.answers()[r]);
            }
        }
        assertFalse(Arrays.equals(a.sequence(0, 40).tokens(), new InductionTask(16, new TriggerLayout.Fixed(5), 43)
                .sequence(0, 40).tokens()), "another seed gives other data");
        assertFalse(Arrays.equals(a.sequence(0, 40).tokens(),
                InductionTask.evaluation(16, new TriggerLayout.Fixed(5), 42).sequence(0, 40).tokens()),
                "evaluation never reuses the training stream");
    }

    @Test
    void memoryTokenIsUniform() {
        InductionTask task = new InductionTask(4, new TriggerLayout.Fixed(5), 9);
        int[] counts = new int[4];
        for (int i = 0; i < 4000; i++) {
            counts[task.sequence(i, 16).answer()]++;
        }
        for (int c : counts) {
            assertTrue(c > 850 && c < 1150, "each of 4 answers near 1000 times, got " + Arrays.toString(counts));
        }
    }

    @Test
    void layoutsParseAndRefuseWhatDoesNotFit() {
        assertEquals(new TriggerLayout.Fixed(5), TriggerLayout.parse("fixed:5"));
        assertEquals(new TriggerLayout.Prefix(10), TriggerLayout.parse(" Prefix:10 "));
        assertEquals(new TriggerLayout.Anywhere(), TriggerLayout.parse("anywhere"));
        assertThrows(IllegalArgumentException.class, () -> TriggerLayout.parse("fixed:-1"));
        assertThrows(IllegalArgumentException.class, () -> TriggerLayout.parse("sideways"));
        assertNull(new TriggerLayout.Fixed(5).problemAt(9));
        assertNotNull(new TriggerLayout.Fixed(5).problemAt(8), "p+1 would collide with the final S");
    }
}
