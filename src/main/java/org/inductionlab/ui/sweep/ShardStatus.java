package org.inductionlab.ui.sweep;

import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.ListChangeListener;
import org.inductionlab.engine.lab.RunEntry;
import org.inductionlab.engine.lab.ShardedSweep;
import org.inductionlab.ui.BackgroundTask;
import org.inductionlab.ui.Fx;
import org.inductionlab.ui.LabContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Sweep page's shards (as {@code eval --shards} and {@code --status} on the command line): which points of
 * the ticked runs' sharded sweeps are measured, running, queued or waiting ({@link ShardedSweep#plans}), and
 * "Split into shards…": the page's sweep planned in shards for the first ticked run, its missing shards
 * measured here one at a time (what each {@code --local} task does), then merged into sweep.csv.
 */
public final class ShardStatus {

    /** Sequences per shard when none is chosen. */
    public static final int DEFAULT_SHARD_SEQUENCES = 32;

    private final SweepViewModel vm;
    private final StringProperty text = new SimpleStringProperty("");
    private final StringProperty progressText = new SimpleStringProperty("");
    private final IntegerProperty shardSequences = new SimpleIntegerProperty(DEFAULT_SHARD_SEQUENCES);
    private final BackgroundTask reads;
    private final BackgroundTask splits;
    private final AtomicBoolean cancel = new AtomicBoolean();

    public ShardStatus(LabContext ctx, SweepViewModel vm) {
        this.vm = vm;
        this.reads = BackgroundTask.quick(ctx.executor());
        this.splits = BackgroundTask.longJobs(ctx.executor());
        vm.selected().addListener((ListChangeListener<RunEntry>) c -> refresh());
        vm.plotVersion().addListener((o, a, b) -> refresh()); // a sweep ended, a run changed
        refresh();
    }

    /** One line per ticked run with shard plans; "" (hidden) when none has any. */
    public StringProperty text() {
        return text;
    }

    public StringProperty progressText() {
        return progressText;
    }

    public IntegerProperty shardSequences() {
        return shardSequences;
    }

    public ReadOnlyBooleanProperty running() {
        return splits.busy();
    }

    public ReadOnlyDoubleProperty progress() {
        return splits.progress();
    }

    /** Reads the ticked runs' shard plans in the background. */
    public void refresh() {
        List<RunEntry> runs = List.copyOf(vm.selected());
        reads.start(request -> describe(runs), text::set, e -> text.set("Cannot read the shards: " + Fx.message(e)));
    }

    /** "demo-x: 2^5 anywhere measured, 2^6 anywhere running (3 of 8 shards measured)", a line per run. */
    static String describe(List<RunEntry> runs) throws Exception {
        List<String> lines = new ArrayList<>();
        for (RunEntry run : runs) {
            List<String> parts = new ArrayList<>();
            for (ShardedSweep sweep : ShardedSweep.plans(run.path())) {
                for (ShardedSweep.Point p : sweep.points(Map.of())) {
                    parts.add("2^" + Integer.numberOfTrailingZeros(p.length()) + " " + p.layout() + " " + p.describe());
                }
            }
            if (!parts.isEmpty()) {
                lines.add(run.name() + ": " + String.join(", ", parts));
            }
        }
        return String.join("\n", lines);
    }

    /** The page's sweep, as its Run would measure it, in shards for {@code run}. */
    ShardedSweep.Settings settings(RunEntry run) {
        var plan = vm.plan(run); // validates the page's fields as Run does
        return new ShardedSweep.Settings(plan.minExponent(), plan.maxExponent(), List.of(plan.layout().toString()),
                Math.max(0, vm.sequences().get()), plan.seed(), Math.max(1, shardSequences.get()), null, null);
    }

    /** Plans the page's sweep in shards for the first ticked run and measures its missing shards, one at a time. */
    public void split() {
        if (running().get() || vm.running().get() || vm.selected().isEmpty()) {
            return;
        }
        RunEntry run = vm.selected().get(0);
        ShardedSweep.Settings settings;
        try {
            settings = settings(run);
        } catch (IllegalArgumentException e) {
            vm.problem().set(SweepEstimate.inPageWords(e));
            return;
        }
        cancel.set(false);
        progressText.set("Planning shards…");
        splits.submit(request -> {
            ShardedSweep sweep = ShardedSweep.plan(run.path(), settings);
            var todo = sweep.todo(Set.of());
            int done = 0;
            for (var shard : todo) {
                if (cancel.get()) {
                    break;
                }
                String what = "Shard " + (done + 1) + " of " + todo.size() + ": " + shard.describe();
                request.show(() -> progressText.set(what));
                request.progress((double) done / todo.size());
                sweep.measure(shard.index(), 0, new org.inductionlab.engine.eval.LengthSweep.Listener() { }, cancel::get);
                done++;
                String now = describe(List.of(run));
                request.show(() -> text.set(now));
            }
            sweep.merge();
            return run.name() + ": " + done + " of " + todo.size() + " shards measured" + (cancel.get() ? " (stopped)" : "")
                    + ", " + (sweep.shards().size() - todo.size()) + " measured before";
        }, ended -> {
            progressText.set(ended);
            vm.reload();
            refresh();
        }, e -> {
            progressText.set("Shards failed: " + Fx.message(e));
            refresh();
        });
    }

    public void cancel() {
        cancel.set(true);
    }
}
