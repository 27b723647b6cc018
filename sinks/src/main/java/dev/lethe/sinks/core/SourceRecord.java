package dev.lethe.sinks.core;

/** Where a record came from, with its raw bytes, so a refusal can be dead-lettered with its coordinates. */
public record SourceRecord(String topic, int partition, long offset, byte[] key, byte[] value) {

    /** A record that did not come from Kafka (fed directly). */
    public static SourceRecord unknown(String topic) {
        return new SourceRecord(topic, -1, -1L, null, null);
    }
}
