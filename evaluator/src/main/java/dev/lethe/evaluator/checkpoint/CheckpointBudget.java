package dev.lethe.evaluator.checkpoint;

/**
 * How much one checkpoint may inflate to in a worker: the smaller of 4× the file size limit and a quarter of the
 * worker's heap. DL4J's {@code ModelSerializer} reads every entry it is given into a {@code byte[]} before it builds
 * the model, so the inflated content must fit the heap with room to spare for the model cache, the suite's items and
 * the Kafka clients; with the worker's {@code -Xmx512m} that is 128 MiB. The same bound caps each array a checkpoint
 * may declare ({@link ModelContentGuard}), and with it the native memory its parameters take.
 *
 * @param maxInflatedBytes the most bytes a checkpoint's entries may inflate to, together
 */
public record CheckpointBudget(long maxInflatedBytes) {

    public CheckpointBudget {
        if (maxInflatedBytes < 1) {
            throw new IllegalArgumentException("the inflate budget must be positive, got " + maxInflatedBytes);
        }
    }

    /** The budget of this JVM for checkpoint files of at most {@code maxCheckpointBytes}. */
    public static CheckpointBudget forThisJvm(long maxCheckpointBytes) {
        return of(maxCheckpointBytes, Runtime.getRuntime().maxMemory());
    }

    static CheckpointBudget of(long maxCheckpointBytes, long maxHeapBytes) {
        long fourTimesFile = maxCheckpointBytes > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : 4 * maxCheckpointBytes;
        return new CheckpointBudget(Math.max(1, Math.min(fourTimesFile, maxHeapBytes / 4)));
    }
}
