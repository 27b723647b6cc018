package dev.lethe.ml.checkpoint;

import java.io.IOException;

/** A checkpoint refused before deserialization: extra zip entries, no model configuration, or not a zip. */
public final class UnsafeCheckpointException extends IOException {

    public UnsafeCheckpointException(String message) {
        super(message);
    }

    public UnsafeCheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
