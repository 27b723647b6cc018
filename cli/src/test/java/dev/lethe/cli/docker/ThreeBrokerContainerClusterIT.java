package dev.lethe.cli.docker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The pipeline slice of {@link KafkaContainerClusterIT} on a three-node {@code apache/kafka} KRaft cluster with the
 * compose file's durability settings: every Lethe topic gets three replicas, and after one broker is stopped the
 * registry restarts and a checkpoint is still published and read (two in-sync replicas remain). Skipped, not
 * failed, where no Docker engine answers.
 */
@ExtendWith(DockerEngineCondition.class) // first: bounds the Docker check to seconds (see there)
@Testcontainers(disabledWithoutDocker = true)
class ThreeBrokerContainerClusterIT {

    @Container
    static final ThreeBrokerContainerCluster CLUSTER = new ThreeBrokerContainerCluster(KafkaContainerClusterIT.KAFKA_IMAGE);

    @Test
    void shouldKeepPublishingWithThreeReplicasWhenOneBrokerIsDown() throws Exception {
        PipelineSlice.runAgainst(CLUSTER.bootstrapServers(), "lethe.", ThreeBrokerContainerCluster.NODES);

        CLUSTER.stopBroker(2);

        PipelineSlice.publishAndReadAnotherStage(CLUSTER.bootstrapServersWithout(2), "lethe.");
    }
}
