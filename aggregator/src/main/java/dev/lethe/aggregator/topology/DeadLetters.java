package dev.lethe.aggregator.topology;

import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the aggregator's DeadLetters with the source coordinates of the record being processed. */
final class DeadLetters {

    static final String COMPONENT = "aggregator";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private DeadLetters() {
    }

    static DeadLetter of(ProcessorContext<?, ?> context, byte[] key, byte[] value, DeadLetterReason reason,
                         Throwable error, String message) {
        RecordMetadata metadata = context.recordMetadata().orElse(null);
        String topic = metadata == null ? "unknown" : metadata.topic();
        LOG.warn("dead-lettering record from {} partition {} offset {}: {} {}", topic,
                metadata == null ? -1 : metadata.partition(), metadata == null ? -1 : metadata.offset(), reason, message);
        return DeadLetter.newBuilder()
                .setSourceTopic(topic)
                .setPartition(metadata == null ? -1 : metadata.partition())
                .setOffset(metadata == null ? -1 : metadata.offset())
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setReason(reason)
                .setExceptionClass(error == null ? null : error.getClass().getName())
                .setMessage(message)
                .setComponent(COMPONENT)
                .setTimestamp(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
    }
}
