package org.inductionlab.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Layers point inward: the engine knows nothing of JavaFX or of its front ends. */
class ArchitectureTest {

    @Test
    void theEngineImportsNoJavaFxAndNoFrontEnd() throws IOException {
        Path engine = Path.of("src/main/java/org/inductionlab/engine");
        assertTrue(Files.isDirectory(engine));
        List<String> offenders;
        try (Stream<Path> files = Files.walk(engine)) {
            offenders = files.filter(p -> p.toString().endsWith(".java")).filter(p -> {
                try {
                    return Files.readAllLines(p).stream().anyMatch(l -> l.startsWith("import javafx")
                            || l.startsWith("import org.inductionlab.ui") || l.startsWith("import org.inductionlab.cli")
                            || l.contains("javafx.") && !l.trim().startsWith("*") && !l.trim().startsWith("//"));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }).map(Path::toString).toList();
        }
        assertEquals(List.of(), offenders);
    }
}
