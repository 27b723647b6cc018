package dev.lethe.testkit;

import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.topics.Topic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/** Lethe's production Avro value serdes, for the testkit's read and send helpers. */
final class TestSerdes {

    private TestSerdes() {
    }

    static <V extends SpecificRecord> Deserializer<V> deserializer(Topic<V> topic, ClusterConfig config) {
        return AvroSerdes.forTopic(topic, config).deserializer();
    }

    static <V extends SpecificRecord> Serializer<V> serializer(Topic<V> topic, ClusterConfig config) {
        return AvroSerdes.forTopic(topic, config).serializer();
    }
}
