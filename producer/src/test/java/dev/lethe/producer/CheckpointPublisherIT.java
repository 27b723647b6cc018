package dev.lethe.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.testkit.LetheCluster;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CheckpointPublisherIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    @Test
    void shouldReadBackTheSpecificRecordAtTheReceiptsOffsetWhenPublished() {
        ClusterConfig config = CLUSTER.newTopicPrefix();
        CheckpointReady stage1 = CheckpointPublisherTest.valid().setStage(1).setTask("perm-1").build();
        CheckpointReady stage2 = CheckpointPublisherTest.valid().setStage(2).build();

        PublishReceipt r1;
        PublishReceipt r2;
        try (CheckpointPublisher publisher = new CheckpointPublisher(config)) {
            r1 = publisher.publish(stage1);
            r2 = publisher.publish(stage2);
        }

        List<ConsumerRecord<String, CheckpointReady>> read = CLUSTER.readAll(config.topics().checkpoints(), 2, Duration.ofSeconds(30));
        assertThat(read).hasSize(2);
        assertThat(r1.topic()).isEqualTo(config.topics().checkpoints().name());
        // same key campaign/model: one partition, in publish order
        assertThat(r2.partition()).isEqualTo(r1.partition());
        assertThat(r2.offset()).isEqualTo(r1.offset() + 1);
        ConsumerRecord<String, CheckpointReady> first = read.stream().filter(r -> r.offset() == r1.offset()).findFirst().orElseThrow();
        assertThat(first.partition()).isEqualTo(r1.partition());
        assertThat(first.key()).isEqualTo("c1/m1");
        assertThat(first.value()).isEqualTo(CheckpointReady.newBuilder(stage1).setCheckpointId("c1/m1/1").build());
    }

    @Test
    void shouldFailWithinTheTimeoutWhenTheTopicDoesNotExist() {
        ClusterConfig missing = CLUSTER.config().withTopicPrefix("no-such-prefix.");
        try (CheckpointPublisher publisher = new CheckpointPublisher(missing, Duration.ofSeconds(3))) {
            assertThatThrownBy(() -> publisher.publish(CheckpointPublisherTest.valid().build()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no-such-prefix.checkpoints");
        }
    }
}
