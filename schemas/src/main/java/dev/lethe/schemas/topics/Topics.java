package dev.lethe.schemas.topics;

import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.CheckpointPlan;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.ShardResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The typed registry of every Lethe topic; no other class spells a topic name.
 *
 * <p>Names are {@code prefix + plural kebab-case noun}; each main topic has a {@code -dlq} twin carrying
 * {@link DeadLetter}s ({@link #checkpointPlans()}, read only by the aggregator, which skips what it cannot decode, has
 * none). {@code checkpoints} and {@code benchmark-scores} are compacted-and-deleted so a
 * restarted aggregator can rebuild from them.
 */
public final class Topics {

    public static final String DEFAULT_PREFIX = "lethe.";
    public static final String DLQ_SUFFIX = "-dlq";

    private static final Map<String, String> COMPACT_AND_DELETE = Map.of("cleanup.policy", "compact,delete");
    private static final Map<String, String> DELETE = Map.of();

    private final String prefix;
    private final int evalTaskPartitions;
    private final int defaultPartitions;

    private Topics(String prefix, int evalTaskPartitions, int defaultPartitions) {
        if (prefix == null) {
            throw new IllegalArgumentException("topic prefix must not be null");
        }
        if (evalTaskPartitions < 1 || defaultPartitions < 1) {
            throw new IllegalArgumentException("partition counts must be >= 1");
        }
        this.prefix = prefix;
        this.evalTaskPartitions = evalTaskPartitions;
        this.defaultPartitions = defaultPartitions;
    }

    /** The demo layout: 6 partitions for eval-tasks, 3 elsewhere. */
    public static Topics withPrefix(String prefix) {
        return new Topics(prefix, 6, 3);
    }

    public static Topics defaults() {
        return withPrefix(DEFAULT_PREFIX);
    }

    /** Same names with other partition counts (e.g. more eval-task partitions for more workers). */
    public Topics withPartitions(int evalTaskPartitions, int defaultPartitions) {
        return new Topics(prefix, evalTaskPartitions, defaultPartitions);
    }

    public String prefix() {
        return prefix;
    }

    public Topic<CheckpointReady> checkpoints() {
        return topic("checkpoints", CheckpointReady.class, defaultPartitions, COMPACT_AND_DELETE);
    }

    public Topic<EvalTask> evalTasks() {
        return topic("eval-tasks", EvalTask.class, evalTaskPartitions, DELETE);
    }

    /**
     * The planner's plan of each checkpoint, key campaign/model. As many partitions as {@link #shardResults()}, which
     * is keyed the same way: the aggregator reads a run's plans in the task that holds its results, with no re-keying.
     */
    public Topic<CheckpointPlan> checkpointPlans() {
        return topic("checkpoint-plans", CheckpointPlan.class, defaultPartitions, DELETE);
    }

    public Topic<ShardResult> shardResults() {
        return topic("shard-results", ShardResult.class, defaultPartitions, DELETE);
    }

    public Topic<BenchmarkScore> benchmarkScores() {
        return topic("benchmark-scores", BenchmarkScore.class, defaultPartitions, COMPACT_AND_DELETE);
    }

    public Topic<ForgettingMetric> forgetting() {
        return topic("forgetting", ForgettingMetric.class, defaultPartitions, DELETE);
    }

    public Topic<KnowledgeLossAlert> alerts() {
        return topic("alerts", KnowledgeLossAlert.class, defaultPartitions, DELETE);
    }

    /** The dead-letter twin of a Lethe topic. */
    public Topic<DeadLetter> dlq(Topic<?> source) {
        return new Topic<>(source.name() + DLQ_SUFFIX, DeadLetter.class, 1, DELETE);
    }

    /** The main topics, in data-flow order: each has a dead-letter twin. */
    public List<Topic<?>> main() {
        return List.of(checkpoints(), evalTasks(), shardResults(), benchmarkScores(), forgetting(), alerts());
    }

    /**
     * Every topic Lethe creates: the main topics, their dead-letter twins, and {@link #checkpointPlans()}, which has none
     * (its one reader, the aggregator, skips what it cannot decode and then waits for nothing it names).
     */
    public List<Topic<?>> all() {
        List<Topic<?>> all = new ArrayList<>(main());
        all.add(checkpointPlans());
        main().forEach(topic -> all.add(dlq(topic)));
        return List.copyOf(all);
    }

    private <V extends org.apache.avro.specific.SpecificRecord> Topic<V> topic(
            String noun, Class<V> type, int partitions, Map<String, String> configs) {
        return new Topic<>(prefix + noun, type, partitions, configs);
    }
}
