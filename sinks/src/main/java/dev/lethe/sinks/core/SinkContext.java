package dev.lethe.sinks.core;

import dev.lethe.schemas.topics.Topics;
import java.util.function.Supplier;

/**
 * What a {@link MetricSink} may use from its runner: the topic registry, the pipeline counters, the dead-letter
 * publisher and the coordinates of the record being handed over.
 */
public interface SinkContext {

    Topics topics();

    PipelineStats stats();

    DeadLetterPublisher deadLetters();

    /** The source record currently being handed to the sink, or null outside a callback. */
    SourceRecord current();

    /** A context for sinks fed directly (tests, offline use): dead letters are only logged and counted. */
    static SinkContext detached(Topics topics) {
        PipelineStats stats = new PipelineStats();
        return of(topics, stats, DeadLetterPublisher.loggingOnly(stats), () -> null);
    }

    /** A context of these parts; {@code current} says which source record is being handed over (null outside). */
    static SinkContext of(Topics topics, PipelineStats stats, DeadLetterPublisher deadLetters, Supplier<SourceRecord> current) {
        return new SinkContext() {
            @Override
            public Topics topics() {
                return topics;
            }

            @Override
            public PipelineStats stats() {
                return stats;
            }

            @Override
            public DeadLetterPublisher deadLetters() {
                return deadLetters;
            }

            @Override
            public SourceRecord current() {
                return current.get();
            }
        };
    }
}
