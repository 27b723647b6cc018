package dev.lethe.schemas.config;

import dev.lethe.schemas.topics.Topics;
import java.net.URI;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;

/**
 * Where every Lethe part connects: the Kafka cluster, the schema registry and the topic prefix, plus
 * pass-through client settings (SASL/SSL and friends) applied to every producer, consumer, admin and
 * Streams client.
 *
 * @param bootstrapServers  Kafka {@code bootstrap.servers}, comma-separated host:port list
 * @param schemaRegistryUrl Confluent-compatible registry base URL
 * @param topicPrefix       prefix of every Lethe topic, default {@code lethe.}
 * @param clientOverrides   extra Kafka client properties (e.g. security.protocol, sasl.mechanism, sasl.jaas.config)
 * @param registryUserInfo  registry basic-auth {@code user:password}, or null
 */
public record ClusterConfig(
        String bootstrapServers,
        String schemaRegistryUrl,
        String topicPrefix,
        Map<String, String> clientOverrides,
        String registryUserInfo) {

    /** Serde property naming the registry URL (Confluent's name). */
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    /** Serde property with {@code user:password} for registry basic auth (Confluent's name). */
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    /** Serde property telling where credentials come from; Lethe supports USER_INFO (Confluent's name). */
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";

    public ClusterConfig {
        clientOverrides = Map.copyOf(clientOverrides == null ? Map.of() : clientOverrides);
        topicPrefix = topicPrefix == null ? Topics.DEFAULT_PREFIX : topicPrefix;
    }

    public static ClusterConfig of(String bootstrapServers, String schemaRegistryUrl) {
        return new ClusterConfig(bootstrapServers, schemaRegistryUrl, Topics.DEFAULT_PREFIX, Map.of(), null).validated();
    }

    public ClusterConfig withTopicPrefix(String prefix) {
        return new ClusterConfig(bootstrapServers, schemaRegistryUrl, prefix, clientOverrides, registryUserInfo).validated();
    }

    public ClusterConfig withClientOverrides(Map<String, String> overrides) {
        return new ClusterConfig(bootstrapServers, schemaRegistryUrl, topicPrefix, overrides, registryUserInfo).validated();
    }

    public ClusterConfig withRegistryUserInfo(String userInfo) {
        return new ClusterConfig(bootstrapServers, schemaRegistryUrl, topicPrefix, clientOverrides, userInfo).validated();
    }

    /** Checks every field and names the offending option in the message. */
    public ClusterConfig validated() {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrap.servers (--bootstrap-servers) must not be empty");
        }
        for (String hostPort : bootstrapServers.split(",")) {
            if (!isHostPort(hostPort.strip())) {
                throw new IllegalArgumentException(
                        "bootstrap.servers (--bootstrap-servers) must be host:port[,host:port...], got '" + bootstrapServers + "'");
            }
        }
        if (schemaRegistryUrl == null || schemaRegistryUrl.isBlank()) {
            throw new IllegalArgumentException("schema.registry.url (--schema-registry) must not be empty");
        }
        for (String url : schemaRegistryUrl.split(",")) {
            URI uri;
            try {
                uri = URI.create(url.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("schema.registry.url (--schema-registry) is not a URL: '" + url + "'", e);
            }
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException(
                        "schema.registry.url (--schema-registry) must be an http(s) URL, got '" + url + "'");
            }
        }
        if (registryUserInfo != null && !registryUserInfo.contains(":")) {
            throw new IllegalArgumentException("basic.auth.user.info (--registry-user-info) must be user:password");
        }
        return this;
    }

    /**
     * Whether {@code address} is one {@code host:port} of a bootstrap list as Kafka's clients parse it
     * ({@link Utils#getHost}, {@link Utils#getPort}): a name, an IPv4 address or a bracketed IPv6 address such as
     * {@code [::1]:9092}, and a port up to 65535. Nothing is resolved.
     */
    public static boolean isHostPort(String address) {
        try {
            String host = Utils.getHost(address);
            Integer port = Utils.getPort(address);
            return host != null && !host.isEmpty() && port != null && port <= 65535
                    && address.chars().noneMatch(Character::isWhitespace);
        } catch (NumberFormatException e) {
            return false; // a port of more digits than an int holds
        }
    }

    /** Every setting, with the registry credentials and secret client settings (sasl.jaas.config, ...) hidden. */
    @Override
    public String toString() {
        return "ClusterConfig[bootstrapServers=" + bootstrapServers + ", schemaRegistryUrl=" + schemaRegistryUrl
                + ", topicPrefix=" + topicPrefix + ", clientOverrides=" + Secrets.hideSecretValues(clientOverrides)
                + ", registryUserInfo=" + Secrets.hide(registryUserInfo) + "]";
    }

    public Topics topics() {
        return Topics.withPrefix(topicPrefix);
    }

    /**
     * The name of a deployment-wide Kafka resource (consumer group, Streams application id): {@code lethe-<part>}
     * under the default topic prefix, else {@code <prefix><part>}, so two deployments on one cluster (two prefixes)
     * never share a group or an aggregator's state.
     */
    public String deploymentName(String part) {
        return Topics.DEFAULT_PREFIX.equals(topicPrefix) ? "lethe-" + part : topicPrefix + part;
    }

    /** Properties every Kafka client (producer, consumer, admin, Streams) starts from. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> props = new HashMap<>(clientOverrides);
        props.put("bootstrap.servers", bootstrapServers);
        return props;
    }

    /** Properties the Avro serdes need to reach the registry. */
    public Map<String, Object> serdeProperties() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(SCHEMA_REGISTRY_URL, schemaRegistryUrl);
        if (registryUserInfo != null) {
            props.put(BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO");
            props.put(BASIC_AUTH_USER_INFO, registryUserInfo);
        }
        return props;
    }
}
