package org.inductionlab.engine.eval;

import org.inductionlab.engine.text.Durations;
import org.inductionlab.engine.model.Logits;
import org.inductionlab.engine.model.ForwardPass;
import org.inductionlab.engine.model.ExecutionPlan;
import org.inductionlab.engine.model.ModelKind;
import org.inductionlab.engine.model.FusedAttention;
import org.inductionlab.engine.model.Precision;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.model.Autograd;
import org.inductionlab.engine.model.ModelCost;
import org.inductionlab.engine.model.SequenceModel;
import org.inductionlab.engine.platform.MachineMemory;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.engine.task.InductionTask;
import org.inductionlab.engine.task.TriggerLayout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Accuracy against length: for each L = 2^a .. 2^b, score the last token of many fresh sequences with the
 * memory-bounded pass, and give the Wilson 95 % interval. Lengths whose memory estimate exceeds what is
 * free are refused with the estimate, not attempted.
 *
 * <p>Sequences per length (when not given): {@code clamp(2^30 / L^2, 8, 512)}, i.e. the same attention
 * work at every length from 2^10 up, and all 512 below. On a 2-core CPU that is 512 sequences up to
 * 2^10, 64 at 2^12, 8 from 2^14, and the default sweep 2^6..2^16 takes under 10 minutes.
 */
public final class LengthSweep {

    public static final int MIN_SEQUENCES = 8;
    public static final int MAX_SEQUENCES = 512;
    /** Input tokens per forward pass: bounds activation memory whatever the length. */
    static final int TOKENS_PER_PASS = 1 << 15;
    /** Fixed cost of a process that runs libtorch (weights are negligible next to it). */
    static final long BASE_BYTES = 600L << 20;

    /** Lengths a sweep may ask for: 2^3..2^24. */
    public static final int MIN_EXPONENT = 3;
    public static final int MAX_EXPONENT = 24;
    /** Most sequences per length a plan may ask for. */
    public static final int MAX_PLAN_SEQUENCES = 1_000_000;

    /** What to measure. {@code sequences} 0 means the rule above. Bad values name their field and range. */
    public record Plan(int minExponent, int maxExponent, TriggerLayout layout, int sequences, long seed) {
        public Plan {
            if (minExponent < MIN_EXPONENT || minExponent > MAX_EXPONENT) {
                throw InvalidConfigException.outOfRange("min_exponent", minExponent, MIN_EXPONENT, MAX_EXPONENT,
                        null, null);
            }
            if (maxExponent < minExponent || maxExponent > MAX_EXPONENT) {
                throw InvalidConfigException.outOfRange("max_exponent", maxExponent, minExponent, MAX_EXPONENT,
                        "min_exponent", null);
            }
            if (sequences < 0 || sequences > MAX_PLAN_SEQUENCES) {
                throw InvalidConfigException.outOfRange("sequences_per_length", sequences, 1, MAX_PLAN_SEQUENCES, null,
                        "or 0 for the default rule");
            }
        }

        public int sequencesAt(int length) {
            return sequences > 0 ? sequences : defaultSequences(length);
        }
    }

    /** Hears the sweep, on the sweeping thread. */
    public interface Listener {
        default void onLengthStart(int length, int index, int count, Estimate estimate) {}

        default void onSequences(int length, int done, int total) {}

        default void onPoint(SweepPoint point) {}

        default void onRefused(int length, String reason) {}

        /** Before the first length of a sweep asked to run in half precision: what the check found. */
        default void onPrecision(PrecisionCheck check) {}
    }

    /**
     * Half precision checked against fp32 on the same sequences: {@code same} of {@code sequences} got the
     * same prediction. The sweep runs in {@code used}: the half type when at least 99 % agree, else fp32
     * ({@code reason} says why when no check could run).
     */
    public record PrecisionCheck(Precision asked, Precision used, int length, int sequences, int same,
                                 int correctFp32, int correctHalf, String reason) {

        /** Agreement needed to sweep in half precision. */
        public static final double REQUIRED = 0.99;

        public static boolean passes(int same, int sequences) {
            return sequences > 0 && same >= Math.ceil(REQUIRED * sequences);
        }

        public String describe() {
            if (reason != null) {
                return reason + "; sweeping in " + used;
            }
            return String.format(java.util.Locale.ROOT,
                    "%s against fp32 at 2^%d: the same answer on %d of %d sequences (%.1f %%; accuracy %.1f %% vs %.1f %%),"
                            + " %s 99 %%: sweeping in %s", asked, Integer.numberOfTrailingZeros(length), same, sequences,
                    100.0 * same / sequences, 100.0 * correctHalf / sequences, 100.0 * correctFp32 / sequences,
                    used == asked ? "at least" : "below", used);
        }
    }

