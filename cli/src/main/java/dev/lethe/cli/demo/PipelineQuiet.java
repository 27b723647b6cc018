package dev.lethe.cli.demo;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Tells whether a consumer group has committed everything on every partition it reads (its input and, for
 * Kafka Streams, its repartition topics): the group's lag is zero.
 */
final class PipelineQuiet {

    private final Admin admin;

    PipelineQuiet(Admin admin) {
        this.admin = admin;
    }

    /** Total records the group still has to process; 0 when it is idle (or has committed nothing yet: -1). */
    long lag(String groupId) throws InterruptedException {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get();
            if (committed.isEmpty()) {
                return -1;
            }
            Map<TopicPartition, OffsetSpec> latest = committed.keySet().stream()
                    .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
            var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
            long lag = 0;
            for (var e : committed.entrySet()) {
                long end = ends.get(e.getKey()).offset();
                long at = e.getValue() == null ? 0 : e.getValue().offset();
                lag += Math.max(0, end - at);
            }
            return lag;
        } catch (ExecutionException e) {
            return -1;
        }
    }

    /** Waits until {@link #lag} is 0 on two polls in a row (a commit may be in flight between them). */
    boolean awaitIdle(String groupId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int quietPolls = 0;
        while (System.nanoTime() < deadline) {
            quietPolls = lag(groupId) == 0 ? quietPolls + 1 : 0;
            if (quietPolls >= 2) {
                return true;
            }
            Thread.sleep(250);
        }
        return false;
    }
}
