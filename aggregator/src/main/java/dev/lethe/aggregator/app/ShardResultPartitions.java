package dev.lethe.aggregator.app;

import dev.lethe.schemas.config.ClusterConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
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
        String topic = cluster.topics().shardResults().name();
        String plans = cluster.topics().checkpointPlans().name();
        long deadline = System.nanoTime() + patience.toNanos();
        try (Admin admin = Admin.create(cluster.clientProperties())) {
            while (true) {
                Map<String, TopicDescription> described;
                try {
                    described = admin.describeTopics(List.of(topic, plans)).allTopicNames()
                            .get(ATTEMPT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("cannot read the partitions of " + topic + " and " + plans + " on "
                                + cluster.bootstrapServers() + " (create the topics first, e.g. lethe aggregate --create-topics): " + e.getMessage(), e);
                    }
                    LOG.warn("waiting for the partitions of {} and {}: {}", topic, plans, e.getMessage());
                    Thread.sleep(1_000);
                    continue;
                }
                int partitions = described.get(topic).partitions().size();
                String problem = cluster.topics().checkpointPlansPartitionProblem(described.get(plans).partitions().size(), partitions);
                if (problem != null) {
                    throw new IllegalStateException(problem);
                }
                return partitions;
            }
        }
    }
}
