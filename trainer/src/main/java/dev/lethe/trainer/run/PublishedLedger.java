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
 * An append-only file next to the checkpoints listing every {@code checkpointId sha256} already delivered to one
 * destination, so a rerun after a crash between "checkpoint written" and "event published" publishes exactly the
 * missing events. A line is appended (and forced to disk) only after the sink acknowledged the event. The file is
 * {@code published.ledger} for the default destination, {@code published-<destination>.ledger} otherwise.
 */
final class PublishedLedger {

    static final String FILE_NAME = "published.ledger";
    static final String DEFAULT_DESTINATION = "default";

    private final Path file;
    private final Set<String> entries = new HashSet<>();

    PublishedLedger(Path dir, String destination) throws IOException {
        this.file = dir.resolve(fileName(destination));
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

    /** A file-name-safe ledger name per destination (cluster ids are base64url; topics are [a-zA-Z0-9._-]). */
    static String fileName(String destination) {
        if (destination == null || destination.equals(DEFAULT_DESTINATION)) {
            return FILE_NAME;
        }
        return "published-" + destination.replaceAll("[^A-Za-z0-9._-]", "_") + ".ledger";
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
