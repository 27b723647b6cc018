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
        return of(context, metadata == null ? new DeadLetterBuilder.Source("unknown", -1, -1, key, value)
                : new DeadLetterBuilder.Source(metadata.topic(), metadata.partition(), metadata.offset(), key, value),
                reason, error, message);
    }

    /** A dead letter of a re-keyed record, naming where it was first written rather than the internal topic. */
    static DeadLetter of(ProcessorContext<?, ?> context, RekeyedOrigin origin, byte[] value, DeadLetterReason reason,
                         Throwable error, String message) {
        return of(context, new DeadLetterBuilder.Source(origin.topic(), origin.partition(), origin.offset(), origin.key(),
                value), reason, error, message);
    }

    private static DeadLetter of(ProcessorContext<?, ?> context, DeadLetterBuilder.Source source,
                                 DeadLetterReason reason, Throwable error, String message) {
        LOG.warn("dead-lettering record from {} partition {} offset {}: {} {}", source.topic(), source.partition(),
                source.offset(), reason, message);
        // key and value copies capped together under the producer's default max.request.size, so a huge bad record
        // cannot make its own dead letter unwritable (the same builder as the planner, workers and sinks)
        return BUILDER.build(source, reason, message, error, COMPONENT, Instant.ofEpochMilli(context.currentSystemTimeMs()));
    }
}