    /** Length and sequences of the check before a half precision sweep: the 2^12, 256 sequences. */
    public static final int CHECK_LENGTH = 1 << 12;
    public static final int CHECK_SEQUENCES = 256;

    /** Expected cost of one length. */
    public record Estimate(int length, int sequences, long bytes, double seconds, long availableBytes) {
        public boolean fits() {
            return bytes <= availableBytes;
        }

        public String describe() {
            return String.format(java.util.Locale.ROOT, "2^%d: %d sequences, ~%s, ~%s (%s free)",
                    Integer.numberOfTrailingZeros(length), sequences, MachineMemory.mib(bytes), Durations.words(seconds),
                    MachineMemory.mib(availableBytes));
        }
    }

    public static int defaultSequences(int length) {
        double n = Math.pow(2, 30) / ((double) length * length);
        return (int) Math.max(MIN_SEQUENCES, Math.min(MAX_SEQUENCES, Math.round(n)));
    }

    private final ExecutionPlan plan;
    private double flopsPerSecond; // calibrated as lengths complete
    private boolean calibrated;
    /**
     * How much faster than the first guess a Transformer evaluates through PyTorch's fused attention: on a
     * 2-core CPU it ran at 3.5e10 counted FLOP/s from 2^14 to 2^16, 4.4x the CPU's first guess of 8e9 (and
     * 2.3-2.6x the lab's own attention; docs/benchmarks.md); 3 keeps the first estimate on the safe side.
     */
    static final double FUSED_SPEEDUP = 3;
    private Precision precision = Precision.FP32;

    /**
     * @param plan how passes are cut up on the device; its sweep tile bounds memory at the longest lengths
     * @param initialFlopsPerSecond a first guess of the device's speed, refined after each length
     */
    public LengthSweep(ExecutionPlan plan, double initialFlopsPerSecond) {
        this.plan = plan;
        this.flopsPerSecond = initialFlopsPerSecond;
    }

    /**
     * Scores per attention tile: the plan's one size at every length. On a CPU 16M (64 MiB): at 2^16 a tile
     * of 8 queries (4M scores) ran 1.4x slower than one of 32, and one size for every length lets glibc reuse
     * the same blocks, where growing tiles left holes that made the heap (and the time) grow through a sweep.
     */
    public long tileElements(Hyperparameters hp, int length) {
        return plan.sweepTileElements();
    }

    /** The evaluation pass this sweep runs at {@code length} (the bench times the same one). */
    public ForwardPass pass(Hyperparameters hp, int length) {
        return ForwardPass.evaluation(plan, tileElements(hp, length)).withPrecision(precision);
    }

    /**
     * Asks for evaluation in {@code p}. A sweep in half precision first checks it against fp32
     * ({@link #checkPrecision}) and falls back to fp32 where they disagree on more than 1 % of sequences.
     */
    public LengthSweep withPrecision(Precision p) {
        this.precision = p;
        return this;
    }

    public Precision precision() {
        return precision;
    }

    /**
     * The default precision on {@code device}: fp16 on a GPU (tensor cores, half the memory of a tile's
     * scores), fp32 on a CPU — measured here, fp16 is no faster on this CPU (docs/benchmarks.md).
     */
    public static Precision defaultPrecision(Device device) {
        return device.isGpu() ? Precision.FP16 : Precision.FP32;
    }

    /**
     * A sweep with a conservative first guess of the device's speed. On a GPU the tiles are 64x larger
     * (1 GiB of scores): small tiles would cost a kernel launch per few queries at 2^20.
     */
    public static LengthSweep forDevice(Device device) {
        return new LengthSweep(ExecutionPlan.of(device), device.isGpu() ? 5e12 : 8e9);
    }

