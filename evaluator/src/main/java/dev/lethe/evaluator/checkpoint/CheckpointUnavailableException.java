package dev.lethe.evaluator.checkpoint;

import dev.lethe.schemas.DeadLetterReason;

/** The checkpoint cannot be read: missing file, truncated or corrupt zip, HTTP failure. */
public final class CheckpointUnavailableException extends CheckpointException {

    public CheckpointUnavailableException(String message) {
        super(message, null);
    }

    public CheckpointUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public DeadLetterReason reason() {
        return DeadLetterReason.CHECKPOINT_UNAVAILABLE;
    }
}
