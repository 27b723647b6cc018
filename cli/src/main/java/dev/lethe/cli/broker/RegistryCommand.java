package dev.lethe.cli.broker;

import dev.lethe.cli.ClusterOptions;
import dev.lethe.cli.UsageException;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.registry.server.EmbeddedSchemaRegistry;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lethe registry}: Lethe's embedded Confluent-compatible schema registry alone, in the foreground,
 * keeping its schemas in the {@code _schemas} topic of any Kafka cluster.
 */
@Command(name = "registry", mixinStandardHelpOptions = true,
        description = {
            "Run Lethe's schema registry alone in the foreground against any Kafka cluster.",
            "Confluent-compatible REST API (Avro); schemas are kept in the compacted _schemas topic, so a restart",
            "keeps every id. Prints",
            "  schema.registry.url=http://HOST:PORT",
            "and runs until Ctrl-C or SIGTERM. --client-property passes SASL/SSL settings to its Kafka clients."})
public final class RegistryCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Interface to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 for all).")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8081",
            description = "HTTP port, 0 = a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--require-user-info", paramLabel = "USER:PASSWORD",
            description = "Require HTTP basic auth with these credentials (or env LETHE_REGISTRY_REQUIRE_USER_INFO).",
            defaultValue = "${env:LETHE_REGISTRY_REQUIRE_USER_INFO}")
    String requireUserInfo;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = EmbeddedSchemaRegistry.DEFAULT_TOPIC,
            description = "Log topic holding the schemas (default: ${DEFAULT-VALUE}).")
    String topic;

    @Override
    public Integer call() throws InterruptedException {
        BrokerCommand.checkPort(port, "--port");
        if (requireUserInfo != null && !requireUserInfo.isBlank() && !requireUserInfo.contains(":")) {
            throw new UsageException("--require-user-info must be USER:PASSWORD");
        }
        ClusterConfig config = cluster.toConfig();
        EmbeddedSchemaRegistry.Options options;
        try {
            options = EmbeddedSchemaRegistry.Options.of(config.bootstrapServers())
                    .withClientOverrides(config.clientOverrides()).withHost(host).withPort(port).withTopic(topic)
                    .withUserInfo(requireUserInfo == null || requireUserInfo.isBlank() ? null : requireUserInfo);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            registry.close();
            stopped.countDown();
        }, "lethe-registry-stop"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("schema.registry.url=" + registry.url());
        out.flush();
        spec.commandLine().getErr().println("Lethe schema registry running against " + config.bootstrapServers()
                + " (topic " + topic + "); Ctrl-C to stop.");
        spec.commandLine().getErr().flush();
        stopped.await();
        return 0;
    }
}
