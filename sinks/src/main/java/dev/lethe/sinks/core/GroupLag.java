package dev.lethe.sinks.core;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/** A consumer group's lag as the broker sees it: what the demo waits on and what the dashboard shows per group. */
public final class GroupLag {

    private GroupLag() {
    }

    /**
     * Records the group still has to consume (read_committed ends minus committed offsets) over every partition of
     * every topic it has committed on, so a partition that gets its first record now counts too; -1 if unknown yet.
     */
    public static long of(Admin admin, String groupId) throws InterruptedException {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get();
            if (committed.isEmpty()) {
                return -1;
            }
            Set<String> topics = committed.keySet().stream().map(TopicPartition::topic).collect(Collectors.toSet());
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (TopicDescription t : admin.describeTopics(topics).allTopicNames().get().values()) {
                t.partitions().forEach(p -> latest.put(new TopicPartition(t.name(), p.partition()), OffsetSpec.latest()));
            }
            var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
            long lag = 0;
            for (var e : ends.entrySet()) {
                OffsetAndMetadata at = committed.get(e.getKey());
                lag += Math.max(0, e.getValue().offset() - (at == null ? 0 : at.offset()));
            }
            return lag;
        } catch (ExecutionException e) {
            return -1;
        }
    }
}
