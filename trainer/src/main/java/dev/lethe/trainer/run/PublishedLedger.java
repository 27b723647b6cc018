package dev.lethe.trainer.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * An append-only file next to the checkpoints listing every {@code checkpointId sha256} already delivered, so a
 * rerun after a crash between "checkpoint written" and "event published" publishes exactly the missing events.
 * A line is appended (and forced to disk) only after the sink acknowledged the event.
 */
final class PublishedLedger {

    static final String FILE_NAME = "published.ledger";

    private final Path file;
    private final Set<String> entries = new HashSet<>();

    PublishedLedger(Path dir) throws IOException {
        this.file = dir.resolve(FILE_NAME);
        if (Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                // a torn last line (crash mid-append) is not a complete entry and is simply ignored
                String[] parts = line.trim().split(" ");
                if (parts.length == 2 && parts[1].length() == 64) {
                    entries.add(line.trim());
                }
            }
        }
    }

    boolean contains(String checkpointId, String sha256) {
        return entries.contains(checkpointId + " " + sha256);
    }

    void record(String checkpointId, String sha256) throws IOException {
        String entry = checkpointId + " " + sha256;
        Files.createDirectories(file.getParent());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            // start on a fresh line even if a previous append was torn
            String text = (ch.size() > 0 && !endsWithNewline() ? "\n" : "") + entry + "\n";
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        entries.add(entry);
    }

    private boolean endsWithNewline() throws IOException {
        byte[] all = Files.readAllBytes(file);
        return all.length == 0 || all[all.length - 1] == '\n';
    }
}
