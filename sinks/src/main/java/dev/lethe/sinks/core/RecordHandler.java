package dev.lethe.sinks.core;

import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.failure.TransientFailure;
import dev.lethe.schemas.topics.Topics;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link SinkRunner} does with one record: decode it, validate it, and hand it to the sink, or dead-letter it
 * (undecodable, invalid, or the sink failed on it). A registry that cannot be reached says nothing about the record:
 * it is left to be read again.
 */
final class RecordHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RecordHandler.class);

    /** The value decoders of the two topics a sink reads. */
    record Decoders(Deserializer<ForgettingMetric> metrics, Deserializer<KnowledgeLossAlert> alerts) {
    }

    /** What became of a record. */
    enum Outcome {
        /** Handed over or dead-lettered: counted, its offset may be committed. */
        CONSUMED,
        /** Not decodable for a transient reason (registry unavailable): read it again after a pause. */
        RETRY
    }

    private final Decoders decoders;
    private final DeadLetterPublisher deadLetters;
    private final PipelineStats stats;
    private final Topics topics;
    private final MetricSink sink;
    private volatile SourceRecord current;

    RecordHandler(Decoders decoders, DeadLetterPublisher deadLetters, PipelineStats stats, Topics topics, MetricSink sink) {
        this.decoders = decoders;
        this.deadLetters = deadLetters;
        this.stats = stats;
        this.topics = topics;
        this.sink = sink;
    }

    /** The record being handed to the sink, or null outside {@link #handle}. */
    SourceRecord current() {
        return current;
    }

    Outcome handle(ConsumerRecord<byte[], byte[]> record) {
        SourceRecord source = new SourceRecord(record.topic(), record.partition(), record.offset(), record.key(), record.value());
        current = source;
        try {
            if (record.value() == null) {
                stats.recordConsumed(record.topic());
                deadLetters.publish(source, DeadLetterReason.VALIDATION, null, "null value (tombstone) on a metric topic");
                return Outcome.CONSUMED;
            }
            if (record.topic().equals(topics.forgetting().name())) {
                handOver(record, source, decoders.metrics(), RecordValidator::problem, sink::onMetric);
            } else {
                handOver(record, source, decoders.alerts(), RecordValidator::problem, sink::onAlert);
            }
            return Outcome.CONSUMED;
        } catch (SerializationException | org.apache.avro.AvroRuntimeException e) {
            // an unreachable, failing or credential-refusing registry says nothing about the record; an unknown id does
            if (TransientFailure.isTransient(e)) {
                LOG.warn("sink {}: schema registry unavailable, will re-read {}[{}]@{}: {}", sink.name(), record.topic(),
                        record.partition(), record.offset(), e.getMessage());
                return Outcome.RETRY;
            }
            stats.recordConsumed(record.topic());
            deadLetters.publish(source, DeadLetterReason.DESERIALIZATION, e, "cannot decode: " + e.getMessage());
            return Outcome.CONSUMED;
        } finally {
            current = null;
        }
    }

    /** Decodes (throwing on undecodable bytes), counts, validates, then hands over or dead-letters the value. */
    private <T extends SpecificRecord> void handOver(ConsumerRecord<byte[], byte[]> record, SourceRecord source,
                                                     Deserializer<T> decoder, Function<T, String> validator,
                                                     java.util.function.Consumer<T> callback) {
        T value = decoder.deserialize(record.topic(), record.headers(), record.value());
        stats.recordConsumed(record.topic());
        String problem = validator.apply(value);
        if (problem != null) {
            deadLetters.publish(source, DeadLetterReason.VALIDATION, null,
                    "invalid " + value.getSchema().getName() + ": " + problem);
        } else {
            deliver(source, () -> callback.accept(value));
        }
    }

    private void deliver(SourceRecord source, Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            // a sink bug must not stop the pipeline; the record is kept on the DLQ for replay
            LOG.error("sink {} failed on {}[{}]@{}", sink.name(), source.topic(), source.partition(), source.offset(), e);
            deadLetters.publish(source, DeadLetterReason.UNKNOWN, e, "sink " + sink.name() + " failed: " + e.getMessage());
        }
    }
}
