package dev.lethe.evaluator.checkpoint;

import dev.lethe.schemas.DeadLetterReason;

/** A checkpoint a worker will not or cannot load; the worker dead-letters the task with {@link #reason()}. */
public abstract sealed class CheckpointException extends Exception
        permits CheckpointRejectedException, CheckpointUnavailableException {

    protected CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The dead-letter reason for this refusal. */
    public abstract DeadLetterReason reason();
}
