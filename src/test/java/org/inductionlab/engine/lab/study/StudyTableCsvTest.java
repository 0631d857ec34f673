package org.inductionlab.engine.lab.study;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A study table's CSV keeps one field per column when a setting's text holds a comma (layer_positional). */
class StudyTableCsvTest {

    @Test
    void valuesWithCommasOrQuotesAreQuotedAsRfc4180Says() {
        assertEquals("window-none", StudyTable.quoted("window-none"));
        assertEquals("\"window:2,none\"", StudyTable.quoted("window:2,none"));
        assertEquals("\"say \"\"hi\"\"\"", StudyTable.quoted("say \"hi\""));
    }
}
