package org.inductionlab.ui;

import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.lab.RunEntry;
import org.inductionlab.engine.lab.ShardedSweep;
import org.inductionlab.engine.lab.TrainingJob;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.ui.sweep.ShardStatus;
import org.inductionlab.ui.sweep.SweepViewModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The Sweep page's shards: planned, measured one at a time and merged, on the view model (no window). */
class SweepShardsViewModelTest {

    @TempDir
    Path home;

    @Test
    void aSplitSweepGoesFromWaitingToMeasuredAndLandsInSweepCsv() throws Exception {
        System.setProperty("inductionlab.home", home.toString());
        LabContext ctx = new LabContext(LabSettings.load(), TaskExecutor.inline());
        TrainingJob.create(ctx.runs().directory().resolve("r"), TestConfigs.tiny("max_steps=2"), "tiny", false).run(null);
        ctx.runs().refresh();
        RunEntry run = ctx.runs().find("r").orElseThrow();
        SweepViewModel vm = new SweepViewModel(ctx);
        ShardStatus shards = new ShardStatus(ctx, vm);
        vm.add(run);
        vm.minExp().set(5);
        vm.maxExp().set(6);
        vm.sequences().set(8);
        shards.shardSequences().set(4);
        assertEquals("", shards.text().get(), "no plans yet: hidden");

        ShardedSweep planned = ShardedSweep.plan(run.path(), new ShardedSweep.Settings(5, 6,
                List.of(run.hyperparameters().layout().toString()), 8, 1, 4, null, null));
        int n = planned.shards().size();
        assertTrue(n >= 2, "a shard or more per length");
        shards.refresh();
        assertTrue(shards.text().get().startsWith("r: 2^5 "), shards.text().get());
        assertTrue(shards.text().get().contains("waiting (0 of "), shards.text().get());

        shards.split();
        assertTrue(shards.progressText().get().contains(n + " of " + n + " shards measured"), shards.progressText().get());
        assertFalse(shards.text().get().contains("waiting"), shards.text().get());
        String layout = run.hyperparameters().layout().toString();
        assertEquals("r: 2^5 " + layout + " measured, 2^6 " + layout + " measured", shards.text().get());
        assertEquals(1, ShardedSweep.plans(run.path()).size(), "the page's sweep is the plan made above");

        List<SweepPoint> rows = RunFolder.open(run.path()).readSweep();
        assertEquals(2, rows.size());
        assertEquals(List.of(), planned.merge(), "sweep.csv holds exactly what the merge gives");
        for (SweepPoint p : rows) {
            assertEquals(8, p.sequences());
            int correct = planned.shards().stream().filter(s -> s.length() == p.length())
                    .mapToInt(s -> planned.result(s).correct()).sum();
            assertEquals(correct, p.correct());
        }
        assertFalse(vm.points().isEmpty(), "the plot was reloaded");
    }
}
