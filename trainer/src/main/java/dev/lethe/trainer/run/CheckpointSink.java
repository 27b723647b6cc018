package dev.lethe.trainer.run;

import dev.lethe.schemas.CheckpointReady;
import java.io.IOException;

/**
 * Where the trainer announces a written checkpoint: the Kafka topic {@code lethe.checkpoints} through the producer
 * module's {@code CheckpointPublisher} ({@link PublisherSink}), a list in tests, or nowhere ({@link #none()}) when
 * {@code lethe train} runs without a cluster.
 */
public interface CheckpointSink extends AutoCloseable {

    /** Publishes one event and returns only once it is durable (acknowledged); a failure throws. */
    void publish(CheckpointReady event) throws IOException;

    /**
     * Whether {@link #publish} really delivers. Only delivered events are written to the published ledger, so a
     * later run with a cluster still publishes what a run without one skipped.
     */
    default boolean delivers() {
        return true;
    }

    /**
     * Identifies where events go (e.g. Kafka cluster id + topic). The published ledger is kept per destination, so
     * training into the same checkpoint directory against a fresh cluster or another topic prefix publishes
     * everything there once, instead of assuming the other cluster's deliveries.
     */
    default String destination() {
        return "default";
    }

    @Override
    default void close() {
    }

    /** A sink that drops every event and delivers nothing. */
    static CheckpointSink none() {
        return new CheckpointSink() {
            @Override
            public void publish(CheckpointReady event) {
            }

            @Override
            public boolean delivers() {
                return false;
            }
        };
    }
}
