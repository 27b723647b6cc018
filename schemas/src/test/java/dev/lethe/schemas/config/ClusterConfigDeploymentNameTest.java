package dev.lethe.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterConfigDeploymentNameTest {

    @Test
    void shouldNameResourcesByTheTopicPrefixWhenItIsNotTheDefault() {
        ClusterConfig standard = ClusterConfig.of("127.0.0.1:9092", "http://127.0.0.1:8081");
        ClusterConfig second = new ClusterConfig("127.0.0.1:9092", "http://127.0.0.1:8081", "team-b.", Map.of(), null).validated();

        assertThat(standard.deploymentName("aggregator")).isEqualTo("lethe-aggregator");
        assertThat(standard.deploymentName("sink-console")).isEqualTo("lethe-sink-console");
        assertThat(second.deploymentName("aggregator")).isEqualTo("team-b.aggregator");
        assertThat(second.deploymentName("evaluators")).isEqualTo("team-b.evaluators");
    }
}
