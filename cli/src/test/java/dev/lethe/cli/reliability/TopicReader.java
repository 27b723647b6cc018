package dev.lethe.cli.reliability;

import static org.awaitility.Awaitility.await;

import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads what a topic holds right now (from the beginning to the last stable offsets, read_committed) and tells a
 * consumer group's lag; group-less, so it never disturbs the pipeline's own groups.
 */
final class TopicReader {

    private TopicReader() {
    }

    /** Every committed record of {@code topic} up to its current end. */
    static <V extends SpecificRecord> List<ConsumerRecord<String, V>> readAll(ClusterConfig config, Topic<V> topic,
                                                                                Duration timeout) {
        Map<String, Object> props = new HashMap<>(config.clientProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, V>> seen = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                AvroSerdes.forTopic(topic, config).deserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic.name(), timeout).stream()
                    .map(p -> new TopicPartition(topic.name(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, timeout);
            await("reading " + topic.name() + " to its end").atMost(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))
                    .pollInSameThread().pollInterval(Duration.ofMillis(1)).until(() -> {
                        if (drained(consumer, end)) {
                            return true;
                        }
                        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                        return false;
                    });
        }
        return seen;
    }

    private static boolean drained(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Records {@code groupId} has not yet committed past on any partition it reads; -1 if it committed nothing. */
    static long lag(ClusterConfig config, String groupId) throws InterruptedException {
        try (Admin admin = Admin.create(config.clientProperties())) {
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
                long at = e.getValue() == null ? 0 : e.getValue().offset();
                lag += Math.max(0, ends.get(e.getKey()).offset() - at);
            }
            return lag;
        } catch (ExecutionException e) {
            return -1;
        }
    }

    /**
     * Per partition of each topic: its last stable offset and high watermark ("LSO/HW"; an LSO held below the HW is
     * an open transaction) and what {@code groupId} committed there. For a failure message, so a wait that timed out
     * says whether the data is missing, hidden behind an open transaction, or written and not consumed.
     */
    static String offsets(ClusterConfig config, String groupId, List<String> topics) {
        try (Admin admin = Admin.create(config.clientProperties())) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get();
            StringBuilder out = new StringBuilder();
            for (String topic : topics) {
                int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (int p = 0; p < partitions; p++) {
                    latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                }
                var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
                var high = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get();
                out.append(topic).append(':');
                for (int p = 0; p < partitions; p++) {
                    TopicPartition tp = new TopicPartition(topic, p);
                    OffsetAndMetadata at = committed.get(tp);
                    out.append(" p").append(p).append(' ').append(stable.get(tp).offset()).append('/')
                            .append(high.get(tp).offset()).append(" committed ").append(at == null ? "-" : at.offset());
                }
                out.append("; ");
            }
            return out.toString();
        } catch (ExecutionException | RuntimeException e) {
            return "offsets unreadable: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "offsets unread: interrupted";
        }
    }
}
