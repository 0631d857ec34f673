package org.inductionlab.engine.platform;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The relaunched child: asked for the vector API, and its JVM's incubator notice kept from the user. */
class NativeTuningTest {

    private static String passed(String childStderr) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NativeTuning.passErrors(new ByteArrayInputStream(childStderr.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theIncubatorNoticeIsDroppedAndEverythingElsePassed() {
        String error = "train: lr must be above 0 and at most 1, got 5\n";
        assertEquals(error, passed(NativeTuning.INCUBATOR_NOTICE + "\n" + error));
        assertEquals(error, passed(error), "a first line that is not the notice is kept");
        assertEquals("", passed(NativeTuning.INCUBATOR_NOTICE + "\n"));
        assertEquals("", passed(""));
        assertEquals("no newline", passed("no newline"));
        String later = error + NativeTuning.INCUBATOR_NOTICE + "\n";
        assertEquals(later, passed(later), "only the JVM's first line can be its notice");
    }

    @Test
    void theChildIsAskedForTheVectorApiOnce() {
        List<String> cmd = NativeTuning.commandLine(NativeTuningTest.class, new String[] {"bench"});
        assertNotNull(cmd);
        // the tests' JVM was started with it (the pom), so it is passed on with the JVM's options, not added again
        assertEquals(1, cmd.stream().filter(o -> o.contains(NativeTuning.VECTOR_MODULE)).count(), cmd.toString());
        assertEquals("bench", cmd.get(cmd.size() - 1));
    }
}
