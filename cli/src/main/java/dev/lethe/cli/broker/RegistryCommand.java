package dev.lethe.cli.broker;

import dev.lethe.cli.ClientPropertiesFile;
import dev.lethe.cli.UsageException;
import dev.lethe.registry.EmbeddedSchemaRegistry;
import dev.lethe.schemas.config.ClusterConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
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
            "",
            "Confluent-compatible REST API for Avro; schemas live in the compacted _schemas topic,",
            "so a restart keeps every id. One instance per log topic: a second one started on the same topic",
            "takes over as its only writer, and the first then answers every request with 503.",
            "Prints one machine-readable line on stdout:",
            "  schema.registry.url=http://HOST:PORT",
            "then runs until Ctrl-C or SIGTERM.",
            ""})
public final class RegistryCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,...]",
            description = "Kafka cluster that keeps the registry's schema log.")
    String bootstrapServers;

    @Option(names = "--client-property", paramLabel = "KEY=VALUE",
            description = "Extra Kafka client property for the registry's clients, e.g. security.protocol=SASL_SSL (repeatable).")
    Map<String, String> clientProperties = new LinkedHashMap<>();

    @Option(names = "--client-properties-file", paramLabel = "FILE",
            description = "Kafka client properties for the registry's clients from a Java properties file (secrets stay "
                    + "off the command line); --client-property wins on a clash.")
    Path clientPropertiesFile;

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
        for (String hostPort : bootstrapServers.split(",")) {
            if (!ClusterConfig.isHostPort(hostPort.strip())) {
                throw new UsageException("--bootstrap-servers must be host:port[,host:port...], got '" + bootstrapServers + "'");
            }
        }
        EmbeddedSchemaRegistry.Options options;
        try {
            options = EmbeddedSchemaRegistry.Options.of(bootstrapServers)
                    .withClientOverrides(ClientPropertiesFile.merge(clientPropertiesFile, clientProperties)).withHost(host).withPort(port).withTopic(topic)
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
        spec.commandLine().getErr().println("Lethe schema registry running against " + bootstrapServers
                + " (topic " + topic + "); Ctrl-C to stop.");
        spec.commandLine().getErr().flush();
        stopped.await();
        return 0;
    }
}
