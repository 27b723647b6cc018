package dev.lethe.cli.docker;

import dev.lethe.embedded.EmbeddedKafkaBroker;
import org.junit.jupiter.api.Test;

/**
 * The steps of {@link KafkaContainerClusterIT} and {@link ThreeBrokerContainerClusterIT} on Lethe's embedded
 * broker, so the Docker tests' own code is proven on every build, including the ones without Docker.
 */
class PipelineSliceIT {

    @Test
    void shouldPublishAndPlanACheckpointWhenRunAgainstTheEmbeddedBroker() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startDefault()) {
            PipelineSlice.runAgainst(broker.bootstrapServers(), "lethe.", 1);
            PipelineSlice.publishAndReadAnotherStage(broker.bootstrapServers(), "lethe.");
        }
    }
}
