package org.inductionlab.engine.lab.study;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.inductionlab.engine.run.AtomicFiles;
import org.inductionlab.engine.run.RunFolderException;
import org.inductionlab.engine.run.RunNames;
import org.inductionlab.engine.run.Runs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A study folder: {@code study.json} (the checked spec, its runs in order, and the Slurm jobs submitted for
 * it) and one ordinary run folder per point under {@code runs/}. Logs of local and Slurm tasks go to
 * {@code logs/}, job scripts to {@code slurm/}. Nothing is ever written outside the folder.
 */
public final class Study {

    public static final String FILE = "study.json";
    public static final String RUNS = "runs";
    public static final String LOGS = "logs";
    public static final String SLURM = "slurm";
    public static final int FORMAT = 1;

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** One run of the study: its place in the array, its folder name and the settings it varies. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Run(@JsonProperty("name") String name, @JsonProperty("variant") String variant,
                      @JsonProperty("values") Map<String, String> values) {}

    /** A Slurm job array submitted for some of the runs. */
    public record Submission(@JsonProperty("job_id") String jobId, @JsonProperty("runs") List<Integer> runs,
                             @JsonProperty("script") String script, @JsonProperty("submitted") String submitted) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Stored(@JsonProperty("format") int format,
                  @JsonProperty("name") String name,
                  @JsonProperty("created") String created,
                  @JsonProperty("spec") JsonNode spec,
                  @JsonProperty("varied") List<String> varied,
                  @JsonProperty("eval") StudySpec.Evaluation evaluation,
                  @JsonProperty("runs") List<Run> runs,
                  @JsonProperty("submissions") List<Submission> submissions) {}

    private final Path dir;
    private Stored stored;

    private Study(Path dir, Stored stored) {
        this.dir = dir;
        this.stored = stored;
    }

    /**
     * Refuses a folder a study cannot be planned in: one that exists and is not empty. {@link #plan} checks
     * it too; a front end calls it first so that it says nothing about the plan before refusing.
     */
    public static void checkNewFolder(Path dir) throws IOException {
        if (Files.exists(dir)) {
            boolean empty;
            try (Stream<Path> s = Files.isDirectory(dir) ? Files.list(dir) : Stream.of(dir)) {
                empty = s.findAny().isEmpty();
            }
            if (!empty) {
                throw new RunFolderException(dir + " already exists; choose a new folder for the study", "run_folder");
            }
        }
    }

    /**
     * Writes the study folder {@code dir}: study.json and one planned run folder per point. {@code dir}
     * must not exist or be empty. The folder is built beside it and renamed into place, so a failure
     * leaves nothing half-written.
     */
    public static Study plan(StudySpec spec, Path dir) throws IOException {
        checkNewFolder(dir);
        List<StudySpec.Point> points = spec.points();
        Path parent = dir.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path work = Files.createTempDirectory(parent, "." + dir.getFileName() + ".planning-");
        try {
            List<Run> runs = new ArrayList<>();
            for (StudySpec.Point p : points) {
                Runs.plan(work.resolve(RUNS).resolve(p.name()), spec.hyperparameters(p.values(), p.name()),
                        spec.preset().name());
                runs.add(new Run(p.name(), p.variant(), p.values()));
            }
            Files.createDirectories(work.resolve(LOGS));
            Stored s = new Stored(FORMAT, spec.name(), Instant.now().toString(), spec.toJson(), spec.variedKeys(),
                    spec.evaluation(), runs, List.of());
            AtomicFiles.write(work.resolve(FILE), out -> JSON.writeValue(out, s));
            Files.deleteIfExists(dir); // an empty folder the user made for it
            Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(work)) {
                try (Stream<Path> w = Files.walk(work)) {
                    for (Path p : w.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
        return open(dir);
    }

    /** Whether {@code dir} holds a study (its study.json). */
    public static boolean isStudy(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE));
    }

    /** Opens a study folder; a clear error when it is not one or its study.json was damaged. */
    public static Study open(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new RunFolderException(dir + " is not a study folder: " + FILE + " is missing", "study");
        }
        Stored s;
        try {
            s = JSON.readValue(file.toFile(), Stored.class);
        } catch (IOException e) {
            throw new RunFolderException(file + " is not a valid study file: " + e.getMessage().split("\n")[0], "study");
        }
        if (s.runs() == null || s.runs().isEmpty() || s.evaluation() == null) {
            throw new RunFolderException(file + " lists no runs", "study");
        }
        for (Run r : s.runs()) {
            // the names become paths and job-script arguments: only plain names, never "../" or quotes
            if (RunNames.problem(r.name()) != null || (r.variant() != null && RunNames.problem(r.variant()) != null)) {
                throw new RunFolderException(file + ": run name '" + r.name() + "' is not allowed ("
                        + RunNames.problem(r.name()) + ")", "study");
            }
        }
        return new Study(dir, s.submissions() == null
                ? new Stored(s.format(), s.name(), s.created(), s.spec(), s.varied(), s.evaluation(), s.runs(), List.of())
                : s);
    }

    public Path path() {
        return dir;
    }

    public String name() {
        return stored.name();
    }

    public List<Run> runs() {
        return stored.runs();
    }

    /** Whether the run folder {@code run} is one of this study's (it sits in the study's runs/ folder). */
    public boolean holds(Path run) {
        Path parent = run.toAbsolutePath().normalize().getParent();
        return parent != null && parent.equals(path().resolve(RUNS).toAbsolutePath().normalize());
    }

    /** The run folder of run {@code index}. */
    public Path runPath(int index) {
        if (index < 0 || index >= runs().size()) {
            throw new org.inductionlab.engine.config.InvalidConfigException("index", index + " is out of range (allowed: 0.."
                    + (runs().size() - 1) + ")");
        }
        return dir.resolve(RUNS).resolve(runs().get(index).name());
    }

    /** Whether the runs are named variants (a "variant" column in tables, a key to group by). */
    public boolean namedVariants() {
        return runs().get(0).variant() != null;
    }

    /** What runs can be grouped by: "variant" when the runs are named variants, then the varied settings. */
    public List<String> groupKeys() {
        List<String> out = new ArrayList<>();
        if (namedVariants()) {
            out.add("variant");
        }
        out.addAll(variedKeys());
        return out;
    }

    /** The settings that differ between runs (the columns a table groups by). */
    public List<String> variedKeys() {
        return stored.varied() == null ? List.of() : stored.varied();
    }

    public StudySpec.Evaluation evaluation() {
        return stored.evaluation();
    }

    /** The spec as it was checked and planned. */
    public JsonNode spec() {
        return stored.spec();
    }

    public List<Submission> submissions() {
        return stored.submissions();
    }

    public Path logs() {
        return dir.resolve(LOGS);
    }

    /** Records a Slurm job submitted for this study (study.json is rewritten atomically). */
    public synchronized void recordSubmission(Submission sub) throws IOException {
        List<Submission> all = new ArrayList<>(submissions());
        all.add(sub);
        Stored s = new Stored(stored.format(), stored.name(), stored.created(), stored.spec(), stored.varied(),
                stored.evaluation(), stored.runs(), List.copyOf(all));
        AtomicFiles.write(dir.resolve(FILE), out -> JSON.writeValue(out, s));
        stored = s;
    }
}
