package dev.lethe.evaluator.scoring;

import dev.lethe.evaluator.checkpoint.CheckpointException;
import dev.lethe.evaluator.suite.ItemSet;
import dev.lethe.schemas.EvalTask;

/**
 * Scores one shard of a benchmark element for the checkpoint an {@link EvalTask} names; one implementation
 * per {@code CheckpointFormat}, looked up in a {@link ScorerRegistry} so the worker loop never changes when a
 * format is added (e.g. an OpenAI-completions endpoint scorer).
 *
 * <p>A scorer is used from one thread at a time (the worker's scoring thread) and may cache loaded models.
 */
public interface Scorer extends AutoCloseable {

    /** Name recorded in {@code ShardResult.scorer}. */
    String name();

    /**
     * Scores {@code items} (the shard's slice, item {@code i} is element item {@code task.itemStart + i}).
     *
     * @throws CheckpointException the model could not be loaded (dead-lettered with its reason)
     * @throws ScoringException    the model could not score these items (dead-lettered as SCORING_FAILED)
     */
    ShardScore score(EvalTask task, ItemSet items) throws CheckpointException, InterruptedException;

    /** Frees cached models; default: nothing to free. */
    @Override
    default void close() {
    }
}
