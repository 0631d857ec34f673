package org.inductionlab.engine.run;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.inductionlab.engine.config.HyperparameterSchema;
import org.inductionlab.engine.config.Hyperparameters;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A run on disk:
 * <pre>
 *   config.json      every hyperparameter, versions, device, progress (RunInfo)
 *   checkpoint.zip   trained_with.json (the task and model settings the weights belong to), state.json,
 *                    parameters.ndlist + optimizer.ndlist (DJL's NDList encoding)
 *   metrics.csv      the training curve
 *   sweep.csv        accuracy per length and layout
 * </pre>
 * config.json, the checkpoint and sweep.csv are replaced atomically; metrics.csv is appended and cut
 * back to the checkpoint's step on resume. A run whose config.json no longer agrees with the settings its
 * checkpoint was trained with is refused on opening, naming the setting.
 */
public final class RunFolder {

    public static final String CONFIG = "config.json";
    public static final String CHECKPOINT = "checkpoint.zip";
    public static final String METRICS = "metrics.csv";
    public static final String SWEEP = "sweep.csv";
    public static final String HEADS = "heads.csv";
    public static final String GENERALISATION = "generalisation.csv";
    /** The checkpoint's entry recording the settings its weights were trained with. */
    static final String TRAINED_WITH = "trained_with.json";

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path dir;
    private RunInfo info;
    private Path replacedRun;

    private RunFolder(Path dir, RunInfo info) {
        this.dir = dir;
        this.info = info;
    }

    /**
     * Starts a new run in {@code dir}. An existing run there is refused unless {@code force}, in which case
     * it is moved aside to {@code DIR.replaced-TIMESTAMP} rather than deleted. Returns the new folder; the
     * path the old run went to, if any, is in {@link #replacedRun()}.
     */
    public static RunFolder create(Path dir, RunInfo info, boolean force) throws IOException {
        Path replaced = null;
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new RunFolderException(dir + " is a file, not a run folder", "run_folder");
            }
            boolean empty;
            try (var s = Files.list(dir)) {
                empty = s.findAny().isEmpty();
            }
            if (!empty) {
                if (!Files.exists(dir.resolve(CONFIG))) {
                    throw new RunFolderException(dir + " exists and is not a run folder; choose another folder", "run_folder");
                }
                if (!force) {
                    throw RunFolderException.holdsRun(dir);
                }
                String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
                replaced = dir.resolveSibling(dir.getFileName() + ".replaced-" + stamp);
                Files.move(dir, replaced);
            }
        }
        Files.createDirectories(dir);
        RunFolder folder = new RunFolder(dir, info);
        folder.replacedRun = replaced;
        folder.writeInfo(info);
        return folder;
    }

    /** Where {@link #create} moved a run it replaced, or null. */
    public Path replacedRun() {
        return replacedRun;
    }

    /** Opens an existing run; a clear {@link RunFolderException} when it is missing or unreadable. */
    public static RunFolder open(Path dir) {
        Path config = dir.resolve(CONFIG);
        if (!Files.isDirectory(dir)) {
            throw new RunFolderException("no run folder at " + dir, "run_folder");
        }
        if (!Files.exists(config)) {
            throw new RunFolderException(dir + " is not a run folder: " + CONFIG + " is missing", "run_folder");
        }
        RunInfo info;
        try {
            info = JSON.readValue(config.toFile(), RunInfo.class);
        } catch (IOException e) {
            throw new RunFolderException(config + " is not valid run JSON: " + jsonProblem(e), e);
        }
        if (info == null || info.hyperparameters() == null) {
            throw new RunFolderException(config + " has no hyperparameters");
        }
        RunFolder folder = new RunFolder(dir, info);
        HyperparameterSchema.Parsed parsed = HyperparameterSchema.parse(info.hyperparameters());
        if (!parsed.ok()) {
            throw new RunFolderException(config + ": " + parsed.problems().get(0));
        }
        folder.checkTrainedWith(parsed.value());
        return folder;
    }

    public Path path() {
        return dir;
    }

    public String name() {
        return dir.getFileName().toString();
    }

    public RunInfo info() {
        return info;
    }

    public Hyperparameters hyperparameters() {
        HyperparameterSchema.Parsed parsed = HyperparameterSchema.parse(info.hyperparameters());
        if (!parsed.ok()) {
            throw new RunFolderException(dir.resolve(CONFIG) + ": " + parsed.problems().get(0));
        }
        return parsed.value();
    }

    public synchronized void writeInfo(RunInfo newInfo) throws IOException {
        AtomicFiles.write(dir.resolve(CONFIG), out -> JSON.writeValue(out, newInfo));
        info = newInfo;
    }

    public void updateTraining(RunInfo.Training training) throws IOException {
        writeInfo(info.withTraining(training));
    }

    // ---- checkpoint ----------------------------------------------------------------------------------

    /** What a checkpoint restores. {@code optimizer} is null for a model-only checkpoint. */
    public record Checkpoint(TrainingState state, NDList parameters, NDList optimizer) implements AutoCloseable {
        @Override
        public void close() {
            parameters.close();
            if (optimizer != null) {
                optimizer.close();
            }
        }
    }

    public boolean hasCheckpoint() {
        return Files.exists(dir.resolve(CHECKPOINT));
    }

    /**
     * Replaces the checkpoint atomically. {@code optimizer} may be null (model only, e.g. the demo run).
     * The task and model settings of config.json go with it, so a later edit of config.json that the
     * weights do not belong to is caught (see {@link #trainedWith()}).
     */
    public void writeCheckpoint(TrainingState state, NDList parameters, NDList optimizer) throws IOException {
        byte[] stateJson = JSON.writeValueAsBytes(state);
        byte[] trainedWith = JSON.writeValueAsBytes(new TrainedWith(fixedSettings(hyperparameters())));
        AtomicFiles.write(dir.resolve(CHECKPOINT), out -> {
            try (ZipOutputStream zip = new ZipOutputStream(out)) {
                zip.putNextEntry(new ZipEntry(TRAINED_WITH));
                zip.write(trainedWith);
                zip.closeEntry();
                zip.putNextEntry(new ZipEntry("state.json"));
                zip.write(stateJson);
                zip.closeEntry();
                zip.putNextEntry(new ZipEntry("parameters.ndlist"));
                parameters.encode(new AtomicFiles.NonClosing(zip));
                zip.closeEntry();
                if (optimizer != null) {
                    zip.putNextEntry(new ZipEntry("optimizer.ndlist"));
                    optimizer.encode(new AtomicFiles.NonClosing(zip));
                    zip.closeEntry();
                }
            }
        });
    }

    /** What {@link #TRAINED_WITH} holds: each task and model setting as config.json writes it. */
    private record TrainedWith(@JsonProperty("settings") Map<String, String> settings) {}

    /** The settings of {@code hp} that its weights belong to, as text, in the schema's order. */
    static Map<String, String> fixedSettings(Hyperparameters hp) {
        Map<String, String> out = new LinkedHashMap<>();
        for (HyperparameterSchema.Field f : HyperparameterSchema.FIELDS) {
            if (f.fixedByWeights()) {
                out.put(f.key(), f.format(f.get(hp)));
            }
        }
        return out;
    }

    /**
     * The task and model settings the checkpoint's weights were trained with, or null when there is no
     * checkpoint, it predates this record (the shipped demo runs, say), or it cannot be read (reading the
     * weights says what is wrong). Reads that one small entry, not the weights.
     */
    public Map<String, String> trainedWith() {
        Path file = dir.resolve(CHECKPOINT);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry e = zip.getEntry(TRAINED_WITH);
            if (e == null) {
                return null;
            }
            try (InputStream in = zip.getInputStream(e)) {
                return JSON.readValue(in, TrainedWith.class).settings();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Refuses a config.json whose task or model settings differ from those the checkpoint was trained
     * with: a hand edit that still fits the weights' shapes (heads 4 to 8, another layout) would otherwise
     * change the model silently. Settings that may change on resume are not recorded, so not checked;
     * a setting the record does not name (added to the lab later) takes its default and is not checked.
     */
    private void checkTrainedWith(Hyperparameters hp) {
        Map<String, String> trained = trainedWith();
        if (trained == null) {
            return;
        }
        for (HyperparameterSchema.Field f : HyperparameterSchema.FIELDS) {
            String was = trained.get(f.key());
            if (was == null || !f.fixedByWeights()) {
                continue;
            }
            Object now = f.get(hp);
            Object before;
            try {
                before = f.parse(was);
            } catch (RuntimeException e) {
                before = was; // no longer a valid value: compared as text
            }
            if (!before.equals(now) && !f.format(now).equals(was.trim())) {
                throw new RunFolderException(dir.resolve(CONFIG) + ": " + f.key() + " is " + f.format(now)
                        + " but the checkpoint was trained with " + was.trim()
                        + " (set it back: the weights belong to the settings they were trained with)");
            }
        }
    }

    /** Reads the checkpoint; arrays are created on {@code manager}. */
    public Checkpoint readCheckpoint(NDManager manager) {
        Path file = dir.resolve(CHECKPOINT);
        TrainingState state = null;
        NDList params = null;
        NDList optimizer = null;
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                byte[] bytes = readAll(zip);
                switch (e.getName()) {
                    case "state.json" -> state = JSON.readValue(bytes, TrainingState.class);
                    case "parameters.ndlist" -> params = NDList.decode(manager, bytes);
                    case "optimizer.ndlist" -> optimizer = NDList.decode(manager, bytes);
                    default -> { }
                }
            }
        } catch (NoSuchFileException e) {
            throw new RunFolderException(dir + " has no checkpoint yet (" + CHECKPOINT + " is missing)");
        } catch (IOException | RuntimeException e) {
            closeQuietly(params, optimizer);
            throw new RunFolderException(file + " is corrupt: " + firstLine(e.getMessage()), e);
        }
        if (state == null || params == null) {
            closeQuietly(params, optimizer);
            throw new RunFolderException(file + " is incomplete (" + (state == null ? "state.json" : "parameters.ndlist")
                    + " missing)");
        }
        return new Checkpoint(state, params, optimizer);
    }

    private static void closeQuietly(NDList a, NDList b) {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        in.transferTo(buf);
        return buf.toByteArray();
    }

    // ---- metrics.csv ----------------------------------------------------------------------------------

    public synchronized void appendMetrics(List<MetricsRow> rows) throws IOException {
        if (rows.isEmpty()) {
            return;
        }
        Path file = dir.resolve(METRICS);
        StringBuilder sb = new StringBuilder();
        if (!Files.exists(file)) {
            sb.append(MetricsRow.CSV_HEADER).append('\n');
        }
        for (MetricsRow r : rows) {
            sb.append(r.toCsv()).append('\n');
        }
        Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The training curve; a half-written last line (after a crash) is skipped. */
    public List<MetricsRow> readMetrics() throws IOException {
        return readRows(METRICS, MetricsRow::parseCsv);
    }

    /** The rows of one of the run's CSV files after its header; an unreadable line (an interrupted append) is skipped. */
    private <T> List<T> readRows(String name, java.util.function.Function<String, T> parse) throws IOException {
        Path file = dir.resolve(name);
        List<T> rows = new ArrayList<>();
        if (!Files.exists(file)) {
            return rows;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 1; i < lines.size(); i++) {
            try {
                rows.add(parse.apply(lines.get(i)));
            } catch (RuntimeException e) {
                // an interrupted append; the checkpoint, not the log, is the truth
            }
        }
        return rows;
    }

    /** Drops rows after {@code lastStep} (work lost since the checkpoint), atomically. */
    public synchronized void truncateMetrics(long lastStep) throws IOException {
        rewriteRows(METRICS, MetricsRow.CSV_HEADER, readMetrics().stream().filter(r -> r.step() <= lastStep)
                .map(MetricsRow::toCsv).toList());
    }

    /** Appends CSV lines to {@code name}, with {@code header} first when the file is new. */
    private void appendRows(String name, String header, List<String> lines) throws IOException {
        Path file = dir.resolve(name);
        StringBuilder sb = new StringBuilder();
        if (!Files.exists(file)) {
            sb.append(header).append('\n');
        }
        lines.forEach(l -> sb.append(l).append('\n'));
        Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Replaces {@code name} with {@code header} and {@code lines}, atomically (a resume's cut back). */
    private void rewriteRows(String name, String header, List<String> lines) throws IOException {
        StringBuilder sb = new StringBuilder(header).append('\n');
        lines.forEach(l -> sb.append(l).append('\n'));
        AtomicFiles.writeString(dir.resolve(name), sb.toString());
    }

    // ---- heads.csv: every head's scores as training went -------------------------------------------------

    public synchronized void appendHeadScores(List<HeadScoreRow> rows) throws IOException {
        appendRows(HEADS, HeadScoreRow.CSV_HEADER, rows.stream().map(HeadScoreRow::toCsv).toList());
    }

    public List<HeadScoreRow> readHeadScores() throws IOException {
        return readRows(HEADS, HeadScoreRow::parseCsv);
    }

    /** On resume: drops the rows after the checkpoint's step, as {@link #truncateMetrics} does. */
    public synchronized void truncateHeadScores(long lastStep) throws IOException {
        if (Files.exists(dir.resolve(HEADS))) {
            rewriteRows(HEADS, HeadScoreRow.CSV_HEADER, readHeadScores().stream().filter(r -> r.step() <= lastStep)
                    .map(HeadScoreRow::toCsv).toList());
        }
    }

    // ---- generalisation.csv: the held-out set at longer lengths as training went ------------------------

    public synchronized void appendGeneralisation(List<GeneralisationRow> rows) throws IOException {
        appendRows(GENERALISATION, GeneralisationRow.CSV_HEADER, rows.stream().map(GeneralisationRow::toCsv).toList());
    }

    public List<GeneralisationRow> readGeneralisation() throws IOException {
        return readRows(GENERALISATION, GeneralisationRow::parseCsv);
    }

    /** On resume: drops the rows after the checkpoint's step, as {@link #truncateMetrics} does. */
    public synchronized void truncateGeneralisation(long lastStep) throws IOException {
        if (Files.exists(dir.resolve(GENERALISATION))) {
            rewriteRows(GENERALISATION, GeneralisationRow.CSV_HEADER, readGeneralisation().stream()
                    .filter(r -> r.step() <= lastStep).map(GeneralisationRow::toCsv).toList());
        }
    }

    // ---- sweep.csv ------------------------------------------------------------------------------------

    public List<SweepPoint> readSweep() throws IOException {
        Path file = dir.resolve(SWEEP);
        List<SweepPoint> points = new ArrayList<>();
        if (!Files.exists(file)) {
            return points;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                try {
                    points.add(SweepPoint.parseCsv(lines.get(i)));
                } catch (RuntimeException e) {
                    throw new RunFolderException(file + " line " + (i + 1) + " is not a sweep row: " + e.getMessage());
                }
            }
        }
        return points;
    }

    /** Adds points, replacing earlier ones of the same length and layout, atomically. */
    public synchronized void mergeSweep(List<SweepPoint> points) throws IOException {
        Map<String, SweepPoint> byKey = new LinkedHashMap<>();
        for (SweepPoint p : readSweep()) {
            byKey.put(p.layout() + "@" + p.length(), p);
        }
        for (SweepPoint p : points) {
            byKey.put(p.layout() + "@" + p.length(), p);
        }
        List<SweepPoint> all = new ArrayList<>(byKey.values());
        all.sort(Comparator.comparing(SweepPoint::layout).thenComparingInt(SweepPoint::length));
        StringBuilder sb = new StringBuilder(SweepPoint.CSV_HEADER).append('\n');
        all.forEach(p -> sb.append(p.toCsv()).append('\n'));
        AtomicFiles.writeString(dir.resolve(SWEEP), sb.toString());
    }

    /**
     * What is wrong with a JSON file, in one line a user can act on (where it breaks, or which field has
     * the wrong kind of value), rather than the parser's own message with its source dump.
     */
    static String jsonProblem(IOException e) {
        if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m) {
            String field = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(java.util.stream.Collectors.joining(".")).replace(".[", "[");
            if (field.isEmpty()) {
                return m.getOriginalMessage().startsWith("No content") ? "the file is empty"
                        : "it is not a JSON object {…}";
            }
            return field + " should be " + kind(m.getTargetType());
        }
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null) {
            String where = "line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr();
            boolean early = e instanceof com.fasterxml.jackson.core.io.JsonEOFException
                    || String.valueOf(j.getOriginalMessage()).contains("end-of-input");
            return early ? "it ends at " + where + " before every { and [ is closed"
                    : "it is not JSON at " + where;
        }
        return firstLine(e.getMessage());
    }

    private static String kind(Class<?> type) {
        if (type == null) {
            return "another kind of value";
        }
        if (type == int.class || type == long.class || type == Integer.class || type == Long.class) {
            return "a whole number";
        }
        if (type == double.class || type == Double.class) {
            return "a number";
        }
        if (type == String.class) {
            return "text in quotes";
        }
        return "an object {…}";
    }

    static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

}
