package dev.lethe.cli.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.MetricScope;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.topics.Topic;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The assertions every reliability IT ends with: nothing counted twice, nothing lost, metrics as a clean run's. */
final class PipelineChecks {

    private PipelineChecks() {
    }

    /** Under read_committed exactly one ShardResult per task id, and every shard of every checkpoint is there. */
    static void assertEveryShardExactlyOnce(Pipeline.FinalState state, TrainedCampaign trained,
                                            Collection<CheckpointReady> checkpoints) {
        Map<String, Long> perTask = state.shardResults().stream()
                .collect(Collectors.groupingBy(ShardResult::getTaskId, TreeMap::new, Collectors.counting()));
        assertThat(perTask).as("committed ShardResults per taskId").allSatisfy((task, n) -> assertThat(n).as(task).isEqualTo(1L));
        assertThat(perTask.keySet()).isEqualTo(expectedTaskIds(trained, checkpoints));
    }

    /** Every task id of the given checkpoints: checkpointId/benchmark/shardIndex. */
    static Set<String> expectedTaskIds(TrainedCampaign trained, Collection<CheckpointReady> checkpoints) {
        Set<String> ids = new TreeSet<>();
        for (CheckpointReady c : checkpoints) {
            trained.shardCounts().forEach((benchmark, shards) -> {
                for (int i = 0; i < shards; i++) {
                    ids.add(c.getCheckpointId() + "/" + benchmark + "/" + i);
                }
            });
        }
        return ids;
    }

    /**
     * Exactly one BenchmarkScore per (checkpoint, benchmark), each made of exactly the element's shard count of
     * distinct shards: no shard was counted twice and none is missing.
     */
    static void assertScoresCountEveryShardOnce(Pipeline.FinalState state, TrainedCampaign trained,
                                                Collection<CheckpointReady> checkpoints) {
        Map<String, Long> perKey = state.scores().stream()
                .collect(Collectors.groupingBy(s -> s.getCheckpointId() + "/" + s.getBenchmark(), TreeMap::new,
                        Collectors.counting()));
        Set<String> expected = new TreeSet<>();
        checkpoints.forEach(c -> trained.shardCounts().keySet().forEach(b -> expected.add(c.getCheckpointId() + "/" + b)));
        assertThat(perKey.keySet()).isEqualTo(expected);
        assertThat(perKey).as("BenchmarkScore records per checkpoint/benchmark")
                .allSatisfy((key, n) -> assertThat(n).as(key).isEqualTo(1L));
        for (BenchmarkScore s : state.scores()) {
            int shards = trained.shardCounts().get(s.getBenchmark());
            assertThat(s.getShardsSeen()).as("shardsSeen of " + s.getCheckpointId() + "/" + s.getBenchmark())
                    .isEqualTo(shards);
            assertThat(s.getN()).as("items of " + s.getCheckpointId() + "/" + s.getBenchmark())
                    .isEqualTo(trained.suite().element(s.getBenchmark()).orElseThrow().itemCount());
        }
    }

    /** The final metrics equal the clean run's record for record (timestamps aside), with every scope present. */
    static void assertSameMetricsAsClean(Pipeline.FinalState state, Map<String, ForgettingMetric> clean) {
        assertThat(state.metrics()).as("final lethe.forgetting vs the metric library over its scores")
                .isEqualTo(state.library());
        assertThat(state.metrics().values()).extracting(ForgettingMetric::getScope)
                .contains(MetricScope.ELEMENT, MetricScope.CATEGORY, MetricScope.MODEL, MetricScope.FAMILY);
        assertThat(state.metrics()).as("final lethe.forgetting vs the clean run's").isEqualTo(clean);
    }

    /**
     * How every fault test ends: each shard counted once, lethe.forgetting equal to the metric library's output over
     * the final scores (what {@code lethe metrics} computes) with every scope present, the sink holding the same,
     * and nothing dead-lettered anywhere.
     */
    static void assertNothingLostTwiceOrDeadLettered(Pipeline.FinalState state, TrainedCampaign trained, RecordingSink sink,
                                                     ClusterConfig config) throws InterruptedException {
        assertEveryShardExactlyOnce(state, trained, trained.events());
        assertScoresCountEveryShardOnce(state, trained, trained.events());
        assertThat(state.metrics()).as("lethe.forgetting vs the metric library over the final scores")
                .isEqualTo(state.library());
        assertThat(state.metrics().values()).extracting(ForgettingMetric::getScope)
                .contains(MetricScope.ELEMENT, MetricScope.CATEGORY, MetricScope.MODEL, MetricScope.FAMILY);
        assertThat(sink.awaitCaughtUp(Duration.ofMinutes(2))).as("what the sink delivered").isEqualTo(state.metrics());
        assertThat(sink.deadLetters()).as("the sink's dead letters").isZero();
        assertNothingDeadLettered(config);
    }

    /** Every {@code -dlq} topic of the pipeline is empty: no valid record was dead-lettered, whatever failed. */
    static void assertNothingDeadLettered(ClusterConfig config) {
        for (Topic<?> source : config.topics().main()) {
            Topic<DeadLetter> dlq = config.topics().dlq(source);
            assertThat(TopicReader.readAll(config, dlq, Duration.ofSeconds(30)))
                    .as("dead letters on " + dlq.name())
                    .extracting(r -> r.value().getReason() + ": " + r.value().getMessage())
                    .isEmpty();
        }
    }

    /** Scores by key (for diagnostics and comparisons). */
    static Map<String, BenchmarkScore> scoresByKey(Pipeline.FinalState state) {
        return state.scores().stream().collect(Collectors.toMap(s -> s.getCheckpointId() + "/" + s.getBenchmark(),
                Function.identity(), (a, b) -> b, TreeMap::new));
    }
}
