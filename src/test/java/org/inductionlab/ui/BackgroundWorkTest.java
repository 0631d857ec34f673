package org.inductionlab.ui;

import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.lab.RunEntry;
import org.inductionlab.engine.lab.TrainingJob;
import org.inductionlab.ui.attention.AttentionViewModel;
import org.inductionlab.ui.runs.RunsViewModel;
import org.inductionlab.ui.sweep.SweepViewModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The window's background work, with an executor whose queues the test runs by hand: only the latest
 * request's result is shown, a failure is said, and a sweep on the long-job thread never holds up a rename.
 */
class BackgroundWorkTest {

    @TempDir
    Path home;

    /** Background and long jobs wait in their queues until the test runs them; the UI thread is the test's. */
    static final class ManualExecutor implements TaskExecutor {
        final Deque<Runnable> background = new ArrayDeque<>();
        final Deque<Runnable> longJobs = new ArrayDeque<>();

        @Override
        public void background(Runnable task) {
            background.add(task);
        }

        @Override
        public void longJob(Runnable task) {
            longJobs.add(task);
        }

        @Override
        public void training(Runnable task) {
            task.run();
        }

        @Override
        public void ui(Runnable task) {
            task.run();
        }

        /** Runs the background queue until it is empty (work it queues included). */
        void drainBackground() {
            while (!background.isEmpty()) {
                background.poll().run();
            }
        }
    }

    @Test
    void onlyTheLatestRequestsResultIsShownAndAFailureIsSaid() {
        ManualExecutor ex = new ManualExecutor();
        BackgroundTask task = BackgroundTask.quick(ex);
        List<String> shown = new ArrayList<>();
        task.start(r -> "old", shown::add, e -> shown.add("failed"));
        task.start(r -> "new", shown::add, e -> shown.add("failed"));
        assertTrue(task.busy().get());
        Runnable older = ex.background.poll();
        ex.drainBackground();
        assertEquals(List.of("new"), shown);
        assertFalse(task.busy().get());
        older.run();
        assertEquals(List.of("new"), shown, "a result for an old request is never shown");

        task.<String>start(r -> {
            throw new IllegalStateException("no such run");
        }, shown::add, e -> shown.add("failed: " + e.getMessage()));
        ex.drainBackground();
        assertEquals("no such run", task.error().get());
        assertEquals("failed: no such run", shown.get(1));

        task.start(r -> "cancelled", shown::add, e -> { });
        task.cancel();
        assertFalse(task.busy().get());
        ex.drainBackground();
        assertEquals(2, shown.size(), "a cancelled request's result is dropped");

        task.submit(r -> "a", shown::add, e -> { });
        task.submit(r -> "b", shown::add, e -> { });
        ex.drainBackground();
        assertEquals(List.of("a", "b"), shown.subList(2, 4), "every action's outcome is heard");

        BackgroundTask sweep = BackgroundTask.longJobs(ex);
        sweep.start(r -> {
            r.progress(0.5);
            return "swept";
        }, shown::add, e -> { });
        assertEquals(1, ex.longJobs.size(), "long work waits on its own queue");
        assertTrue(ex.background.isEmpty());
        ex.longJobs.poll().run();
        assertEquals("swept", shown.get(4));
        assertEquals(0.5, sweep.progress().get());
    }

    @Test
    void aMapForAnInputChangedMeanwhileIsDroppedAndARenameDoesNotWaitForASweep() throws Exception {
        System.setProperty("inductionlab.home", home.toString());
        ManualExecutor ex = new ManualExecutor();
        LabContext ctx = new LabContext(LabSettings.load(), ex);
        Path dir = ctx.runs().directory().resolve("r");
        TrainingJob.create(dir, TestConfigs.tiny("max_steps=3"), "tiny", false).run(null);
        TrainingJob.create(ctx.runs().directory().resolve("other"), TestConfigs.tiny("max_steps=1"), "tiny", false)
                .run(null);
        ctx.runs().refresh();
        ex.drainBackground();
        RunEntry run = ctx.runs().find("r").orElseThrow();

        AttentionViewModel attention = new AttentionViewModel(ctx);
        attention.run().set(run);
        attention.compute();
        assertTrue(attention.busy().get());
        attention.input().seed().set(attention.input().seed().get() + 1); // the input changes while the map is computed
        ex.drainBackground();
        assertNull(attention.map().get(), "the map of the old sequence is not shown");
        assertFalse(attention.busy().get());
        attention.compute();
        ex.drainBackground();
        assertNotNull(attention.map().get(), attention.message().get());
        assertTrue(attention.message().get().endsWith("seed 2"), attention.message().get());

        SweepViewModel sweep = new SweepViewModel(ctx);
        sweep.add(run);
        sweep.minExp().set(4);
        sweep.maxExp().set(5);
        sweep.sequences().set(8);
        ex.drainBackground();
        sweep.start();
        assertTrue(sweep.running().get());
        assertEquals(1, ex.longJobs.size(), "the sweep waits on the long-job thread");

        RunsViewModel runs = new RunsViewModel(ctx);
        runs.rename(ctx.runs().find("other").orElseThrow(), "renamed");
        ex.drainBackground();
        assertEquals("Renamed other to renamed", runs.message().get(), "done while the sweep has not even started");
        assertTrue(Files.isDirectory(ctx.runs().directory().resolve("renamed")));
        assertTrue(sweep.running().get());

        ex.longJobs.poll().run();
        ex.drainBackground();
        assertFalse(sweep.running().get());
        assertEquals("Sweep finished.", sweep.progressText().get());
        assertEquals(2, sweep.points().values().stream().mapToInt(List::size).sum(), "both lengths plotted");
    }
}
