package dev.lethe.evaluator.checkpoint;

import dev.lethe.schemas.DeadLetterReason;

/** The checkpoint is refused on purpose: wrong hash, outside the roots, unexpected zip entry, too big. */
public final class CheckpointRejectedException extends CheckpointException {

    public CheckpointRejectedException(String message) {
        super(message, null);
    }

    public CheckpointRejectedException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public DeadLetterReason reason() {
        return DeadLetterReason.CHECKPOINT_REJECTED;
    }
}
