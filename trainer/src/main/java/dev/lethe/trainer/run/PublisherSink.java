package dev.lethe.trainer.run;

import dev.lethe.producer.CheckpointPublisher;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.config.ClusterConfig;
import java.io.IOException;

/** Publishes the trainer's events on {@code lethe.checkpoints} through the producer module's {@link CheckpointPublisher}. */
public final class PublisherSink implements CheckpointSink {

    private final CheckpointPublisher publisher;
    private final boolean owned;

    /** A sink owning a new publisher on {@code config}'s cluster (closed with the sink). */
    public PublisherSink(ClusterConfig config) {
        this(new CheckpointPublisher(config), true);
    }

    /** A sink on a caller-owned publisher (not closed with the sink). */
    public PublisherSink(CheckpointPublisher publisher) {
        this(publisher, false);
    }

    private PublisherSink(CheckpointPublisher publisher, boolean owned) {
        this.publisher = publisher;
        this.owned = owned;
    }

    @Override
    public void publish(CheckpointReady event) throws IOException {
        try {
            publisher.publish(event);
        } catch (IllegalStateException e) {
            // not acknowledged: the ledger is not written, so the next run publishes this event again
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (owned) {
            publisher.close();
        }
    }
}
