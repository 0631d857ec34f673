package org.inductionlab.engine.lab;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.inductionlab.engine.config.DeviceChoice;
import org.inductionlab.engine.config.HyperparameterSchema;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.eval.LengthSweep;
import org.inductionlab.engine.eval.SweepShards;
import org.inductionlab.engine.model.Precision;
import org.inductionlab.engine.platform.EngineRuntime;
import org.inductionlab.engine.run.AtomicFiles;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunFolderException;
import org.inductionlab.engine.run.RunInfo;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.engine.task.TriggerLayout;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * A run's sweep measured in shards ({@link SweepShards}) by separate processes — local ones or the tasks of a
 * Slurm job array — that may die at any time. Everything lives under the run folder's {@code shards/}:
 * <pre>
 *   plan-HASH.json           the settings of one sharded sweep (what a task is told to measure)
 *   L-1024_anywhere_s1_0-31.json  one shard's result (length, layout, evaluation seed, sequences): its count,
 *                            correct, seconds, precision and the training step of the model it measured;
 *                            written atomically when it is done
 *   locks/                   a lock each measuring task holds (the OS drops it when the task dies)
 *   logs/, slurm/            task output and job scripts
 * </pre>
 * A shard with a result file is never measured again (for the same model: a result of a checkpoint trained
 * further since is out of date and measured again); one without is measured by the next task that is given
 * it. When every shard of a length has its result, the length is merged into sweep.csv with the Wilson
 * interval over all its sequences — the row an unsharded sweep of the same settings writes, but for its
 * seconds, which are the shards' measuring times added up.
 */
public final class ShardedSweep {

