package org.inductionlab.engine.task;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Bring-your-own sequences: UTF-8, one sequence per line, token ids separated by spaces, the answer not
 * included (the model predicts the token after the last one). Trailing empty lines are ignored; anything
 * else that is wrong is an error naming the line and the token.
 */
public final class TokenFile {

    private TokenFile() {}

    /** A problem in a token file, with a message like "tokens.txt line 3, token 7: '19' is outside 0..16". */
    public static final class TokenFileException extends IllegalArgumentException {
        public TokenFileException(String message) {
            super(message);
        }
    }

    public static List<int[]> read(Path file, int vocab) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new TokenFileException(file.getFileName() + ": not UTF-8 text");
        }
        return parse(text, vocab, file.getFileName().toString());
    }

    /** Parses the text of a token file; {@code name} is used in messages. */
    public static List<int[]> parse(String text, int vocab, String name) {
        String[] lines = text.split("\r?\n", -1);
        int last = lines.length;
        while (last > 0 && lines[last - 1].isBlank()) {
            last--;
        }
        if (last == 0) {
            throw new TokenFileException(name + ": no sequences");
        }
        List<int[]> out = new ArrayList<>(last);
        for (int i = 0; i < last; i++) {
            out.add(parseLine(lines[i], vocab, name + " line " + (i + 1)));
        }
        return out;
    }

    /** Parses one line of ids; {@code where} starts each message. */
    public static int[] parseLine(String line, int vocab, String where) {
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
            throw new TokenFileException(where + ": empty line");
        }
        String[] parts = trimmed.split("[\\s,]+");
        if (parts.length < 2) {
            throw new TokenFileException(where + ": " + parts.length + " token, need at least 2");
        }
        int[] ids = new int[parts.length];
        for (int j = 0; j < parts.length; j++) {
            int id;
            try {
                id = Integer.parseInt(parts[j]);
            } catch (NumberFormatException e) {
                throw new TokenFileException(where + ", token " + (j + 1) + ": '" + parts[j] + "' is not a number");
            }
            if (id < 0 || id > vocab) {
                throw new TokenFileException(where + ", token " + (j + 1) + ": " + id + " is outside 0.." + vocab
                        + " (" + vocab + " is the induction token S)");
            }
            ids[j] = id;
        }
        return ids;
    }
}