    /**
     * Sequences in one forward pass. Attention's memory grows with the tokens of a pass, so a pass holds
     * {@value #TOKENS_PER_PASS} tokens; a model whose memory does not grow with the pass says more (its
     * {@link ModelKind#evaluationBatch}).
     */
    static int sequencesPerPass(Hyperparameters hp, int length, int total) {
        return Math.max(1, Math.min(total, ModelKind.of(hp).evaluationBatch(length, TOKENS_PER_PASS)));
    }

    public Estimate estimate(Hyperparameters hp, int length, int sequences, Device device) {
        int perPass = sequencesPerPass(hp, length, sequences);
        // fused attention never holds a tile of scores, and runs faster than the first guess assumes
        boolean fused = ModelKind.of(hp).fusedAttention() && FusedAttention.expected(device);
        long bytes = BASE_BYTES + ModelCost.evaluationBytes(hp, perPass, length - 1, fused ? 0 : tileElements(hp, length));
        double rate = calibrated || !fused ? flopsPerSecond : flopsPerSecond * FUSED_SPEEDUP;
        double seconds = sequences * ModelCost.evaluationFlops(hp, length - 1) / rate;
        return new Estimate(length, sequences, bytes, seconds, MachineMemory.availableBytes(device));
    }

    /** The largest exponent whose estimate fits in memory and {@code secondsPerLength}, for a default range. */
    public int suggestedMaxExponent(Hyperparameters hp, Device device, double secondsPerLength, int ceiling) {
        int best = 6;
        for (int e = 6; e <= ceiling; e++) {
            int length = 1 << e;
            Estimate est = estimate(hp, length, defaultSequences(length), device);
            if (!est.fits() || est.seconds() > secondsPerLength || length - 1 > maxLength(hp)) {
                break;
            }
            best = e;
        }
        return best;
    }

    static int maxLength(Hyperparameters hp) {
        return ModelKind.of(hp).maxLength(hp);
    }

    /** Runs the plan on {@code model}. Throws {@link CancellationException} when {@code cancelled} turns true. */
    public List<SweepPoint> run(SequenceModel model, Plan plan, Listener listener, BooleanSupplier cancelled) {
        Hyperparameters hp = model.hyperparameters();
        Device device = model.device();
        InductionTask task = InductionTask.evaluation(hp.vocab(), plan.layout(), plan.seed());
        List<SweepPoint> points = new ArrayList<>();
        int count = plan.maxExponent() - plan.minExponent() + 1;
        Precision asked = precision;
        try (Autograd.Scope noGrad = Autograd.noGrad(); NDManager root = NDManager.newBaseManager(device)) {
            if (asked != Precision.FP32) {
                PrecisionCheck check = checkPrecision(model, plan, root, cancelled);
                listener.onPrecision(check);
                precision = check.used();
            }
            for (int e = plan.minExponent(); e <= plan.maxExponent(); e++) {
                int length = 1 << e;
                int total = plan.sequencesAt(length);
                Estimate est = estimate(hp, length, total, device);
                listener.onLengthStart(length, e - plan.minExponent(), count, est);
                String layoutProblem = plan.layout().problemAt(length);
                if (layoutProblem != null) {
                    listener.onRefused(length, layoutProblem);
                    continue;
                }
                if (length - 1 > model.maxLength()) {
                    listener.onRefused(length, "learned positions cover " + model.maxLength() + " tokens; this length needs "
                            + (length - 1));
                    continue;
                }
                if (!est.fits()) {
                    listener.onRefused(length, "needs about " + MachineMemory.mib(est.bytes()) + ", only "
                            + MachineMemory.mib(est.availableBytes()) + " free");
                    continue;
                }
                SweepPoint p = measure(model, task, plan.layout(), length, total, null, root, listener, cancelled);
                flopsPerSecond = total * ModelCost.evaluationFlops(hp, length - 1) / Math.max(1e-3, p.seconds());
                calibrated = true;
                points.add(p);
                listener.onPoint(p);
            }
        } finally {
            precision = asked;
        }
        return points;
    }

