package dev.lethe.aggregator.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Where a re-keyed shard result was first written (topic, partition, offset and its own key), carried in headers on
 * the internal re-keying topic so that its dead letter, if it gets one, names the record its producer wrote.
 *
 * @param key the original key bytes, null when the record had none
 */
record RekeyedOrigin(String topic, int partition, long offset, byte[] key) {

    private static final String TOPIC = "lethe-origin-topic";
    private static final String PARTITION = "lethe-origin-partition";
    private static final String OFFSET = "lethe-origin-offset";
    private static final String KEY = "lethe-origin-key";

    /** Headers naming the record being processed ({@code metadata}) with its original {@code key}. */
    static Headers stamp(Headers headers, RecordMetadata metadata, byte[] key) {
        Headers out = new RecordHeaders(headers.toArray());
        out.remove(TOPIC).remove(PARTITION).remove(OFFSET).remove(KEY);
        out.add(TOPIC, metadata.topic().getBytes(StandardCharsets.UTF_8));
        out.add(PARTITION, ByteBuffer.allocate(Integer.BYTES).putInt(metadata.partition()).array());
        out.add(OFFSET, ByteBuffer.allocate(Long.BYTES).putLong(metadata.offset()).array());
        if (key != null) {
            out.add(KEY, key);
        }
        return out;
    }

    /** The origin stamped on a re-keyed record; empty for a record read from where its producer wrote it. */
    static Optional<RekeyedOrigin> of(Headers headers) {
        Header topic = headers.lastHeader(TOPIC);
        Header partition = headers.lastHeader(PARTITION);
        Header offset = headers.lastHeader(OFFSET);
        if (topic == null || partition == null || offset == null || partition.value().length != Integer.BYTES
                || offset.value().length != Long.BYTES) {
            return Optional.empty();
        }
        Header key = headers.lastHeader(KEY);
        return Optional.of(new RekeyedOrigin(new String(topic.value(), StandardCharsets.UTF_8),
                ByteBuffer.wrap(partition.value()).getInt(), ByteBuffer.wrap(offset.value()).getLong(),
                key == null ? null : key.value()));
    }
}
