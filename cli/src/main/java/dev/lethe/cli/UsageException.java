package dev.lethe.cli;

/** A bad flag or value detected after parsing; the message names the flag. Exit code 2. */
public final class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}
