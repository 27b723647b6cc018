package dev.lethe.cli;

import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.topics.Topics;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The connection options every networked subcommand shares (a picocli mixin). */
public final class ClusterOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).", defaultValue = "127.0.0.1:9092")
    String bootstrapServers;

    @Option(names = "--schema-registry", paramLabel = "URL",
            description = "Confluent-compatible schema registry URL (default: ${DEFAULT-VALUE}).", defaultValue = "http://127.0.0.1:8081")
    String schemaRegistry;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX",
            description = "Prefix of every Lethe topic (default: ${DEFAULT-VALUE}).", defaultValue = Topics.DEFAULT_PREFIX)
    String topicPrefix;

    @Option(names = "--client-property", paramLabel = "KEY=VALUE",
            description = "Extra Kafka client property for every client, e.g. security.protocol=SASL_SSL (repeatable).")
    Map<String, String> clientProperties = new LinkedHashMap<>();

    @Option(names = "--client-properties-file", paramLabel = "FILE",
            description = "Kafka client properties for every client from a Java properties file, e.g. the SASL/SSL "
                    + "settings with their secrets, kept off the command line; --client-property wins on a clash.")
    Path clientPropertiesFile;

    @Option(names = "--registry-user-info", paramLabel = "USER:PASSWORD",
            description = "Schema registry basic-auth credentials (or env LETHE_REGISTRY_USER_INFO).",
            defaultValue = "${env:LETHE_REGISTRY_USER_INFO}")
    String registryUserInfo;

    /** The validated connection settings; a bad value becomes a usage error naming the flag. */
    public ClusterConfig toConfig() {
        try {
            return new ClusterConfig(bootstrapServers, schemaRegistry, topicPrefix,
                    ClientPropertiesFile.merge(clientPropertiesFile, clientProperties),
                    registryUserInfo == null || registryUserInfo.isBlank() ? null : registryUserInfo).validated();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** True when the user named a cluster explicitly (the demo then skips its embedded broker). */
    public boolean explicitlySet(picocli.CommandLine.ParseResult parseResult) {
        return parseResult.hasMatchedOption("--bootstrap-servers");
    }
}
