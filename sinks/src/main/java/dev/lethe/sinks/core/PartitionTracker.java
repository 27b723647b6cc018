package dev.lethe.sinks.core;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SinkRunner}'s view of its partitions, on the consume thread: assigns every partition of the sink's topics
 * (they may be created after the sink starts; no group rebalancing, a view needs all of them) and measures the lag
 * from the end offsets, now and then.
 */
final class PartitionTracker {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionTracker.class);
    private static final Duration TOPIC_RETRY = Duration.ofSeconds(1);

    private final Consumer<byte[], byte[]> consumer;
    private final List<String> topics;
    private final SinkRunnerConfig config;
    private final PipelineStats stats;
    private final String sinkName;
    private long lastTopicCheckNanos;
    private long lastLagNanos;
    private long lag = -1;
    private boolean assigned;

    PartitionTracker(Consumer<byte[], byte[]> consumer, List<String> topics, SinkRunnerConfig config, PipelineStats stats,
                     String sinkName) {
        this.consumer = consumer;
        this.topics = List.copyOf(topics);
        this.config = config;
        this.stats = stats;
        this.sinkName = sinkName;
    }

    /** True once every topic was found and its partitions assigned. */
    boolean assigned() {
        return assigned;
    }

    /** Records behind the end offsets over all partitions at the last measurement; -1 before the first. */
    long lag() {
        return lag;
    }

    /** When the lag was last measured (System.nanoTime), 0 before the first measurement. */
    long lagMeasuredAt() {
        return lag < 0 ? 0 : lastLagNanos;
    }

    /** Counts a failed measurement as one, so the next is tried only after the lag interval. */
    void lagUnknownNow() {
        lastLagNanos = System.nanoTime();
    }

    /** Assigns the partitions of topics not yet found (checked at most once a second until all are). */
    void assignNewPartitions() {
        if (assigned || System.nanoTime() - lastTopicCheckNanos < TOPIC_RETRY.toNanos() && lastTopicCheckNanos != 0) {
            return;
        }
        lastTopicCheckNanos = System.nanoTime();
        Set<TopicPartition> all = new HashSet<>(consumer.assignment());
        boolean complete = true;
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, SinkRunner.CLIENT_TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                complete = false;
                continue;
            }
            infos.forEach(i -> all.add(new TopicPartition(i.topic(), i.partition())));
        }
        Set<TopicPartition> added = new HashSet<>(all);
        added.removeAll(consumer.assignment());
        if (!added.isEmpty()) {
            consumer.assign(all);
            if (config.startPosition() == StartPosition.EARLIEST) {
                consumer.seekToBeginning(added);
            }
            // COMMITTED: the consumer resumes from the group's offsets, auto.offset.reset=earliest otherwise
            LOG.info("sink {} assigned {}", sinkName, added);
        }
        if (!complete) {
            LOG.debug("sink {}: waiting for topics {}", sinkName, topics);
        }
        assigned = complete;
    }

    /** Measures the lag per topic (into the stats) if the lag interval has passed since the last time. */
    void measureLag() {
        Set<TopicPartition> assignment = consumer.assignment();
        if (assignment.isEmpty() || System.nanoTime() - lastLagNanos < config.lagInterval().toNanos()) {
            return;
        }
        Map<TopicPartition, Long> ends = consumer.endOffsets(assignment, SinkRunner.CLIENT_TIMEOUT);
        Map<String, Long> perTopic = new HashMap<>();
        for (TopicPartition tp : assignment) {
            long end = ends.getOrDefault(tp, 0L);
            long position = consumer.position(tp, SinkRunner.CLIENT_TIMEOUT);
            perTopic.merge(tp.topic(), Math.max(0, end - position), Long::sum);
        }
        perTopic.forEach(stats::recordLag);
        lag = perTopic.values().stream().mapToLong(Long::longValue).sum();
        lastLagNanos = System.nanoTime();
    }
}
