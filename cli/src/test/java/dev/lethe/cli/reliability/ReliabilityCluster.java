package dev.lethe.cli.reliability;

import dev.lethe.embedded.ChildCluster;
import dev.lethe.embedded.EmbeddedKafkaBroker;
import dev.lethe.embedded.LetheTopicsAdmin;
import dev.lethe.registry.EmbeddedSchemaRegistry;
import dev.lethe.schemas.config.ClusterConfig;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The Kafka cluster and schema registry of a reliability IT class, both restartable in place: either one embedded
 * broker (in this JVM, restarted on its data directory and ports) or a three-node {@link ChildCluster} (a child
 * JVM per node, any node killed or restarted). The registry restarts on its port and {@code _schemas} topic.
 * Every pipeline gets a fresh topic prefix, so the tests of a class do not see each other's records.
 */
final class ReliabilityCluster implements AutoCloseable {

    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private final EmbeddedKafkaBroker broker;
    private final ChildCluster nodes;
    private final String bootstrapServers;
    private volatile EmbeddedSchemaRegistry registry;
    private final int registryPort;
    private final String registryUrl;

    private ReliabilityCluster(EmbeddedKafkaBroker broker, ChildCluster nodes, EmbeddedSchemaRegistry registry) {
        this.broker = broker;
        this.nodes = nodes;
        this.bootstrapServers = broker != null ? broker.bootstrapServers() : nodes.bootstrapServers();
        this.registry = registry;
        this.registryPort = registry.port();
        this.registryUrl = registry.url();
    }

    /** One embedded broker in this JVM. */
    static ReliabilityCluster start() {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().startOrClose();
        try {
            return new ReliabilityCluster(broker, null, startRegistry(broker.bootstrapServers(), 0));
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    /** A three-node KRaft cluster of child JVMs (replication 3, min.insync.replicas 2); the registry in this JVM. */
    static ReliabilityCluster startThreeNodes() {
        return startThreeNodes(b -> { });
    }

    /** The same with the nodes' builder customised first (e.g. each node in a network namespace of its own). */
    static ReliabilityCluster startThreeNodes(Consumer<ChildCluster.Builder> customizer) {
        ChildCluster.Builder builder = ChildCluster.builder().nodes(3).heap("384m").registry(false);
        customizer.accept(builder);
        ChildCluster nodes = builder.start();
        try {
            return new ReliabilityCluster(null, nodes, startRegistry(nodes.bootstrapServers(), 0));
        } catch (RuntimeException e) {
            nodes.close();
            throw e;
        }
    }

    private static EmbeddedSchemaRegistry startRegistry(String bootstrapServers, int port) {
        return EmbeddedSchemaRegistry.start(EmbeddedSchemaRegistry.Options.of(bootstrapServers).withPort(port));
    }

    /** Connection settings with a new topic prefix whose topics are all created. */
    ClusterConfig newPipelineConfig() {
        ClusterConfig config = ClusterConfig.of(bootstrapServers, registryUrl())
                .withTopicPrefix("rel" + PREFIXES.incrementAndGet() + ".");
        LetheTopicsAdmin.createAll(config, config.topics());
        return config;
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    String registryUrl() {
        return registryUrl;
    }

    /** The single embedded broker (only for a cluster made by {@link #start()}). */
    EmbeddedKafkaBroker broker() {
        if (broker == null) {
            throw new IllegalStateException("a three-node cluster: use nodes()");
        }
        return broker;
    }

    /** The three nodes (only for a cluster made by {@link #startThreeNodes()}). */
    ChildCluster nodes() {
        if (nodes == null) {
            throw new IllegalStateException("a single-broker cluster: use broker()");
        }
        return nodes;
    }

    /** Stops the registry and starts a new one on the same port that replays the same {@code _schemas} topic. */
    synchronized void restartRegistry() {
        stopRegistry();
        startRegistry();
    }

    /** A registry outage: until {@link #startRegistry()} every request to its URL is refused. */
    synchronized void stopRegistry() {
        if (registry != null) {
            registry.close();
            registry = null;
        }
    }

    synchronized void startRegistry() {
        if (registry == null) {
            registry = startRegistry(bootstrapServers, registryPort);
        }
    }

    @Override
    public synchronized void close() {
        try {
            stopRegistry();
        } finally {
            if (broker != null) {
                broker.close();
            } else {
                nodes.close();
            }
        }
    }
}
