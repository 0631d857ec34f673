package org.inductionlab.engine;

import org.inductionlab.engine.task.TokenFile;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TokenFileTest {

    @Test
    void readsLinesOfIds() {
        List<int[]> lines = TokenFile.parse("1 2 16 3\n4 5\n\n", 16, "t.txt");
        assertEquals(2, lines.size());
        assertArrayEquals(new int[] {1, 2, 16, 3}, lines.get(0));
    }

    @Test
    void errorsNameTheLineAndTheToken() {
        var e = assertThrows(TokenFile.TokenFileException.class, () -> TokenFile.parse("1 2 3\n4 17 5\n", 16, "t.txt"));
        assertEquals("t.txt line 2, token 2: 17 is outside 0..16 (16 is the induction token S)", e.getMessage());
        e = assertThrows(TokenFile.TokenFileException.class, () -> TokenFile.parse("1 2\n\n3 4\n", 16, "t.txt"));
        assertEquals("t.txt line 2: empty line", e.getMessage());
        e = assertThrows(TokenFile.TokenFileException.class, () -> TokenFile.parse("1 2\n7\n", 16, "t.txt"));
        assertEquals("t.txt line 2: 1 token, need at least 2", e.getMessage());
        e = assertThrows(TokenFile.TokenFileException.class, () -> TokenFile.parse("1 x 3\n", 16, "t.txt"));
        assertEquals("t.txt line 1, token 2: 'x' is not a number", e.getMessage());
        e = assertThrows(TokenFile.TokenFileException.class, () -> TokenFile.parse("-1 2\n", 16, "t.txt"));
        assertTrue(e.getMessage().startsWith("t.txt line 1, token 1: -1 is outside"));
    }
}
