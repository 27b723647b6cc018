package dev.lethe.cli.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.lethe.aggregator.app.AggregatorApp;
import dev.lethe.aggregator.app.AggregatorConfig;
import dev.lethe.cli.CliRun;
import dev.lethe.schemas.CheckpointPlan;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.MetricPolarity;
import dev.lethe.schemas.MetricScope;
import dev.lethe.schemas.PlannedElement;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.testkit.LetheCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lethe ingest lm-eval} against a real broker and registry: the run's shard results land on lethe.shard-results
 * and its plan on lethe.checkpoint-plans, or nothing lands when the two topics would put them in different tasks.
 */
class IngestLmEvalCommandIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    @TempDir
    Path tmp;

    @Test
    void shouldPublishOneShardResultPerElementShardWithMetricAndPolarityWhenIngestingARun() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Path out = LmEvalFixture.write(tmp.resolve("out"));

        CliRun run = CliRun.of("ingest", "lm-eval", "--samples", out.toString(), "--campaign", "ct", "--family", "llama",
                "--model", "llama-7b", "--stage", "2", "--task", "eli5", "--shard-size", "2",
                "--bootstrap-servers", cluster.bootstrapServers(), "--schema-registry", cluster.schemaRegistryUrl(),
                "--topic-prefix", cluster.topicPrefix());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("published 6 shard results to " + cluster.topics().shardResults().name()
                + " and the checkpoint's plan of 3 elements to " + cluster.topics().checkpointPlans().name());
        List<ConsumerRecord<String, ShardResult>> records = CLUSTER.readAll(cluster.topics().shardResults(), 6, Duration.ofSeconds(60));
        Map<String, ShardResult> byTask = records.stream().map(ConsumerRecord::value)
                .collect(Collectors.toMap(ShardResult::getTaskId, Function.identity()));
        assertThat(byTask.keySet()).containsExactlyInAnyOrder("ct/llama-7b/2/crows-pairs-age/0", "ct/llama-7b/2/crows-pairs-age/1",
                "ct/llama-7b/2/gsm8k-flexible/0", "ct/llama-7b/2/gsm8k-flexible/1", "ct/llama-7b/2/gsm8k-strict/0", "ct/llama-7b/2/gsm8k-strict/1");
        assertThat(records).allSatisfy(r -> assertThat(r.key()).isEqualTo(r.value().getCampaign() + "/" + r.value().getModel()));
        ShardResult crows = byTask.get("ct/llama-7b/2/crows-pairs-age/0");
        assertThat(crows.getPolarity()).isEqualTo(MetricPolarity.CLOSER_TO_50_IS_BETTER);
        assertThat(crows.getMetric()).isEqualTo("pct_stereotype");
        assertThat(crows.getCorrect()).isEqualTo(2);
        assertThat(crows.getShardCount()).isEqualTo(2);
        assertThat(crows.getTask()).isEqualTo("eli5");
        ShardResult strict = byTask.get("ct/llama-7b/2/gsm8k-strict/1");
        assertThat(strict.getItemStart()).isEqualTo(2);
        assertThat(strict.getN()).isEqualTo(1);
        assertThat(strict.getCorrect()).isEqualTo(1);
        assertThat(strict.getMetric()).isEqualTo("exact_match,strict-match");
        assertThat(strict.getPolarity()).isEqualTo(MetricPolarity.HIGHER_IS_BETTER);

        // the plan names every element once, under the results' key and suite version, so it meets them in one task
        List<ConsumerRecord<String, CheckpointPlan>> plans = CLUSTER.readAll(cluster.topics().checkpointPlans(), 1, Duration.ofSeconds(60));
        assertThat(plans).hasSize(1);
        CheckpointPlan plan = plans.get(0).value();
        assertThat(plans.get(0).key()).isEqualTo("ct/llama-7b");
        assertThat(plan.getCheckpointId()).isEqualTo(crows.getCheckpointId());
        assertThat(plan.getStage()).isEqualTo(2);
        assertThat(plan.getSuiteVersion()).isEqualTo(crows.getSuiteVersion());
        assertThat(plan.getElements()).extracting(PlannedElement::getBenchmark, PlannedElement::getCategory).containsExactly(
                tuple("crows-pairs-age", crows.getCategory()), tuple("gsm8k-flexible", byTask.get("ct/llama-7b/2/gsm8k-flexible/0").getCategory()),
                tuple("gsm8k-strict", strict.getCategory()));
        assertThat(plans.get(0).partition()).isEqualTo(records.get(0).partition());
    }

    @Test
    void shouldGiveTheAggregatorEveryStagesModelRecordWhenStagesAreIngestedOutOfOrder() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Path out = LmEvalFixture.write(tmp.resolve("out"));
        try (AggregatorApp aggregator = AggregatorApp.start(AggregatorConfig.defaults(cluster).withApplicationId(cluster.topicPrefix() + "aggregator")
                .withStateDir(tmp.resolve("aggregator-state")).withHttp(AggregatorConfig.DEFAULT_HTTP_HOST, 0).validated())) {
            assertThat(aggregator.awaitRunning(Duration.ofMinutes(2))).as("aggregator RUNNING").isTrue();
            // stage 2 before stage 1: the plans must not leave the aggregator waiting for anything that never comes
            for (int stage : new int[] {0, 2, 1}) {
                CliRun run = CliRun.of("ingest", "lm-eval", "--samples", out.toString(), "--campaign", "ct", "--family", "llama",
                        "--model", "llama-7b", "--stage", String.valueOf(stage), "--bootstrap-servers", cluster.bootstrapServers(),
                        "--schema-registry", cluster.schemaRegistryUrl(), "--topic-prefix", cluster.topicPrefix());
                assertThat(run.exit()).as(run.err()).isZero();
            }

            Map<Integer, Integer> covered = awaitModelRecords(cluster, 3);
            assertThat(covered).containsExactly(Map.entry(0, 3), Map.entry(1, 3), Map.entry(2, 3));
            // no MODEL record was ever published over part of a checkpoint
            assertThat(CLUSTER.<ForgettingMetric>readAll(cluster.topics().forgetting(), 0, Duration.ofSeconds(5)).stream()
                    .map(ConsumerRecord::value).filter(m -> m.getScope() == MetricScope.MODEL))
                    .extracting(ForgettingMetric::getElementsCovered).containsOnly(3);
        }
    }

    /** The latest MODEL record's element count per stage, once {@code stages} stages have one covering all three elements. */
    private static Map<Integer, Integer> awaitModelRecords(ClusterConfig cluster, int stages) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        Map<Integer, Integer> covered = new TreeMap<>();
        while (System.nanoTime() < deadline) {
            covered.clear();
            CLUSTER.<ForgettingMetric>readAll(cluster.topics().forgetting(), 0, Duration.ofSeconds(5)).stream().map(ConsumerRecord::value)
                    .filter(m -> m.getScope() == MetricScope.MODEL).forEach(m -> covered.put(m.getStage(), m.getElementsCovered()));
            if (covered.size() == stages && covered.values().stream().allMatch(n -> n != null && n == 3)) {
                return covered;
            }
            Thread.sleep(500); // poll interval of the condition above
        }
        return covered;
    }

    @Test
    void shouldPublishNothingWhenThePlansTopicHasOtherPartitionsThanTheShardResults() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        CLUSTER.increasePartitions(cluster, cluster.topics().checkpointPlans().name(), cluster.topics().shardResults().partitions() + 1);
        Path out = LmEvalFixture.write(tmp.resolve("out"));

        CliRun run = CliRun.of("ingest", "lm-eval", "--samples", out.toString(), "--campaign", "ct", "--family", "llama",
                "--model", "llama-7b", "--stage", "0", "--bootstrap-servers", cluster.bootstrapServers(),
                "--schema-registry", cluster.schemaRegistryUrl(), "--topic-prefix", cluster.topicPrefix());

        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).contains(cluster.topics().checkpointPlans().name() + " has " + (cluster.topics().shardResults().partitions() + 1)
                + " partitions");
        assertThat(CLUSTER.readAll(cluster.topics().shardResults(), 0, Duration.ofSeconds(2))).isEmpty();
        assertThat(CLUSTER.readAll(cluster.topics().checkpointPlans(), 0, Duration.ofSeconds(2))).isEmpty();
    }
}
