package dev.lethe.sinks.core;

import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.deadletter.DeadLetterBuilder;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends a refused record to its topic's {@code -dlq} twin as a {@link DeadLetter}; failures are logged and counted. */
public interface DeadLetterPublisher extends AutoCloseable {

    /**
     * Dead-letters {@code source} (coordinates and raw bytes) with a reason. A failed write is logged with its
     * cause, counted in {@link PipelineStats#deadLetterFailures()} and retried until it succeeds: a dead letter is
     * never skipped. Throws {@link DeadLetterNotWrittenException} only when the sink stops before the write succeeds,
     * so the record's offset is not committed and it is read again.
     */
    void publish(SourceRecord source, DeadLetterReason reason, Throwable error, String message);

    @Override
    default void close() {
    }

    /** Builds the DeadLetter record for {@code source} with the shared builder, so it fits under {@code maxRequestSize}. */
    static DeadLetter toDeadLetter(SourceRecord source, DeadLetterReason reason, Throwable error, String message, String component,
                                   DeadLetterBuilder builder) {
        return builder.build(new DeadLetterBuilder.Source(source.topic(), source.partition(), source.offset(), source.key(),
                source.value()), reason, message == null ? (error == null ? reason.name() : String.valueOf(error.getMessage())) : message,
                error, component, Instant.now());
    }

    /** Stops retrying a dead letter that cannot be written (the sink is closing); the default does nothing. */
    default void stopRetrying() {
    }

    /** For sinks fed without Kafka: logs the refusal and counts it, nothing is written. */
    static DeadLetterPublisher loggingOnly(PipelineStats stats) {
        Logger log = LoggerFactory.getLogger(DeadLetterPublisher.class);
        return (source, reason, error, message) -> {
            stats.recordDeadLetter(source.topic());
            log.warn("dead letter (not published: no Kafka) from {}[{}]@{}: {} {}", source.topic(), source.partition(),
                    source.offset(), reason, message == null && error != null ? error.getMessage() : message);
        };
    }
}
