package dev.lethe.evaluator.suite.imported;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The JSON Lines files the importers (and the harness ingest) read: where the file is, and one parsed object per non-blank line. */
public final class JsonLines {

    /** Receives one parsed line; {@code lineNo} is 1-based, for error messages. */
    public interface LineHandler {
        void accept(int lineNo, JsonNode node) throws IOException;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLines() {
    }

    /** {@code from} itself when it is a file, else {@code from/fileName}, else {@code from/folder/fileName}. */
    static Path locate(Path from, String folder, String fileName) {
        return Files.isRegularFile(from) ? from
                : Files.isRegularFile(from.resolve(fileName)) ? from.resolve(fileName) : from.resolve(folder).resolve(fileName);
    }

    public static void forEach(Path file, LineHandler handler) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (!line.isBlank()) {
                    handler.accept(lineNo, JSON.readTree(line));
                }
            }
        }
    }
}
