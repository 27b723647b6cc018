package dev.lethe.schemas.topics;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * A Lethe topic: its full name (prefix included), the Avro value type it carries, and how it is created.
 * Keys are UTF-8 strings on every Lethe topic.
 */
public record Topic<V extends SpecificRecord>(String name, Class<V> valueType, int partitions, Map<String, String> configs) {

    /** Confluent TopicNameStrategy subject of the value schema. */
    public String valueSubject() {
        return name + "-value";
    }

    /** Confluent TopicNameStrategy subject of the key schema. */
    public String keySubject() {
        return name + "-key";
    }
}
