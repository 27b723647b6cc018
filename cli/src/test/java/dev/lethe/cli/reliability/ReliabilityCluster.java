package dev.lethe.cli.reliability;

import dev.lethe.embedded.EmbeddedKafkaBroker;
import dev.lethe.embedded.LetheTopicsAdmin;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.registry.server.EmbeddedSchemaRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded broker and schema registry for a reliability IT class, both restartable in place: the broker on
 * its data directory and ports, the registry on its port and {@code _schemas} topic. Every pipeline gets a fresh
 * topic prefix, so the tests of a class do not see each other's records.
 */
final class ReliabilityCluster implements AutoCloseable {

    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private final EmbeddedKafkaBroker broker;
    private volatile EmbeddedSchemaRegistry registry;
    private final int registryPort;
    private final String registryUrl;

    private ReliabilityCluster(EmbeddedKafkaBroker broker, EmbeddedSchemaRegistry registry) {
        this.broker = broker;
        this.registry = registry;
        this.registryPort = registry.port();
        this.registryUrl = registry.url();
    }

    static ReliabilityCluster start() {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().startOrClose();
        try {
            return new ReliabilityCluster(broker,
                    EmbeddedSchemaRegistry.start(EmbeddedSchemaRegistry.Options.of(broker.bootstrapServers())));
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    /** Connection settings with a new topic prefix whose topics are all created. */
    ClusterConfig newPipelineConfig() {
        ClusterConfig config = ClusterConfig.of(broker.bootstrapServers(), registryUrl())
                .withTopicPrefix("rel" + PREFIXES.incrementAndGet() + ".");
        LetheTopicsAdmin.createAll(config, config.topics());
        return config;
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    String registryUrl() {
        return registryUrl;
    }

    EmbeddedKafkaBroker broker() {
        return broker;
    }

    /** Stops the registry and starts a new one on the same port that replays the same {@code _schemas} topic. */
    synchronized void restartRegistry() {
        registry.close();
        registry = EmbeddedSchemaRegistry.start(EmbeddedSchemaRegistry.Options.of(broker.bootstrapServers())
                .withPort(registryPort));
    }

    @Override
    public synchronized void close() {
        try {
            registry.close();
        } finally {
            broker.close();
        }
    }
}
