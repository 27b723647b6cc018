package dev.lethe.aggregator.app;

import dev.lethe.schemas.config.ClusterConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many partitions lethe.shard-results has on the cluster. The aggregator's internal topics keyed by model run
 * get as many, so that a run's results and its re-keyed announcements land in the same task: the configured count
 * is not trusted, since a topic created by hand may differ.
 */
final class ShardResultPartitions {

    private static final Logger LOG = LoggerFactory.getLogger(ShardResultPartitions.class);
    private static final Duration ATTEMPT = Duration.ofSeconds(10);

    private ShardResultPartitions() {
    }

    /** Asks the cluster, waiting for it up to {@code patience}; fails clearly if the topic is missing or unreachable. */
    static int of(ClusterConfig cluster, Duration patience) throws InterruptedException {
        String topic = cluster.topics().shardResults().name();
        long deadline = System.nanoTime() + patience.toNanos();
        try (Admin admin = Admin.create(cluster.clientProperties())) {
            while (true) {
                try {
                    TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                            .get(ATTEMPT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
                    return description.partitions().size();
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("cannot read the partitions of " + topic + " on "
                                + cluster.bootstrapServers() + " (create the topics first, e.g. lethe aggregate --create-topics): " + e.getMessage(), e);
                    }
                    LOG.warn("waiting for the partitions of {}: {}", topic, e.getMessage());
                    Thread.sleep(1_000);
                }
            }
        }
    }
}
