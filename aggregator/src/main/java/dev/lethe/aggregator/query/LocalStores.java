package dev.lethe.aggregator.query;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * This instance's view of the aggregator's state stores and of who owns what: the stores' active partitions here,
 * the owner of a key, the other instances with active partitions of a store (Streams metadata). While a rebalance or
 * a restore is in progress Streams throws {@code InvalidStateStoreException}, which the endpoint answers 503.
 */
final class LocalStores {

    private final KafkaStreams streams;
    private final HostInfo self;

    LocalStores(KafkaStreams streams, HostInfo self) {
        this.streams = streams;
        this.self = self;
    }

    HostInfo self() {
        return self;
    }

    KafkaStreams.State state() {
        return streams.state();
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    }

    /**
     * The key's own partition of a store. Streams throws InvalidStateStoreException (503) unless that partition is
     * active and running here, so a key asked of the wrong instance (stale metadata, a partition moving or restoring
     * during a rebalance) is a 503 to retry, not a 404 for a key that exists.
     */
    <V> ReadOnlyKeyValueStore<String, V> store(String name, int partition) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore())
                .withPartition(partition));
    }

    /**
     * Every value of this instance's active partitions of a store; empty when Streams metadata says this instance is
     * active for none of them (more instances than partitions, or only standby copies). While rebalancing the store is
     * not queryable: 503.
     */
    <V> List<V> localValues(String name) {
        List<V> values = new ArrayList<>();
        if (activeHostsOf(name).noneMatch(m -> m.hostInfo().equals(self))) {
            return values;
        }
        try (KeyValueIterator<String, V> all = this.<V>store(name).all()) {
            all.forEachRemaining(kv -> values.add(kv.value));
        }
        return values;
    }

    /** The values under {@code prefix NUL} in a store keyed {@code prefix NUL ...}, from the given partition. */
    <V> List<V> prefixValues(String storeName, String prefix, int partition) {
        List<V> values = new ArrayList<>();
        try (KeyValueIterator<String, V> range = this.<V>store(storeName, partition)
                .prefixScan(prefix + "\u0000", new StringSerializer())) {
            range.forEachRemaining(kv -> values.add(kv.value));
        }
        return values;
    }

    /**
     * The instances with active partitions of {@code store}. Streams metadata for a store also lists instances holding
     * only standby copies (num.standby.replicas), which answer no active query: asking them would 503 every time.
     */
    Stream<StreamsMetadata> activeHostsOf(String store) {
        return streams.streamsMetadataForStore(store).stream().filter(m -> m.stateStoreNames().contains(store));
    }

    /** Where {@code key} lives in {@code store} (active host, partition), or null while that is unknown. */
    KeyQueryMetadata owner(String store, String key) {
        KeyQueryMetadata metadata = streams.queryMetadataForKey(store, key, new StringSerializer());
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return null;
        }
        return metadata;
    }
}
