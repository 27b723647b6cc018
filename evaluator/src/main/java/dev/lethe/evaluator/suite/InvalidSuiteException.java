package dev.lethe.evaluator.suite;

/** The suite exists but cannot be built from the event (bad campaign attributes, missing data); VALIDATION. */
public final class InvalidSuiteException extends Exception {

    public InvalidSuiteException(String message, Throwable cause) {
        super(message, cause);
    }
}