    public static final String DIR = "shards";
    static final String LOCKS = "locks";
    public static final String LOGS = "logs";

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The settings of a sharded sweep, as its plan file holds them; precision and device null: the defaults. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Settings(@JsonProperty("min_exp") int minExp, @JsonProperty("max_exp") int maxExp,
                           @JsonProperty("layouts") List<String> layouts, @JsonProperty("sequences") int sequences,
                           @JsonProperty("seed") long seed, @JsonProperty("shard_sequences") int shardSequences,
                           @JsonProperty("precision") String precision, @JsonProperty("device") String device) {

        public SweepShards shards() {
            return new SweepShards(minExp, maxExp, layouts.stream().map(TriggerLayout::parse).toList(), sequences, seed,
                    shardSequences);
        }

        Precision askedPrecision() {
            return precision == null ? null : Precision.parse("precision", precision);
        }

        DeviceChoice deviceChoice() {
            return device == null ? null : (DeviceChoice) HyperparameterSchema.field("device").parse(device);
        }

        /** "plan-1a2b3c4d.json": named by its content, so the same settings always name the same file. */
        String fileName() {
            try {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(JSON.writeValueAsBytes(this));
                return "plan-" + HexFormat.of().formatHex(d, 0, 4) + ".json";
            } catch (NoSuchAlgorithmException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** One shard's measurement, as its result file holds it. */
    public record Result(@JsonProperty("length") int length, @JsonProperty("layout") String layout,
                         @JsonProperty("first") int first, @JsonProperty("last") int last,
                         @JsonProperty("sequences") int sequences, @JsonProperty("correct") int correct,
                         @JsonProperty("seconds") double seconds, @JsonProperty("precision") String precision,
                         @JsonProperty("seed") long seed, @JsonProperty("steps") long steps,
                         @JsonProperty("host") String host, @JsonProperty("finished") String finished) {}

    /** Where a shard stands. */
    public enum State {
        MEASURED, RUNNING, QUEUED, WAITING;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A length and layout of the sweep: how many of its shards stand where, and whether sweep.csv has it. */
    public record Point(int length, TriggerLayout layout, int shards, int measured, int running, int queued,
                        boolean merged) {
        public int waiting() {
            return shards - measured - running - queued;
        }

        /** "measured", "running (3 of 8 shards measured)", "waiting (0 of 8 shards measured)". */
        public String describe() {
            if (measured == shards) {
                return merged ? "measured" : "measured, not yet in " + RunFolder.SWEEP;
            }
            String state = running > 0 ? "running" : queued > 0 ? "queued" : "waiting";
            return state + " (" + measured + " of " + shards + " shards measured"
                    + (running > 0 && queued > 0 ? ", " + queued + " queued" : "") + ")";
        }
    }

    private final Path run;
    private final RunFolder folder;
    private final Settings settings;
    private final SweepShards plan;
    private final List<SweepShards.Shard> shards;
    /** The training step of the run's checkpoint when it was opened: results of another step are out of date. */
    private final long steps;

    private ShardedSweep(Path run, RunFolder folder, Settings settings) {
        this.run = run;
        this.folder = folder;
        this.settings = settings;
        this.plan = settings.shards();
        this.shards = plan.shards(folder.hyperparameters());
        this.steps = steps(folder);
    }

    /** The sharded sweep of the run in {@code run} with these settings, to read (nothing is written). */
    public static ShardedSweep of(Path run, Settings settings) {
        return new ShardedSweep(run, RunFolder.open(run), settings);
    }

    /** Plans a sharded sweep of the run in {@code run}: writes its plan file (once for the same settings). */
    public static ShardedSweep plan(Path run, Settings settings) throws IOException {
        ShardedSweep s = of(run, settings);
        Path file = s.dir().resolve(settings.fileName());
        if (!Files.exists(file)) {
            AtomicFiles.write(file, out -> JSON.writeValue(out, settings));
        }
        return s;
    }

    /** Opens a plan file that {@link #plan} wrote ({@code planFile} relative to the run folder or absolute). */
    public static ShardedSweep open(Path run, String planFile) {
        Path file = run.resolve(planFile);
        Settings settings;
        try {
            settings = JSON.readValue(file.toFile(), Settings.class);
        } catch (IOException e) {
            throw new RunFolderException("cannot read the shard plan " + file + ": " + e.getMessage().split("\n")[0],
                    "shard_plan");
        }
        return new ShardedSweep(run, RunFolder.open(run), settings);
    }

    /** Every sharded sweep planned for the run in {@code run}, oldest plan first. */
    public static List<ShardedSweep> plans(Path run) throws IOException {
        Path dir = run.resolve(DIR);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files;
        try (var list = Files.list(dir)) {
            files = list.filter(f -> f.getFileName().toString().matches("plan-[0-9a-f]{8}\\.json")).toList();
        }
        List<Path> sorted = new ArrayList<>(files);
        sorted.sort(java.util.Comparator.comparing((Path f) -> {
            try {
                return Files.getLastModifiedTime(f);
            } catch (IOException e) {
                return java.nio.file.attribute.FileTime.fromMillis(0);
            }
        }).thenComparing(Path::toString));
        List<ShardedSweep> out = new ArrayList<>();
        for (Path f : sorted) {
            out.add(open(run, DIR + "/" + f.getFileName()));
        }
        return out;
    }

    /**
     * The longest length of a sharded sweep when none is given: the ceiling of a default sweep, 2^16 where the
     * shards run on a CPU and 2^20 on a GPU, without its 4-minute limit — spreading the long lengths is the
     * point. {@code slurmGpus} is what each Slurm task gets, or null when the shards run here.
     */
    public static int defaultMaxExponent(Hyperparameters hp, DeviceChoice device, Integer slurmGpus) {
        DeviceChoice choice = device != null ? device : hp.device();
        boolean gpu = slurmGpus != null ? slurmGpus > 0 && choice != DeviceChoice.CPU
                : SweepJob.onGpu(choice, EngineRuntime.gpuCount());
        return SweepJob.ceilingExponent(gpu);
    }

    /** The run's sweep file name, into which the shards are merged. */
    public static final String SWEEP_FILE = RunFolder.SWEEP;

    public Path run() {
        return run;
    }

    public RunFolder folder() {
        return folder;
    }

    public Settings settings() {
        return settings;
    }

    public SweepShards plan() {
        return plan;
    }

    /** The plan file, relative to the run folder: what a task is given. */
    public String planFile() {
        return DIR + "/" + settings.fileName();
    }

    /** Every shard, in index order. */
    public List<SweepShards.Shard> shards() {
        return shards;
    }

    /** The lengths the plan cuts no shards for, and why. */
    public List<SweepShards.Refused> refused() {
        return plan.refused(folder.hyperparameters());
    }

    public SweepShards.Shard shard(int index) {
        if (index < 0 || index >= shards.size()) {
            throw new InvalidConfigException("shard", index + " is out of range (allowed: 0.." + (shards.size() - 1) + ")");
        }
        return shards.get(index);
    }

    public Path dir() {
        return run.resolve(DIR);
    }

    public Path logs() {
        return dir().resolve(LOGS);
    }

    /** The result file of {@code s}. */
    public Path resultFile(SweepShards.Shard s) {
        return dir().resolve(s.name() + ".json");
    }

    /**
     * The result of {@code s} for the run's model as it is now, or null: none yet, unreadable, of another
     * shard, or of a checkpoint trained further since (then it is measured again).
     */
    public Result result(SweepShards.Shard s) {
        Result r = readResult(s);
        return r != null && r.steps() == steps ? r : null;
    }

    private Result readResult(SweepShards.Shard s) {
        Path f = resultFile(s);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            Result r = JSON.readValue(f.toFile(), Result.class);
            boolean same = r.length() == s.length() && s.layout().toString().equals(r.layout()) && r.seed() == s.seed()
                    && r.first() == s.first()
                    && r.last() == s.last() && r.sequences() == s.count() && r.correct() >= 0 && r.correct() <= r.sequences();
            return same ? r : null;
        } catch (IOException e) {
            return null; // damaged by hand: measured again
        }
    }

    private static long steps(RunFolder f) {
        RunInfo.Training t = f.info().training();
        return t == null ? 0 : t.steps();
    }

    /** Whether a task holds {@code s}'s lock now (it is being measured, here or on another machine). */
    public boolean isRunning(SweepShards.Shard s) {
        return lockHeld(dir().resolve(LOCKS).resolve(s.name() + ".lock"));
    }

    /** Whether some process (this one included) holds an OS lock on {@code file} now; false when it does not exist. */
    public static boolean lockHeld(Path file) {
        if (!Files.exists(file)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // this very process holds it
        } catch (IOException e) {
            return false;
        }
    }

    /** Each shard's state; {@code slurm} names the shards a queue holds (shard name → PENDING, RUNNING, …). */
    public Map<SweepShards.Shard, State> states(Map<String, String> slurm) {
        Map<SweepShards.Shard, State> out = new LinkedHashMap<>();
        for (SweepShards.Shard s : shards) {
            String q = slurm.get(s.name());
            out.put(s, result(s) != null ? State.MEASURED
                    : isRunning(s) || "RUNNING".equals(q) || "COMPLETING".equals(q) ? State.RUNNING
                    : q != null ? State.QUEUED : State.WAITING);
        }
        return out;
    }

    /** The shards still to measure: no result, nobody measuring them, not in {@code busy} (a queue's). */
    public List<SweepShards.Shard> todo(java.util.Set<String> busy) {
        List<SweepShards.Shard> out = new ArrayList<>();
        for (SweepShards.Shard s : shards) {
            if (result(s) == null && !isRunning(s) && !busy.contains(s.name())) {
                out.add(s);
            }
        }
        return out;
    }

    /** Every length and layout of the plan, with its shards' states (see {@link #states}). */
    public List<Point> points(Map<String, String> slurm) throws IOException {
        Map<SweepShards.Shard, State> states = states(slurm);
        java.util.Set<String> inSweep = new java.util.HashSet<>();
        for (SweepPoint p : folder.readSweep()) {
            inSweep.add(p.layout() + "@" + p.length() + "#" + p.sequences());
        }
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, SweepShards.Shard> firsts = new LinkedHashMap<>();
        for (Map.Entry<SweepShards.Shard, State> e : states.entrySet()) {
            String key = e.getKey().layout() + "@" + e.getKey().length();
            firsts.putIfAbsent(key, e.getKey());
            int[] c = counts.computeIfAbsent(key, k -> new int[5]);
            c[0]++;
            c[1 + e.getValue().ordinal()]++;
        }
        List<Point> out = new ArrayList<>();
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            SweepShards.Shard s = firsts.get(e.getKey());
            int[] c = e.getValue();
            out.add(new Point(s.length(), s.layout(), c[0], c[1], c[2], c[3],
                    inSweep.contains(e.getKey() + "#" + s.total())));
        }
        return out;
    }

    /** What {@link #measure} did. */
    public enum Outcome {
        MEASURED, ALREADY_MEASURED, BUSY
    }

    /** The shard, what was done with it, its result (null when another task holds it) and the points merged. */
    public record Measured(SweepShards.Shard shard, Outcome outcome, Result result, List<SweepPoint> merged) {}

    /**
     * Measures shard {@code index} in this process (libtorch with {@code threads} threads when > 0), unless it
     * has its result or another task holds it; writes its result file, then merges every complete length into
     * sweep.csv. A length the model or free memory refuses throws {@link IllegalArgumentException}; a stop
     * ({@code cancelled}) throws {@link java.util.concurrent.CancellationException} and leaves no result.
     */
    public Measured measure(int index, int threads, LengthSweep.Listener listener, BooleanSupplier cancelled)
            throws IOException {
        SweepShards.Shard s = shard(index);
        if (result(s) != null) {
            return new Measured(s, Outcome.ALREADY_MEASURED, result(s), merge());
        }
        Path lockFile = dir().resolve(LOCKS).resolve(s.name() + ".lock");
        Files.createDirectories(lockFile.getParent());
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = tryLock(ch);
            if (lock == null) {
                return new Measured(s, Outcome.BUSY, null, List.of());
            }
            try {
                ch.truncate(0);
                ch.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "@" + host() + "\n")
                        .getBytes(StandardCharsets.UTF_8)));
                if (result(s) != null) { // finished by another task between the look and the lock
                    return new Measured(s, Outcome.ALREADY_MEASURED, result(s), merge());
                }
                Result r = measureLocked(s, threads, listener, cancelled);
                AtomicFiles.write(resultFile(s), out -> JSON.writeValue(out, r));
                return new Measured(s, Outcome.MEASURED, r, merge());
            } finally {
                lock.release();
            }
        }
    }

    /**
     * The lock, or null when another task holds it. A status query holds it for a moment to see whether it
     * is free ({@link #isRunning}): a second look after a pause tells the two apart.
     */
    private static FileLock tryLock(FileChannel ch) throws IOException {
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                FileLock l = ch.tryLock();
                if (l != null) {
                    return l;
                }
            } catch (OverlappingFileLockException e) {
                return null; // this process holds it
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private Result measureLocked(SweepShards.Shard s, int threads, LengthSweep.Listener listener,
                                 BooleanSupplier cancelled) {
        long steps = steps(RunFolder.open(run));
        if (steps != this.steps) {
            throw new RunFolderException(run + " was trained on (step " + this.steps + ", now " + steps
                    + ") while its shards were planned; plan them again", "run");
        }
        if (threads > 0) {
            EngineRuntime.start(threads);
        }
        try (LoadedRun r = LoadedRun.open(run, settings.deviceChoice())) {
            if (threads > 0) {
                EngineRuntime.start(threads); // the run's own setting, if any, does not win over the task's share
            }
            Precision p = settings.askedPrecision() != null ? settings.askedPrecision()
                    : LengthSweep.defaultPrecision(r.model().device());
            SweepPoint point = LengthSweep.forDevice(r.model().device()).withPrecision(p)
                    .measureBlock(r.model(), plan.plan(s.layout()), s.length(), s.first(), s.count(), listener, cancelled);
            return new Result(s.length(), s.layout().toString(), s.first(), s.last(), point.sequences(), point.correct(),
                    point.seconds(), point.precision(), settings.seed(), steps, host(), Instant.now().toString());
        }
    }

    /**
     * Puts every length whose shards all have their results into sweep.csv: the sequences and correct
     * answers added up, the Wilson interval over all of them, the shards' seconds added up, and their
     * precision ("fp16+fp32" where shards differed). Holds a lock so tasks that finish together on
     * different machines do not overwrite each other's rows. Returns the points that changed sweep.csv.
     */
    public List<SweepPoint> merge() throws IOException {
        Map<String, List<Result>> byPoint = new LinkedHashMap<>();
        Map<String, Integer> totals = new LinkedHashMap<>();
        for (SweepShards.Shard s : shards) {
            String key = s.layout() + "@" + s.length();
            totals.put(key, s.total());
            Result r = result(s);
            byPoint.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        List<SweepPoint> points = new ArrayList<>();
        for (Map.Entry<String, List<Result>> e : byPoint.entrySet()) {
            if (e.getValue().contains(null)) {
                continue;
            }
            int correct = 0;
            int sequences = 0;
            double seconds = 0;
            TreeSet<String> precisions = new TreeSet<>();
            for (Result r : e.getValue()) {
                correct += r.correct();
                sequences += r.sequences();
                seconds += r.seconds();
                precisions.add(r.precision());
            }
            Result first = e.getValue().get(0);
            if (sequences != totals.get(e.getKey())) {
                throw new IllegalStateException("shards of " + e.getKey() + " hold " + sequences + " sequences, not "
                        + totals.get(e.getKey()));
            }
            points.add(SweepPoint.of(first.length(), first.layout(), sequences, correct, seconds,
                    String.join("+", precisions)));
        }
        if (points.isEmpty()) {
            return points;
        }
        Path lockFile = dir().resolve(LOCKS).resolve("merge.lock");
        Files.createDirectories(lockFile.getParent());
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            RunFolder f = RunFolder.open(run);
            java.util.Set<String> have = new java.util.HashSet<>();
            for (SweepPoint p : f.readSweep()) {
                have.add(sameRow(p));
            }
            List<SweepPoint> changed = points.stream().filter(p -> !have.contains(sameRow(p))).toList();
            if (!changed.isEmpty()) { // sweep.csv is left alone when it holds these rows already
                f.mergeSweep(changed);
            }
            return changed;
        }
    }

    private static String sameRow(SweepPoint p) {
        return p.length() + "," + p.layout() + "," + p.sequences() + "," + p.correct() + "," + p.precision();
    }

    /** The refused lengths as one line each: "2^10 fixed:5: …". */
    public static String describe(SweepShards.Refused r) {
        return "2^" + Integer.numberOfTrailingZeros(r.length()) + " " + r.layout() + ": " + r.reason();
    }

    /** The layouts a run is measured on when none is given: its own. */
    public static List<String> ownLayout(Hyperparameters hp) {
        return List.of(hp.layout().toString());
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }
}
