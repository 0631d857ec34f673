package org.inductionlab.engine;

import org.inductionlab.engine.config.HyperparameterSchema;
import org.inductionlab.engine.config.Hyperparameters;
import org.inductionlab.engine.run.AtomicFiles;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.RunFolderException;
import org.inductionlab.engine.run.Runs;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.engine.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class RunFolderTest {

    @TempDir
    Path tmp;

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporaries() throws Exception {
        Path f = tmp.resolve("a.txt");
        AtomicFiles.writeString(f, "old");
        assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("half of the new".getBytes());
            throw new IOException("disk full");
        }));
        assertEquals("old", Files.readString(f));
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(f), s.toList());
        }
    }

    @Test
    void anExistingRunIsNotOverwrittenWithoutForce() throws Exception {
        Hyperparameters hp = TestConfigs.tiny("max_steps=3");
        Path dir = tmp.resolve("run");
        RunFolder first = Runs.create(dir, hp, "test", false);
        new Trainer(hp, first, null, null).run(false);
        byte[] checkpoint = Files.readAllBytes(dir.resolve(RunFolder.CHECKPOINT));

        var e = assertThrows(RunFolderException.class, () -> Runs.create(dir, hp, "test", false));
        assertEquals("run_folder", e.badInputKey());
        assertTrue(e.holdsRun());
        assertArrayEquals(checkpoint, Files.readAllBytes(dir.resolve(RunFolder.CHECKPOINT)), "untouched");

        RunFolder replaced = Runs.create(dir, hp, "test", true);
        assertNotNull(replaced.replacedRun());
        assertArrayEquals(checkpoint, Files.readAllBytes(replaced.replacedRun().resolve(RunFolder.CHECKPOINT)),
                "--force moves the old run aside");
        assertFalse(Files.exists(dir.resolve(RunFolder.CHECKPOINT)));
    }

    @Test
    void missingAndCorruptFoldersGiveClearErrors() throws Exception {
        var missing = assertThrows(RunFolderException.class, () -> RunFolder.open(tmp.resolve("nothing")));
        assertTrue(missing.getMessage().contains("no run folder"));

        Path notRun = Files.createDirectories(tmp.resolve("empty"));
        assertTrue(assertThrows(RunFolderException.class, () -> RunFolder.open(notRun)).getMessage()
                .contains("config.json is missing"));

        Path badJson = Files.createDirectories(tmp.resolve("bad"));
        Files.writeString(badJson.resolve(RunFolder.CONFIG), "{ not json");
        assertTrue(assertThrows(RunFolderException.class, () -> RunFolder.open(badJson)).getMessage()
                .contains("not valid run JSON"));

        Hyperparameters hp = TestConfigs.tiny("max_steps=2");
        RunFolder folder = Runs.create(tmp.resolve("corrupt"), hp, "test", false);
        new Trainer(hp, folder, null, null).run(false);
        Path cp = folder.path().resolve(RunFolder.CHECKPOINT);
        byte[] bytes = Files.readAllBytes(cp);
        Files.write(cp, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        try (var m = ai.djl.ndarray.NDManager.newBaseManager()) {
            var e = assertThrows(RunFolderException.class,
                    () -> org.inductionlab.engine.run.RunModels.load(RunFolder.open(folder.path()), m));
            assertTrue(e.getMessage().contains("checkpoint.zip"), e.getMessage());
        }
        assertEquals(bytes.length / 2, Files.size(cp), "reading never writes");
    }

    /** Issue 21 item 12: config.json is tied to the weights; what may change on resume stays free. */
    @Test
    void aHandEditedConfigThatStillFitsTheWeightsIsRefusedNamingTheField() throws Exception {
        Hyperparameters hp = TestConfigs.tiny("max_steps=2");
        RunFolder folder = Runs.create(tmp.resolve("edited"), hp, "test", false);
        new Trainer(hp, folder, null, null).run(false);
        Map<String, String> trained = RunFolder.open(folder.path()).trainedWith();
        assertEquals("2", trained.get("heads"), "the checkpoint records the model's settings: " + trained);
        assertFalse(trained.containsKey("lr"), "but not those that may change on resume");

        Map<String, String> original = RunFolder.open(folder.path()).info().hyperparameters();
        edit(folder, original, "heads", "4"); // d_model 16 still divides: the shapes fit
        var heads = assertThrows(RunFolderException.class, () -> RunFolder.open(folder.path()));
        assertTrue(heads.getMessage().startsWith(folder.path().resolve(RunFolder.CONFIG)
                + ": heads is 4 but the checkpoint was trained with 2"), heads.getMessage());
        assertEquals(1, heads.getMessage().lines().count());
        assertThrows(RunFolderException.class, () -> org.inductionlab.engine.lab.TrainingJob.resume(folder.path(),
                Map.of()), "nor resumed");

        edit(folder, original, "layout", "anywhere");
        assertTrue(assertThrows(RunFolderException.class, () -> RunFolder.open(folder.path())).getMessage()
                .contains("layout is anywhere but the checkpoint was trained with fixed:5"));

        for (HyperparameterSchema.Field f : HyperparameterSchema.FIELDS) {
            assertEquals(!org.inductionlab.engine.lab.TrainingJob.changeableOnResume(f.key()), f.fixedByWeights(),
                    f.key() + ": what is tied to the weights is what a resume may not change");
        }
        edit(folder, original, "lr", "0.01", "max_steps", "50", "target", "0.5", "threads", "1", "dropout", "0.0");
        assertEquals(0.01, RunFolder.open(folder.path()).hyperparameters().lr(), 1e-12,
                "optimisation, stopping and run settings may change; 0.0 is the 0 it was trained with");

        // a checkpoint from before the record (the shipped demo runs) still opens
        Path old = tmp.resolve("old");
        Files.createDirectories(old);
        Files.copy(folder.path().resolve(RunFolder.CONFIG), old.resolve(RunFolder.CONFIG));
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(folder.path().resolve(RunFolder.CHECKPOINT)));
             var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(old.resolve(RunFolder.CHECKPOINT)))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (!e.getName().equals("trained_with.json")) {
                    out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        RunFolder unrecorded = RunFolder.open(old);
        unrecorded.writeInfo(unrecorded.info().withHyperparameters(withValues(original, "heads", "4")));
        assertNull(RunFolder.open(old).trainedWith());
        for (String demo : List.of("demo-induction", "demo-position", "demo-induction-256", "demo-mamba")) {
            assertNotNull(RunFolder.open(Path.of("resources", "demo-runs", demo)).hyperparameters(), demo);
        }
    }

    private static void edit(RunFolder folder, Map<String, String> original, String... keyValues) throws IOException {
        folder.writeInfo(folder.info().withHyperparameters(withValues(original, keyValues)));
    }

    private static Map<String, String> withValues(Map<String, String> original, String... keyValues) {
        Map<String, String> h = new java.util.LinkedHashMap<>(original);
        for (int i = 0; i < keyValues.length; i += 2) {
            h.put(keyValues[i], keyValues[i + 1]);
        }
        return h;
    }

    @Test
    void sweepRowsMergeByLengthAndLayout() throws Exception {
        RunFolder folder = Runs.create(tmp.resolve("s"), TestConfigs.tiny(), "test", false);
        folder.mergeSweep(List.of(SweepPoint.of(64, "fixed:5", 10, 10, 1), SweepPoint.of(128, "fixed:5", 10, 5, 1)));
        folder.mergeSweep(List.of(SweepPoint.of(64, "fixed:5", 20, 19, 2), SweepPoint.of(64, "anywhere", 10, 1, 1)));
        List<SweepPoint> all = RunFolder.open(folder.path()).readSweep();
        assertEquals(3, all.size());
        assertEquals(20, all.stream().filter(p -> p.length() == 64 && p.layout().equals("fixed:5")).findFirst()
                .orElseThrow().sequences());
    }

    @Test
    void wilsonIntervalsMatchTheFormula() {
        double[] zero = SweepPoint.wilson(0, 10);
        assertEquals(0, zero[0], 1e-12);
        assertEquals(0.2775, zero[1], 1e-4);
        double[] all = SweepPoint.wilson(10, 10);
        assertEquals(0.7225, all[0], 1e-4);
        assertEquals(1, all[1], 1e-12);
        double[] half = SweepPoint.wilson(50, 100);
        assertEquals(0.4038, half[0], 1e-4);
        assertEquals(0.5962, half[1], 1e-4);
    }
}
