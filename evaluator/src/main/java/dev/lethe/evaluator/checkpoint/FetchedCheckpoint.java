package dev.lethe.evaluator.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A worker-private copy of a checkpoint whose bytes matched the published sha256; deleted on close.
 * Loading from this copy (never from the original path) closes the check-then-load race.
 */
record FetchedCheckpoint(Path file, String sha256, long bytes) implements AutoCloseable {

    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover temp file is harmless; the worker's temp dir is removed on exit
        }
    }
}
