package dev.lethe.evaluator.suite;

/** The event names a suite this evaluator does not know; dead-lettered as UNKNOWN_SUITE. */
public final class UnknownSuiteException extends Exception {

    public UnknownSuiteException(String message) {
        super(message);
    }
}
