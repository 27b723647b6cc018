package dev.lethe.sinks.core;

/** A dead letter whose write still failed when the sink stopped: the record is not committed and is read again. */
public final class DeadLetterNotWrittenException extends RuntimeException {

    public DeadLetterNotWrittenException(String message, Throwable cause) {
        super(message, cause);
    }
}
