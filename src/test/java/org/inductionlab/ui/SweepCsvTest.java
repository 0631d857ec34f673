package org.inductionlab.ui;

import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.run.RunFolder;
import org.inductionlab.engine.run.Runs;
import org.inductionlab.engine.run.SweepPoint;
import org.inductionlab.ui.sweep.SweepViewModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The Sweep page's CSV export, on its view model (no window, no engine). */
class SweepCsvTest {

    @TempDir
    Path home;

    /** Issue 21, words: the paper's Table 11 rows had 9 fields under the 10-column header. */
    @Test
    void everyRowHasAsManyFieldsAsTheHeaderTheRunsAndTheTable11Rows() throws Exception {
        System.setProperty("inductionlab.home", home.toString());
        LabContext ctx = new LabContext(LabSettings.load(), TaskExecutor.inline());
        RunFolder folder = Runs.plan(ctx.runs().directory().resolve("swept"), TestConfigs.tiny(), "tiny");
        folder.mergeSweep(List.of(SweepPoint.of(64, "fixed:5", 10, 9, 1), SweepPoint.of(128, "fixed:5", 10, 4, 1)));
        ctx.runs().refresh();
        SweepViewModel vm = new SweepViewModel(ctx);
        vm.add(ctx.runs().find("swept").orElseThrow());
        vm.showReference().set(true);
        Path csv = home.resolve("sweep.csv");
        vm.exportCsv(csv);

        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(csv));
        assertTrue(lines.get(0).startsWith("\uFEFFseries,"), "a UTF-8 byte-order mark first: " + lines.get(0));
        lines.set(0, lines.get(0).substring(1));
        int columns = lines.get(0).split(",", -1).length;
        assertEquals(10, columns, lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.contains(",64,fixed:5,10,9,0.900000,")), "the run's rows: " + lines);
        assertTrue(lines.contains("MHA-xPos (Mamba paper),1024,paper,,,0.676000,,,,"),
                "the paper's rows, their accuracy written as the runs' is: " + lines);
        for (String line : lines) {
            assertEquals(columns, line.split(",", -1).length, line);
        }
    }

    /** Issue 21, words: series names with "·" broke in a spreadsheet, which reads a CSV without a BOM as Latin-1. */
    @Test
    void theCsvStartsWithAUtf8ByteOrderMarkSoAMiddleDotOpensAsWritten() throws Exception {
        System.setProperty("inductionlab.home", home.toString());
        LabContext ctx = new LabContext(LabSettings.load(), TaskExecutor.inline());
        RunFolder folder = Runs.plan(ctx.runs().directory().resolve("lr=0.001·seed 0"), TestConfigs.tiny(), "tiny");
        folder.mergeSweep(List.of(SweepPoint.of(64, "fixed:5", 10, 9, 1)));
        ctx.runs().refresh();
        SweepViewModel vm = new SweepViewModel(ctx);
        vm.add(ctx.runs().find("lr=0.001·seed 0").orElseThrow());
        Path csv = home.resolve("dot.csv");
        vm.exportCsv(csv);
        byte[] bytes = Files.readAllBytes(csv);
        assertArrayEquals(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, java.util.Arrays.copyOf(bytes, 3),
                "UTF-8's byte-order mark");
        String text = new String(bytes, 3, bytes.length - 3, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.startsWith("series,"), text);
        assertTrue(text.contains("\nlr=0.001·seed 0"), "the name in UTF-8 (· is C2 B7): " + text);
    }
}
