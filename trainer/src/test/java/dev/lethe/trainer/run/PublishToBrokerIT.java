package dev.lethe.trainer.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.ml.checkpoint.Checkpoints;
import dev.lethe.ml.tasks.ContinualProtocol;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.testkit.LetheCluster;
import dev.lethe.trainer.campaign.Campaign;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The trainer publishing on a real broker and registry: every stage once, keyed campaign/model, matching the disk. */
class PublishToBrokerIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    @TempDir
    Path dir;

    @Test
    void shouldPublishOneMatchingCheckpointReadyPerStageAndNothingTwiceWhenRerun() throws Exception {
        ClusterConfig config = CLUSTER.config();
        Campaign campaign = TestCampaigns.tiny("it");
        CampaignResult first;
        try (PublisherSink sink = new PublisherSink(config)) {
            first = CampaignRunner.run(campaign, dir, null, sink, null);
        }
        List<ConsumerRecord<String, CheckpointReady>> records =
                CLUSTER.readAll(config.topics().checkpoints(), 6, Duration.ofSeconds(60));

        assertThat(records).hasSize(6);
        assertThat(first.publishedCount()).isEqualTo(6);
        for (ConsumerRecord<String, CheckpointReady> r : records) {
            CheckpointReady e = r.value();
            assertThat(r.key()).isEqualTo("it/" + e.getModel());
            Path file = Path.of(URI.create(e.getCheckpointUri()));
            assertThat(e.getCheckpointSha256()).isEqualTo(Checkpoints.sha256(file));
            assertThat(file).isEqualTo(CampaignRunner.checkpointPath(dir, "it", e.getModel(), e.getStage()));
            assertThat(ContinualProtocol.from(e.getAttributes())).isEqualTo(campaign.protocol());
        }
        assertThat(records.stream().map(r -> r.value().getCheckpointId()))
                .containsExactlyInAnyOrder("it/mlp-32/0", "it/mlp-32/1", "it/mlp-32/2", "it/cnn-4/0", "it/cnn-4/1",
                        "it/cnn-4/2");

        CampaignResult second;
        try (PublisherSink sink = new PublisherSink(config)) {
            second = CampaignRunner.run(campaign, dir, null, sink, null);
        }
        assertThat(second.publishedCount()).isZero();
        assertThat(second.trainedCount()).isZero();
        // readAll drains up to the end offsets: a second copy of any event would show up here
        assertThat(CLUSTER.readAll(config.topics().checkpoints(), 6, Duration.ofSeconds(60))).hasSize(6);

        // the same checkpoints announced under another topic prefix: a new destination, so all of them once
        ClusterConfig other = CLUSTER.newTopicPrefix();
        CampaignResult third;
        try (PublisherSink sink = new PublisherSink(other)) {
            assertThat(sink.destination()).endsWith("/" + other.topics().checkpoints().name())
                    .isNotEqualTo(PublisherSink.destinationOf(config));
            third = CampaignRunner.run(campaign, dir, null, sink, null);
        }
        assertThat(third.publishedCount()).isEqualTo(6);
        assertThat(third.trainedCount()).isZero();
        assertThat(CLUSTER.readAll(other.topics().checkpoints(), 6, Duration.ofSeconds(60))).hasSize(6);
    }
}
