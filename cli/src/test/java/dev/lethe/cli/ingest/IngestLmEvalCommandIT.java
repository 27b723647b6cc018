package dev.lethe.cli.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.cli.CliRun;
import dev.lethe.schemas.MetricPolarity;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.testkit.LetheCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code lethe ingest lm-eval} against a real broker and registry: the run's shard results land on lethe.shard-results. */
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
        assertThat(run.out()).contains("published 6 shard results to " + cluster.topics().shardResults().name());
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
    }
}
