package dev.lethe.trainer.run;

import dev.lethe.producer.CheckpointPublisher;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.config.ClusterConfig;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Publishes the trainer's events on {@code lethe.checkpoints} through the producer module's {@link CheckpointPublisher}. */
public final class PublisherSink implements CheckpointSink {

    private static final Logger LOG = LoggerFactory.getLogger(PublisherSink.class);

    private final CheckpointPublisher publisher;
    private final boolean owned;
    private final String destination;

    /** A sink owning a new publisher on {@code config}'s cluster (closed with the sink). */
    public PublisherSink(ClusterConfig config) {
        this(new CheckpointPublisher(config), true, destinationOf(config));
    }

    /**
     * A sink on a caller-owned publisher (not closed with the sink).
     *
     * @param destination identifies the cluster and topic the publisher writes to (see {@link #destinationOf})
     */
    public PublisherSink(CheckpointPublisher publisher, String destination) {
        this(publisher, false, destination);
    }

    private PublisherSink(CheckpointPublisher publisher, boolean owned, String destination) {
        this.publisher = publisher;
        this.owned = owned;
        this.destination = destination;
    }

    /**
     * The Kafka cluster id and the checkpoints topic of {@code config}: a re-formatted (fresh) cluster has a new
     * id, so its ledger starts empty. Falls back to the bootstrap servers when the cluster id cannot be read.
     */
    public static String destinationOf(ClusterConfig config) {
        String topic = config.topics().checkpoints().name();
        try (Admin admin = Admin.create(config.clientProperties())) {
            return admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS) + "/" + topic;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("cannot read the Kafka cluster id ({}); keying the published ledger by the bootstrap servers",
                    e.toString());
            return config.clientProperties().get("bootstrap.servers") + "/" + topic;
        }
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
    public String destination() {
        return destination;
    }

    @Override
    public void close() {
        if (owned) {
            publisher.close();
        }
    }
}
