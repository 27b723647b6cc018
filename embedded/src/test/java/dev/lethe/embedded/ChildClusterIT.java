package dev.lethe.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class ChildClusterIT {

    private static final String TOPIC = "lethe.shard-results";

    @Test
    void shouldReplicateThreeWaysAndKeepAcceptingWritesWhenALeaderIsKilled() throws Exception {
        List<Long> pids;
        try (ChildCluster cluster = ChildCluster.builder().nodes(3).topicPrefix("lethe.").start()) {
            pids = cluster.nodeIds().stream().map(id -> cluster.node(id).pid()).toList();
            try (Admin admin = Admin.create(cluster.adminProperties())) {
                assertThat(admin.describeCluster().nodes().get()).hasSize(3);
                TopicDescription d = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
                assertThat(d.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
                Config config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, TOPIC)))
                        .all().get().values().iterator().next();
                assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");
            }
            assertThat(cluster.schemaRegistryUrl()).startsWith("http://127.0.0.1:");

            int leader = cluster.leaderOf(TOPIC, 0);
            cluster.kill(leader);
            assertThat(cluster.isRunning(leader)).isFalse();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000), new StringSerializer(), new StringSerializer())) {
                // two replicas of three left: min.insync.replicas=2 still holds, so acks=all writes succeed
                assertThat(producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v")).get(2, TimeUnit.MINUTES).offset()).isZero();
            }
            assertThat(cluster.leaderOf(TOPIC, 0)).isNotEqualTo(leader).isPositive();

            cluster.start(leader);
            assertThat(cluster.awaitFullyReplicated(List.of(TOPIC), Duration.ofMinutes(2))).isTrue();
            assertThat(cluster.activeController()).isIn(cluster.nodeIds());
        }
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty());
    }
}
