package dev.lethe.evaluator.suite.imported;

import dev.lethe.evaluator.llm.ChoiceMetric;

/**
 * How {@code lethe suite import} builds elements.
 *
 * @param shots     k-shot examples taken in order from the dev split (MMLU; the paper uses 5); ignored where the
 *                  benchmark is 0-shot in the paper (ARC, BoolQ) unless {@code null} semantics change later
 * @param shardSize items per shard
 * @param metric    {@code acc} (default) or {@code acc_norm}
 */
public record ImportOptions(int shots, int shardSize, ChoiceMetric metric) {

    public static final int DEFAULT_SHARD_SIZE = 100;
    public static final int MMLU_SHOTS = 5;

    public ImportOptions {
        if (shots < 0) {
            throw new IllegalArgumentException("shots must be >= 0, got " + shots);
        }
        if (shardSize < 1) {
            throw new IllegalArgumentException("shard size must be >= 1, got " + shardSize);
        }
        if (metric == null) {
            throw new IllegalArgumentException("metric is required");
        }
    }

    public static ImportOptions defaults() {
        return new ImportOptions(MMLU_SHOTS, DEFAULT_SHARD_SIZE, ChoiceMetric.ACC);
    }
}
