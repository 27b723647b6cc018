package dev.lethe.schemas.topics;

import dev.lethe.schemas.CheckpointPlan;
import dev.lethe.schemas.ShardResult;

/**
 * The record keys Lethe's producers write where the key is part of the contract, in one place so producers and the
 * aggregator cannot drift apart.
 */
public final class RecordKeys {

    private RecordKeys() {
    }

    /**
     * {@code campaign/model}: the key of a {@link ShardResult} on {@code lethe.shard-results}. The default partitioner
     * then puts every result of a model run in one partition, so the aggregator assembles and aggregates a run in one
     * task, in the order the results were written, with no repartition in between. The aggregator also counts a result
     * keyed otherwise (it re-keys it through an internal topic first, one more hop).
     */
    public static String shardResult(ShardResult result) {
        return modelRun(result.getCampaign(), result.getModel());
    }

    /**
     * {@code campaign/model}: the key of a {@link CheckpointPlan} on {@code lethe.checkpoint-plans}, which has as many
     * partitions as {@code lethe.shard-results}: the default partitioner puts a run's plans in the partition of its
     * results, so the aggregator reads both in one task. A plan keyed otherwise reaches another task, which then waits
     * for scores that never come to it; the planner is the only writer.
     */
    public static String checkpointPlan(CheckpointPlan plan) {
        return modelRun(plan.getCampaign(), plan.getModel());
    }

    /** {@code campaign/model}: a model run, as the aggregator keys its state and its run-level topics. */
    public static String modelRun(String campaign, String model) {
        return campaign + "/" + model;
    }
}
