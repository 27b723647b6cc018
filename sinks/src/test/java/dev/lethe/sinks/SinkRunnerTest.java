package dev.lethe.sinks;

import static dev.lethe.sinks.TestRecords.alert;
import static dev.lethe.sinks.TestRecords.category;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import dev.lethe.schemas.registry.InMemorySchemaRegistryClient;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.sinks.core.DeadLetterPublisher;
import dev.lethe.sinks.core.MetricSink;
import dev.lethe.sinks.core.PipelineStats;
import dev.lethe.sinks.core.SinkRunner;
import dev.lethe.sinks.core.SinkRunnerConfig;
import dev.lethe.sinks.core.SourceRecord;
import dev.lethe.sinks.core.StartPosition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class SinkRunnerTest {

    private final Topics topics = Topics.defaults();
    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final Serde<ForgettingMetric> metricSerde = AvroSerdes.of(ForgettingMetric.class, registry);
    private final Serde<KnowledgeLossAlert> alertSerde = AvroSerdes.of(KnowledgeLossAlert.class, registry);

    /** Records what it is handed, and the number of records seen at each flush. */
    private static final class RecordingSink implements MetricSink {
        final List<Object> received = new CopyOnWriteArrayList<>();
        final List<Integer> flushedAt = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public void onMetric(ForgettingMetric metric) {
            received.add(metric);
        }

        @Override
        public void onAlert(KnowledgeLossAlert alert) {
            received.add(alert);
        }

        @Override
        public void flush() {
            flushedAt.add(received.size());
        }
    }

    private record Letter(SourceRecord source, DeadLetterReason reason, String message) {
    }

    @Test
    void shouldDeadLetterPoisonAndInvalidRecordsAndCommitAfterFlushWhenConsuming() throws Exception {
        String forgetting = topics.forgetting().name();
        String alerts = topics.alerts().name();
        TopicPartition f0 = new TopicPartition(forgetting, 0);
        TopicPartition a0 = new TopicPartition(alerts, 0);
        // keeps its committed offsets readable after the runner closed it
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest") {
            @Override
            public synchronized void close() {
            }

            @Override
            public synchronized void close(org.apache.kafka.clients.consumer.CloseOptions options) {
            }
        };
        consumer.updatePartitions(forgetting, List.of(new PartitionInfo(forgetting, 0, Node.noNode(), null, null)));
        consumer.updatePartitions(alerts, List.of(new PartitionInfo(alerts, 0, Node.noNode(), null, null)));
        consumer.updateBeginningOffsets(Map.of(f0, 0L, a0, 0L));
        consumer.updateEndOffsets(Map.of(f0, 4L, a0, 1L));

        ForgettingMetric good = category("mlp", "mlp-a", 1, "task", 5.0, 85.0);
        ForgettingMetric invalid = ForgettingMetric.newBuilder(good).setScope(MetricScope.UNKNOWN).build();
        byte[] key = "mlp".getBytes(StandardCharsets.UTF_8);
        byte[] poison = {0, 0, 0, 0, 42, 1, 2, 3};
        consumer.schedulePollTask(() -> {
            consumer.addRecord(new ConsumerRecord<>(forgetting, 0, 0L, key, metricSerde.serializer().serialize(forgetting, good)));
            consumer.addRecord(new ConsumerRecord<>(forgetting, 0, 1L, key, poison));
            consumer.addRecord(new ConsumerRecord<>(forgetting, 0, 2L, key, metricSerde.serializer().serialize(forgetting, invalid)));
            consumer.addRecord(new ConsumerRecord<>(forgetting, 0, 3L, key, metricSerde.serializer().serialize(forgetting, good)));
            consumer.addRecord(new ConsumerRecord<>(alerts, 0, 0L, key,
                    alertSerde.serializer().serialize(alerts, alert("a-1", "mlp", "mlp-a", 1, AlertSeverity.WARNING))));
        });

        List<Letter> letters = new CopyOnWriteArrayList<>();
        PipelineStats stats = new PipelineStats();
        DeadLetterPublisher publisher = (source, reason, error, message) -> {
            stats.recordDeadLetter(source.topic());
            letters.add(new Letter(source, reason, message));
        };
        RecordingSink sink = new RecordingSink();
        SinkRunner runner = new SinkRunner(consumer, metricSerde.deserializer(), alertSerde.deserializer(), publisher, stats,
                topics, SinkRunnerConfig.defaults("recording", StartPosition.EARLIEST), sink).begin();
        try {
            assertThat(runner.awaitCaughtUp(Duration.ofSeconds(20))).isTrue();
        } finally {
            runner.close();
        }

        assertThat(sink.received).containsExactlyInAnyOrder(good, good, alert("a-1", "mlp", "mlp-a", 1, AlertSeverity.WARNING));
        assertThat(sink.flushedAt).isNotEmpty().allMatch(n -> n == 3);
        assertThat(letters).extracting(l -> l.source().offset() + ":" + l.reason())
                .containsExactlyInAnyOrder("1:DESERIALIZATION", "2:VALIDATION");
        Letter poisoned = letters.stream().filter(l -> l.source().offset() == 1).findFirst().orElseThrow();
        assertThat(poisoned.source().value()).isEqualTo(poison);
        assertThat(poisoned.source().key()).isEqualTo(key);
        assertThat(runner.progress().consumed()).isEqualTo(5);
        assertThat(runner.progress().deadLetters()).isEqualTo(2);
        assertThat(runner.progress().failure()).isNull();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.of(f0, a0));
        assertThat(committed.get(f0).offset()).isEqualTo(4L);
        assertThat(committed.get(a0).offset()).isEqualTo(1L);
    }

    @Test
    void shouldReadTheRecordAgainInsteadOfDeadLetteringWhenTheRegistryIsUnavailable() throws Exception {
        String forgetting = topics.forgetting().name();
        TopicPartition f0 = new TopicPartition(forgetting, 0);
        TopicPartition a0 = new TopicPartition(topics.alerts().name(), 0);
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        consumer.updatePartitions(forgetting, List.of(new PartitionInfo(forgetting, 0, Node.noNode(), null, null)));
        consumer.updatePartitions(topics.alerts().name(), List.of(new PartitionInfo(topics.alerts().name(), 0, Node.noNode(), null, null)));
        consumer.updateBeginningOffsets(Map.of(f0, 0L, a0, 0L));
        consumer.updateEndOffsets(Map.of(f0, 2L, a0, 0L));
        ForgettingMetric first = category("mlp", "mlp-a", 1, "task", 5.0, 85.0);
        ForgettingMetric second = category("mlp", "mlp-a", 2, "task", 6.0, 84.0);
        byte[] key = "mlp".getBytes(StandardCharsets.UTF_8);
        consumer.schedulePollTask(() -> {
            consumer.addRecord(new ConsumerRecord<>(forgetting, 0, 0L, key, metricSerde.serializer().serialize(forgetting, first)));
            consumer.addRecord(new ConsumerRecord<>(forgetting, 0, 1L, key, metricSerde.serializer().serialize(forgetting, second)));
        });
        // MockConsumer forgets returned records; a broker serves offset 1 again after the runner's seek back
        consumer.schedulePollTask(() -> consumer.addRecord(
                new ConsumerRecord<>(forgetting, 0, 1L, key, metricSerde.serializer().serialize(forgetting, second))));
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        org.apache.kafka.common.serialization.Deserializer<ForgettingMetric> flaky = (topic, data) -> {
            if (calls.incrementAndGet() == 2) { // the registry is down while the second record is decoded
                throw new dev.lethe.schemas.serde.AvroSerdeException("cannot fetch schema id 1",
                        new dev.lethe.schemas.registry.SchemaRegistryException(503, 50301, "unavailable", "http://registry"));
            }
            return metricSerde.deserializer().deserialize(topic, data);
        };
        List<Letter> letters = new CopyOnWriteArrayList<>();
        PipelineStats stats = new PipelineStats();
        RecordingSink sink = new RecordingSink();
        SinkRunner runner = new SinkRunner(consumer, flaky, alertSerde.deserializer(),
                (source, reason, error, message) -> letters.add(new Letter(source, reason, message)), stats,
                topics, SinkRunnerConfig.defaults("recording", StartPosition.EARLIEST), sink).begin();
        try {
            assertThat(runner.awaitCaughtUp(Duration.ofSeconds(20))).isTrue();
        } finally {
            runner.close();
        }
        assertThat(sink.received).containsExactly(first, second);
        assertThat(letters).isEmpty();
        assertThat(calls.get()).isEqualTo(3);
        assertThat(runner.progress().consumed()).isEqualTo(2);
    }
}
