package org.inductionlab.ui.sweep;

import org.inductionlab.engine.run.AtomicFiles;
import org.inductionlab.engine.run.SweepPoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Sweep page's CSV export: every plotted point, and the paper's Table 11 rows when they are shown. UTF-8
 * with a byte-order mark, so a spreadsheet opens series names such as "lr=0.001 · seed 0" as written rather
 * than in its local code page.
 */
final class SweepCsv {
    private SweepCsv() {}

    /** U+FEFF, written first: how a spreadsheet tells UTF-8 from its own code page. */
    static final String BOM = "\uFEFF";

    static void write(Path file, Map<String, List<SweepPoint>> points, boolean withReference) throws IOException {
        StringBuilder sb = new StringBuilder(BOM + "series," + SweepPoint.CSV_HEADER + "\n");
        points.forEach((name, pts) -> pts.forEach(p -> sb.append(name.replace(',', ' ')).append(',')
                .append(p.toCsv()).append('\n')));
        if (withReference) {
            ReferenceResults.table11().forEach((name, acc) -> {
                for (int i = 0; i < acc.length; i++) {
                    sb.append(name).append(',').append(1 << (ReferenceResults.FIRST_EXPONENT + i)).append(",paper,,,")
                            .append(String.format(Locale.ROOT, "%.6f", acc[i] / 100))
                            .append(",,,,\n"); // no interval, time or precision, but all 10 columns
                }
            });
        }
        AtomicFiles.writeString(file, sb.toString());
    }
}