    /**
     * One shard of {@code plan} at {@code length}: the evaluation stream's sequences {@code first .. first +
     * count - 1} of that length, in the forward passes the whole sweep would give them (so the same sequences
     * meet in a pass and the counts add up to the unsharded sweep's exactly), after the same half precision
     * check. The point holds the block's count; a length the layout, the model or free memory refuses throws
     * {@link IllegalArgumentException} naming why. Throws {@link CancellationException} when {@code cancelled}
     * turns true.
     */
    public SweepPoint measureBlock(SequenceModel model, Plan plan, int length, long first, int count,
                                   Listener listener, BooleanSupplier cancelled) {
        Hyperparameters hp = model.hyperparameters();
        int total = plan.sequencesAt(length);
        if (first < 0 || count < 1 || first + count > total) {
            throw new IllegalArgumentException("sequences " + first + ".." + (first + count - 1) + " are outside 0.."
                    + (total - 1) + " at length " + length);
        }
        String problem = plan.layout().problemAt(length) != null ? plan.layout().problemAt(length)
                : length - 1 > model.maxLength() ? "the model cannot embed " + (length - 1) + " tokens" : null;
        Estimate est = estimate(hp, length, count, model.device());
        if (problem == null && !est.fits()) {
            problem = "needs about " + MachineMemory.mib(est.bytes()) + ", only " + MachineMemory.mib(est.availableBytes())
                    + " free";
        }
        if (problem != null) {
            throw new IllegalArgumentException("length " + length + ": " + problem);
        }
        InductionTask task = InductionTask.evaluation(hp.vocab(), plan.layout(), plan.seed());
        Precision asked = precision;
        try (Autograd.Scope noGrad = Autograd.noGrad(); NDManager root = NDManager.newBaseManager(model.device())) {
            if (asked != Precision.FP32) {
                PrecisionCheck check = checkPrecision(model, plan, root, cancelled);
                listener.onPrecision(check);
                precision = check.used();
            }
            listener.onLengthStart(length, 0, 1, est);
            long t0 = System.nanoTime();
            ForwardPass forward = pass(hp, length);
            int[] correct = new int[1];
            inPasses(model, task, length, first, count, sequencesPerPass(hp, length, total), root, cancelled,
                    "at length " + length,
                    (batch, tokens) -> correct[0] += Logits.countCorrect(model.forward(tokens, forward), batch.answers()),
                    done -> listener.onSequences(length, done, count));
            Precision used = model.computesIn(precision) ? precision : Precision.FP32;
            SweepPoint p = SweepPoint.of(length, plan.layout().toString(), count, correct[0],
                    (System.nanoTime() - t0) / 1e9, used.label());
            listener.onPoint(p);
            return p;
        } finally {
            precision = asked;
        }
    }

    /**
     * Whether {@code model} answers the same in this sweep's half precision as in fp32: at the plan's
     * longest length up to {@link #CHECK_LENGTH}, on {@link #CHECK_SEQUENCES} sequences of the plan's layout
     * (a different seed from the sweep's). A model that computes in fp32 only, or a length the layout or
     * model refuses, means fp32, with the reason.
     */
    PrecisionCheck checkPrecision(SequenceModel model, Plan plan, NDManager root, BooleanSupplier cancelled) {
        Precision half = precision;
        int length = Math.max(1 << plan.minExponent(), Math.min(CHECK_LENGTH, 1 << plan.maxExponent()));
        String refused = !model.computesIn(half)
                ? model.hyperparameters().architecture().toString().toLowerCase(java.util.Locale.ROOT)
                        + " computes in fp32 only"
                : plan.layout().problemAt(length) != null ? "no " + half + " check: " + plan.layout().problemAt(length)
                : length - 1 > model.maxLength() ? "no " + half + " check: the model cannot embed " + (length - 1) + " tokens"
                : null;
        if (refused != null) {
            return new PrecisionCheck(half, Precision.FP32, length, 0, 0, 0, 0, refused);
        }
        Hyperparameters hp = model.hyperparameters();
        InductionTask task = InductionTask.evaluation(hp.vocab(), plan.layout(), plan.seed() ^ 0x5EEDL);
        ForwardPass exactPass = pass(hp, length).withPrecision(Precision.FP32);
        int[] counts = new int[3]; // same answer, fp32 right, half right
        inPasses(model, task, length, CHECK_SEQUENCES, root, cancelled, "while checking " + half, (batch, tokens) -> {
            long[] exact = model.forward(tokens, exactPass).argMax(1).toLongArray();
            long[] halved = model.forward(tokens, exactPass.withPrecision(half)).argMax(1).toLongArray();
            for (int b = 0; b < exact.length; b++) {
                counts[0] += exact[b] == halved[b] ? 1 : 0;
                counts[1] += exact[b] == batch.answers()[b] ? 1 : 0;
                counts[2] += halved[b] == batch.answers()[b] ? 1 : 0;
            }
        }, done -> { });
        Precision used = PrecisionCheck.passes(counts[0], CHECK_SEQUENCES) ? half : Precision.FP32;
        return new PrecisionCheck(half, used, length, CHECK_SEQUENCES, counts[0], counts[1], counts[2], null);
    }

