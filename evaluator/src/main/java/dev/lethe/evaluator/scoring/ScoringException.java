package dev.lethe.evaluator.scoring;

/** Scoring a loaded model failed (bad item kind, shape mismatch, NaN output); dead-lettered as SCORING_FAILED. */
public final class ScoringException extends RuntimeException {

    public ScoringException(String message) {
        super(message);
    }

    public ScoringException(String message, Throwable cause) {
        super(message, cause);
    }
}
