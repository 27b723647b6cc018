package dev.lethe.sinks.core;

import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends a refused record to its topic's {@code -dlq} twin as a {@link DeadLetter}; failures are logged and counted. */
public interface DeadLetterPublisher extends AutoCloseable {

    /**
     * Dead-letters {@code source} (coordinates and raw bytes) with a reason. Never throws: a failed write is
     * logged and counted in {@link PipelineStats#deadLetterFailures()}.
     */
    void publish(SourceRecord source, DeadLetterReason reason, Throwable error, String message);

    @Override
    default void close() {
    }

    /** Builds the DeadLetter record for {@code source}. */
    static DeadLetter toDeadLetter(SourceRecord source, DeadLetterReason reason, Throwable error, String message, String component) {
        return DeadLetter.newBuilder()
                .setSourceTopic(source.topic())
                .setPartition(source.partition())
                .setOffset(source.offset())
                .setKey(source.key() == null ? null : ByteBuffer.wrap(source.key()))
                .setValue(source.value() == null ? null : ByteBuffer.wrap(source.value()))
                .setReason(reason)
                .setExceptionClass(error == null ? null : error.getClass().getName())
                .setMessage(message == null ? (error == null ? reason.name() : String.valueOf(error.getMessage())) : message)
                .setComponent(component)
                .setTimestamp(Instant.now())
                .build();
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