    /** Receives one forward pass's sequences and their tokens (batch, length - 1). */
    private interface PassBody {
        void accept(InductionTask.Batch batch, NDArray tokens);
    }

    /**
     * Feeds {@code total} sequences of {@code length} from {@code task} to {@code body} in passes of the size
     * {@link #sequencesPerPass} allows, each in its own manager; throws {@link CancellationException} (saying
     * {@code when}) once {@code cancelled} turns true; {@code afterPass} hears how many are done.
     */
    private static void inPasses(SequenceModel model, InductionTask task, int length, int total, NDManager root,
                                 BooleanSupplier cancelled, String when, PassBody body,
                                 java.util.function.IntConsumer afterPass) {
        inPasses(model, task, length, 0, total, sequencesPerPass(model.hyperparameters(), length, total), root,
                cancelled, when, body, afterPass);
    }

    /** {@link #inPasses} over the stream's sequences {@code first .. first + total - 1}, {@code perPass} at a time. */
    private static void inPasses(SequenceModel model, InductionTask task, int length, long first, int total,
                                 int perPass, NDManager root, BooleanSupplier cancelled, String when, PassBody body,
                                 java.util.function.IntConsumer afterPass) {
        for (int done = 0; done < total; ) {
            if (cancelled.getAsBoolean()) {
                throw new CancellationException("sweep cancelled " + when);
            }
            int n = Math.min(perPass, total - done);
            InductionTask.Batch batch = task.batch(first + done, n, length);
            try (NDManager pass = root.newSubManager()) {
                body.accept(batch, pass.create(batch.inputs(), new Shape(n, length - 1)));
            }
            done += n;
            afterPass.accept(done);
        }
    }

    /**
     * One cell: the accuracy of {@code model} on {@code sequences} fresh sequences of one length and layout
     * (any length, not only powers of two), with {@code ablated[layer][head]} heads zeroed before W_O (null:
     * none). Refused lengths throw, naming why.
     */
    public SweepPoint measure(SequenceModel model, TriggerLayout layout, int length, int sequences, long seed,
                              boolean[][] ablated) {
        String problem = layout.problemAt(length);
        if (problem != null) {
            throw new IllegalArgumentException("layout: " + problem);
        }
        if (length - 1 > model.maxLength()) {
            throw new IllegalArgumentException("length: " + length + " is longer than the model can embed ("
                    + model.maxLength() + " tokens)");
        }
        InductionTask task = InductionTask.evaluation(model.hyperparameters().vocab(), layout, seed);
        try (Autograd.Scope noGrad = Autograd.noGrad(); NDManager root = NDManager.newBaseManager(model.device())) {
            return measure(model, task, layout, length, sequences, ablated, root, new Listener() { }, () -> false);
        }
    }

    private SweepPoint measure(SequenceModel model, InductionTask task, TriggerLayout layout, int length, int total,
                               boolean[][] ablated, NDManager root, Listener listener, BooleanSupplier cancelled) {
        long t0 = System.nanoTime();
        ForwardPass forward = pass(model.hyperparameters(), length).withAblated(ablated);
        int[] correct = new int[1];
        inPasses(model, task, length, total, root, cancelled, "at length " + length,
                (batch, tokens) -> correct[0] += Logits.countCorrect(model.forward(tokens, forward), batch.answers()),
                done -> listener.onSequences(length, done, total));
        Precision used = model.computesIn(precision) ? precision : Precision.FP32;
        return SweepPoint.of(length, layout.toString(), total, correct[0], (System.nanoTime() - t0) / 1e9, used.label());
    }
}
