package dev.lethe.cli.docker;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startable;
import org.testcontainers.utility.DockerImageName;

/**
 * Three {@code apache/kafka} containers forming one KRaft cluster of combined broker+controller nodes with the
 * durability settings of docker/docker-compose.yml (default replication factor 3, min.insync.replicas 2,
 * transaction state log RF 3 / min ISR 2).
 */
final class ThreeBrokerContainerCluster implements Startable {

    static final int NODES = 3;
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);

    private final Network network = Network.newNetwork();
    private final List<KafkaContainer> brokers;

    ThreeBrokerContainerCluster(String image) {
        // KafkaContainer's CONTROLLER listener is on 9094; the voters reach each other by network alias
        String voters = IntStream.range(0, NODES).mapToObj(i -> i + "@broker-" + i + ":9094").collect(Collectors.joining(","));
        String clusterId = Uuid.randomUuid().toString();
        brokers = IntStream.range(0, NODES).mapToObj(i -> new KafkaContainer(DockerImageName.parse(image))
                        .withNetwork(network)
                        .withNetworkAliases("broker-" + i)
                        .withEnv("CLUSTER_ID", clusterId)
                        .withEnv("KAFKA_NODE_ID", Integer.toString(i))
                        .withEnv("KAFKA_CONTROLLER_QUORUM_VOTERS", voters)
                        .withEnv("KAFKA_DEFAULT_REPLICATION_FACTOR", "3")
                        .withEnv("KAFKA_MIN_INSYNC_REPLICAS", "2")
                        .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "3")
                        .withEnv("KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS", "3")
                        .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "3")
                        .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "2")
                        .withEnv("KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS", "3")
                        .withEnv("KAFKA_HEAP_OPTS", "-Xms256m -Xmx512m")
                        .withStartupTimeout(READY_TIMEOUT))
                .toList();
    }

    /** Starts all nodes at once (a node only reports ready once a quorum of voters runs) and waits for all three. */
    @Override
    public void start() {
        brokers.parallelStream().forEach(GenericContainer::start);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            // a cluster not ready yet fails describeCluster: asked again until the deadline
            await(NODES + " brokers registered").atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> admin.describeCluster().nodes().get().size() == NODES);
        }
    }

    String bootstrapServers() {
        return brokers.stream().map(KafkaContainer::getBootstrapServers).collect(Collectors.joining(","));
    }

    /** Bootstrap servers without the given node, for clients that must not depend on it. */
    String bootstrapServersWithout(int node) {
        return IntStream.range(0, NODES).filter(i -> i != node).mapToObj(i -> brokers.get(i).getBootstrapServers())
                .collect(Collectors.joining(","));
    }

    void stopBroker(int node) {
        brokers.get(node).stop();
    }

    @Override
    public void stop() {
        brokers.parallelStream().forEach(GenericContainer::stop);
        network.close();
    }
}
