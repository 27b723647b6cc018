package dev.lethe.aggregator.topology;

import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.deadletter.DeadLetterBuilder;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the aggregator's DeadLetters with the source coordinates of the record being processed. */
final class DeadLetters {

    static final String COMPONENT = "aggregator";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final DeadLetterBuilder BUILDER = new DeadLetterBuilder(DeadLetterBuilder.DEFAULT_MAX_REQUEST_SIZE);

    private DeadLetters() {
    }

    static DeadLetter of(ProcessorContext<?, ?> context, byte[] key, byte[] value, DeadLetterReason reason,
                         Throwable error, String message) {
        RecordMetadata metadata = context.recordMetadata().orElse(null);
        String topic = metadata == null ? "unknown" : metadata.topic();
        LOG.warn("dead-lettering record from {} partition {} offset {}: {} {}", topic,
                metadata == null ? -1 : metadata.partition(), metadata == null ? -1 : metadata.offset(), reason, message);
        // key and value copies capped together under the producer's default max.request.size, so a huge bad record
        // cannot make its own dead letter unwritable (the same builder as the planner, workers and sinks)
        return BUILDER.build(new DeadLetterBuilder.Source(topic, metadata == null ? -1 : metadata.partition(),
                metadata == null ? -1 : metadata.offset(), key, value), reason, message, error, COMPONENT,
                Instant.ofEpochMilli(context.currentSystemTimeMs()));
    }
}
