package dev.lethe.cli.docker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Runs a piece of the Lethe pipeline against the official {@code apache/kafka} image (the compose cluster's
 * broker): topic creation, the embedded schema registry keeping {@code _schemas} on that broker, a
 * {@code CheckpointReady} published on {@code lethe.checkpoints} and read back, and the planner's transactional
 * {@code lethe.eval-tasks}. Skipped, not failed, where no Docker engine answers; {@link PipelineSliceIT} runs
 * the same steps on the embedded broker everywhere.
 */
@ExtendWith(DockerEngineCondition.class) // first: bounds the Docker check to seconds (see there)
@Testcontainers(disabledWithoutDocker = true)
class KafkaContainerClusterIT {

    static final String KAFKA_IMAGE = "apache/kafka:4.1.1";

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE));

    @Test
    void shouldPublishAndPlanACheckpointWhenRunAgainstTheApacheKafkaImage() throws Exception {
        PipelineSlice.runAgainst(KAFKA.getBootstrapServers(), "lethe.", 1);
    }
}
