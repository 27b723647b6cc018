package dev.lethe.schemas.serde;

import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.registry.RegistryClientConfig;
import dev.lethe.schemas.registry.RestSchemaRegistryClient;
import dev.lethe.schemas.registry.SchemaRegistryClient;
import dev.lethe.schemas.topics.Topic;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * Factory of configured value serdes for Lethe topics; one registry client (and its caches) is shared per
 * registry configuration in a JVM.
 */
public final class AvroSerdes {

    private static final ConcurrentMap<RegistryClientConfig, SchemaRegistryClient> CLIENTS = new ConcurrentHashMap<>();

    private AvroSerdes() {
    }

    /** The value serde of a Lethe topic against the cluster's registry. */
    public static <T extends SpecificRecord> Serde<T> forTopic(Topic<T> topic, ClusterConfig config) {
        AvroSerde<T> serde = new AvroSerde<>(topic.valueType(), client(config));
        serde.configure(config.serdeProperties(), false);
        return serde;
    }

    /** A value serde of {@code type} on the given client (e.g. {@code InMemorySchemaRegistryClient} in tests). */
    public static <T extends SpecificRecord> Serde<T> of(Class<T> type, SchemaRegistryClient client) {
        AvroSerde<T> serde = new AvroSerde<>(type, client);
        serde.configure(Map.of(), false);
        return serde;
    }

    /** The shared REST client of the cluster's registry (URLs and basic auth from the config). */
    public static SchemaRegistryClient client(ClusterConfig config) {
        return sharedClient(config.serdeProperties());
    }

    /**
     * Forgets the shared clients of a registry that stops (an embedded one closing), so serdes made afterwards start
     * with empty caches: another registry started later on the same address may give the same schema ids to other
     * schemas, and a client that cached the first registry's ids would read records with the wrong schema (seen in CI:
     * a fresh registry on a port an earlier test's registry had used).
     */
    public static void forgetClientsOf(String url) {
        String stopped = withoutTrailingSlash(url);
        CLIENTS.keySet().removeIf(config -> config.urls().stream().map(AvroSerdes::withoutTrailingSlash).anyMatch(stopped::equals));
    }

    private static String withoutTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    static SchemaRegistryClient sharedClient(Map<String, ?> configs) {
        RegistryClientConfig registry = RegistryClientConfig.from(configs);
        return CLIENTS.computeIfAbsent(registry, RestSchemaRegistryClient::new);
    }
}
