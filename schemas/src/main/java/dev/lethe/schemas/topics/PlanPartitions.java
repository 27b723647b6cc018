package dev.lethe.schemas.topics;

import dev.lethe.schemas.config.ClusterConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * The partition counts of {@link Topics#checkpointPlans()} and {@link Topics#shardResults()} on the cluster. A model
 * run's plans must land in the partition of its results, or the aggregator task that reads them waits for scores that
 * never reach it; so whatever writes plans (the planner, {@code lethe ingest}) and the aggregator that reads them check
 * the two counts before they start.
 *
 * @param plans   partitions of the plans topic
 * @param results partitions of the shard-results topic
 */
public record PlanPartitions(int plans, int results) {

    /**
     * Asks the admin client, which, unlike a producer's metadata request, never makes a broker auto-create a missing
     * topic with its default partition count.
     *
     * @throws ExecutionException when a topic is missing or the cluster refuses the request
     * @throws TimeoutException   when the cluster does not answer within {@code timeout}
     */
    private static PlanPartitions describe(Admin admin, Topics topics, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        String plansTopic = topics.checkpointPlans().name();
        String resultsTopic = topics.shardResults().name();
        // bounded on the broker's side too: the admin client would otherwise keep the call for default.api.timeout.ms
        // (60 s), and its close would wait for it
        Map<String, TopicDescription> described = admin.describeTopics(List.of(plansTopic, resultsTopic),
                new DescribeTopicsOptions().timeoutMs((int) Math.min(Integer.MAX_VALUE, timeout.toMillis())))
                .allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return new PlanPartitions(described.get(plansTopic).partitions().size(), described.get(resultsTopic).partitions().size());
    }

    /**
     * Describes the two topics and refuses a mismatch, for a part that retries an unreachable cluster itself.
     *
     * @throws IllegalStateException when the counts differ (saying how to mend it)
     * @throws ExecutionException    when a topic is missing or the cluster refuses the request
     * @throws TimeoutException      when the cluster does not answer within {@code timeout}
     */
    public static PlanPartitions require(Admin admin, Topics topics, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        PlanPartitions partitions = describe(admin, topics, timeout);
        String problem = partitions.problem(topics);
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
        return partitions;
    }

    /**
     * {@link #require} with an admin client of its own, for a part that starts only once the cluster answers.
     *
     * @throws IllegalStateException when the counts differ, a topic is missing or the cluster does not answer in time
     */
    public static PlanPartitions require(ClusterConfig cluster, Duration timeout) {
        Topics topics = cluster.topics();
        try (Admin admin = Admin.create(cluster.clientProperties())) {
            return require(admin, topics, timeout);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(unreadable(topics) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading the partitions of " + topics.checkpointPlans().name(), e);
        }
    }

    /** Null when the counts match, else why that is wrong and how to mend it. */
    public String problem(Topics topics) {
        return plans == results ? null : topics.checkpointPlans().name() + " has " + plans + " partitions and "
                + topics.shardResults().name() + " has " + results + ": they must have as many, so that a model run's plans"
                + " and results meet in one aggregator task (kafka-topics.sh --alter --partitions on the smaller one, before"
                + " either holds data)";
    }

    /** The start of the message when the two topics cannot be read, saying what to do. */
    public static String unreadable(Topics topics) {
        return "cannot read the partitions of " + topics.checkpointPlans().name() + " and " + topics.shardResults().name()
                + " (create the topics first, e.g. lethe aggregate --create-topics)";
    }
}
