package dev.lethe.trainer.run;

/** Receives training progress: the console bar of {@code lethe train}, the demo's live view, or nothing. */
public interface ProgressListener {

    /** A stage begins training ({@code totalSteps} mini-batches over all its epochs). */
    default void stageStarted(String model, int stage, int stages, String task, int totalSteps) {
    }

    /** {@code step} of {@code totalSteps} mini-batches of the current stage are done. */
    default void stepDone(String model, int stage, int step, int totalSteps) {
    }

    /** A stage is finished: trained (or found complete on disk), checkpointed and, if a sink delivers, published. */
    default void stageFinished(StageResult result) {
    }

    /** Ignores everything. */
    ProgressListener NONE = new ProgressListener() {
    };
}
