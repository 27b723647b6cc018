package dev.lethe.aggregator.app;

import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.topics.PlanPartitions;
import dev.lethe.schemas.topics.Topics;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many partitions lethe.shard-results has on the cluster. The aggregator's internal topics keyed by model run
 * get as many, so that a run's results and its re-keyed refusals land in the same task, and lethe.checkpoint-plans must
 * have as many: the configured count is not trusted, since a topic created by hand may differ.
 */
final class ShardResultPartitions {

    private static final Logger LOG = LoggerFactory.getLogger(ShardResultPartitions.class);
    private static final Duration ATTEMPT = Duration.ofSeconds(10);

    private ShardResultPartitions() {
    }

    /**
     * Asks the cluster, waiting for it up to {@code patience}; fails clearly if a topic is missing or unreachable, or if
     * lethe.checkpoint-plans has another partition count than lethe.shard-results: a run's plans would then be read
     * in another task than its results, and its records would wait for scores that never reach that task.
     */
    static int of(ClusterConfig cluster, Duration patience) throws InterruptedException {
        Topics topics = cluster.topics();
        long deadline = System.nanoTime() + patience.toNanos();
        try (Admin admin = Admin.create(cluster.clientProperties())) {
            while (true) {
                try {
                    return PlanPartitions.require(admin, topics, ATTEMPT).results();
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(PlanPartitions.unreadable(topics) + ": " + e.getMessage() + " (cluster "
                                + cluster.bootstrapServers() + ")", e);
                    }
                    LOG.warn("waiting for the partitions of {} and {}: {}", topics.shardResults().name(),
                            topics.checkpointPlans().name(), e.getMessage());
                    Thread.sleep(1_000);
                }
            }
        }
    }
}
