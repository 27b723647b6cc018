package dev.lethe.embedded;

import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.topics.Topic;
import dev.lethe.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates every Lethe topic ({@link Topics#all()}: the main topics, their {@code -dlq} twins and the plans) with its
 * partition count and configs; idempotent, so every part may call it at start-up.
 */
public final class LetheTopicsAdmin {

    private static final Logger log = LoggerFactory.getLogger(LetheTopicsAdmin.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private LetheTopicsAdmin() {
    }

    /** Creates the missing topics with the cluster's default replication factor; returns the names created. */
    public static List<String> createAll(ClusterConfig config, Topics topics) {
        return createAll(config, topics, Optional.empty());
    }

    /** Creates the missing topics with an explicit replication factor; returns the names created. */
    public static List<String> createAll(ClusterConfig config, Topics topics, short replicationFactor) {
        return createAll(config, topics, Optional.of(replicationFactor));
    }

    private static List<String> createAll(ClusterConfig config, Topics topics, Optional<Short> replicationFactor) {
        try (Admin admin = Admin.create(config.clientProperties())) {
            return createAll(admin, withPlansAndResultsCoPartitioned(admin, topics), replicationFactor);
        }
    }

    /**
     * {@link Topics#all()}, with a missing {@link Topics#checkpointPlans()} or {@link Topics#shardResults()} sized like
     * the other one already on the cluster: the aggregator and the planner refuse to start unless the two match, and a
     * topic sized by hand (or grown) would otherwise meet a twin with the layout's count.
     */
    private static List<Topic<?>> withPlansAndResultsCoPartitioned(Admin admin, Topics topics) {
        Optional<Integer> results = partitionsOf(admin, topics.shardResults().name());
        Optional<Integer> plans = partitionsOf(admin, topics.checkpointPlans().name());
        if (results.isPresent() && plans.isEmpty()) {
            return withPartitions(topics.all(), topics.checkpointPlans(), results.get());
        }
        if (plans.isPresent() && results.isEmpty()) {
            return withPartitions(topics.all(), topics.shardResults(), plans.get());
        }
        return topics.all();
    }

    private static List<Topic<?>> withPartitions(List<Topic<?>> all, Topic<?> resized, int partitions) {
        Topic<?> sized = new Topic<>(resized.name(), resized.valueType(), partitions, resized.configs());
        return all.stream().map(t -> t.name().equals(resized.name()) ? sized : t).toList();
    }

    private static Optional<Integer> partitionsOf(Admin admin, String topic) {
        try {
            return Optional.of(admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .get(topic).partitions().size());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw new IllegalStateException("describing topic " + topic + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the cluster did not describe topic " + topic + " within " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted describing topic " + topic, e);
        }
    }

    /** Creates the given topics with an open admin client; existing topics are left as they are. */
    public static List<String> createAll(Admin admin, List<Topic<?>> wanted, Optional<Short> replicationFactor) {
        List<NewTopic> newTopics = new ArrayList<>();
        for (Topic<?> t : wanted) {
            newTopics.add(new NewTopic(t.name(), Optional.of(t.partitions()), replicationFactor).configs(t.configs()));
        }
        CreateTopicsResult result = admin.createTopics(newTopics);
        List<String> created = new ArrayList<>();
        for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> e : result.values().entrySet()) {
            try {
                e.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                created.add(e.getKey());
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("creating topic " + e.getKey() + " failed: " + ex.getCause().getMessage(), ex.getCause());
                }
            } catch (TimeoutException ex) {
                throw new IllegalStateException("the cluster did not create topic " + e.getKey() + " within " + TIMEOUT, ex);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted creating topics", ex);
            }
        }
        awaitVisible(admin, wanted.stream().map(Topic::name).toList());
        if (!created.isEmpty()) {
            log.info("Created topics {}", created);
        }
        return created;
    }

    // A created topic is committed by the controller before every broker has its metadata; consumers that
    // assign partitions right away would otherwise see none.
    private static void awaitVisible(Admin admin, List<String> names) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                Map<String, TopicDescription> d = admin.describeTopics(names).allTopicNames().get();
                if (d.keySet().containsAll(Set.copyOf(names)) && d.values().stream()
                        .allMatch(td -> td.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()))) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("describing topics failed: " + e.getCause().getMessage(), e.getCause());
                }
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for topics", e);
            }
            try {
                Thread.sleep(50); // metadata propagation backoff
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for topics", e);
            }
        }
        throw new IllegalStateException("topics " + names + " not visible within " + TIMEOUT, last);
    }
}
