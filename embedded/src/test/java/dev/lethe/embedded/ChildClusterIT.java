package dev.lethe.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

class ChildClusterIT {

    private static final String TOPIC = "lethe.shard-results";

    @Test
    void shouldReplicateThreeWaysWithMinInSyncTwoAndLeaveNoProcessWhenClosed() throws Exception {
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

            assertThat(cluster.activeController()).isIn(cluster.nodeIds());
        }
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty());
    }
}
