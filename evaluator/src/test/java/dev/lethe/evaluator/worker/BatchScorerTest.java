package dev.lethe.evaluator.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.evaluator.deadletter.DeadLetters;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.deadletter.DeadLetterBuilder;
import dev.lethe.schemas.registry.InMemorySchemaRegistryClient;
import dev.lethe.schemas.registry.SchemaRegistryClient;
import dev.lethe.schemas.serde.AvroSerdes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/** The worker's batch logic driven without Kafka: records in, results and dead letters out. */
class BatchScorerTest {

    static final String SOURCE = "lethe.eval-tasks";
    static final String RESULTS = "lethe.shard-results";
    static final String DLQ = "lethe.eval-tasks-dlq";

    final SchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    final Serde<EvalTask> taskSerde = AvroSerdes.of(EvalTask.class, registry);
    final Serde<ShardResult> resultSerde = AvroSerdes.of(ShardResult.class, registry);
    final Serde<DeadLetter> dlqSerde = AvroSerdes.of(DeadLetter.class, registry);
    final DeadLetters deadLetters = new DeadLetters(new DeadLetterBuilder(DeadLetterBuilder.DEFAULT_MAX_REQUEST_SIZE), DLQ,
            "evaluator-worker/w-test", dlqSerde.serializer());
    final ShardTaskHandler handler = ShardTaskHandlerTest.handler(ShardTaskHandlerTest.sleepRegistry());

    BatchScorer scorer(Deserializer<EvalTask> tasks) {
        return new BatchScorer(tasks, resultSerde.serializer(), RESULTS, deadLetters);
    }

    ConsumerRecord<byte[], byte[]> record(long offset, byte[] value) {
        return new ConsumerRecord<>(SOURCE, 0, offset, ("k" + offset).getBytes(StandardCharsets.UTF_8), value);
    }

    ConsumerRecord<byte[], byte[]> record(long offset, EvalTask task) {
        return record(offset, taskSerde.serializer().serialize(SOURCE, task));
    }

    BatchScorer.TaskRunner direct() {
        return task -> {
            try {
                return handler.handle(task);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        };
    }

    @Test
    void shouldTurnScoredTasksIntoResultsAndRefusedOrUndecodableOnesIntoDeadLettersInBatchOrder() {
        List<EvalTask> tasks = ShardTaskHandlerTest.tasks();
        EvalTask wrongVersion = EvalTask.newBuilder(tasks.get(1)).setSuiteVersion("f".repeat(64)).build();
        List<ConsumerRecord<byte[], byte[]>> batch = List.of(
                record(10, tasks.get(0)),
                record(11, "not avro".getBytes(StandardCharsets.UTF_8)),
                record(12, wrongVersion),
                record(13, tasks.get(2)));

        BatchScorer.Output out = scorer(taskSerde.deserializer()).score(batch, direct(), () -> false).orElseThrow();

        assertThat(out.results()).isEqualTo(2);
        assertThat(out.deadLetters()).isEqualTo(2);
        List<ProducerRecord<byte[], byte[]>> records = out.records();
        assertThat(records).extracting(ProducerRecord::topic).containsExactly(RESULTS, DLQ, DLQ, RESULTS);

        ShardResult first = resultSerde.deserializer().deserialize(RESULTS, records.get(0).value());
        assertThat(first.getTaskId()).isEqualTo(tasks.get(0).getTaskId());
        assertThat(new String(records.get(0).key(), StandardCharsets.UTF_8))
                .isEqualTo(tasks.get(0).getCampaign() + "/" + tasks.get(0).getModel());
        assertThat(resultSerde.deserializer().deserialize(RESULTS, records.get(3).value()).getTaskId())
                .isEqualTo(tasks.get(2).getTaskId());

        DeadLetter undecodable = dlqSerde.deserializer().deserialize(DLQ, records.get(1).value());
        assertThat(undecodable.getReason()).isEqualTo(DeadLetterReason.DESERIALIZATION);
        assertThat(undecodable.getOffset()).isEqualTo(11);
        DeadLetter refused = dlqSerde.deserializer().deserialize(DLQ, records.get(2).value());
        assertThat(refused.getReason()).isEqualTo(DeadLetterReason.SUITE_VERSION_MISMATCH);
        assertThat(refused.getOffset()).isEqualTo(12);
        assertThat(refused.getComponent()).isEqualTo("evaluator-worker/w-test");
    }

    @Test
    void shouldAbandonTheBatchWhenTheRunnerGivesUpOrTheBatchIsRevoked() {
        List<EvalTask> tasks = ShardTaskHandlerTest.tasks();
        List<ConsumerRecord<byte[], byte[]>> batch = List.of(record(0, tasks.get(0)), record(1, tasks.get(1)));
        AtomicInteger scored = new AtomicInteger();
        BatchScorer scorer = scorer(taskSerde.deserializer());

        Optional<BatchScorer.Output> gaveUp = scorer.score(batch, task -> scored.incrementAndGet() == 1 ? direct().run(task) : null,
                () -> false);
        List<String> seen = new ArrayList<>();
        Optional<BatchScorer.Output> revoked = scorer.score(batch, task -> {
            seen.add(task.getTaskId());
            return direct().run(task);
        }, () -> !seen.isEmpty()); // a partition revoked after the first task

        assertThat(gaveUp).isEmpty();
        assertThat(revoked).isEmpty();
        assertThat(seen).containsExactly(tasks.get(0).getTaskId());
    }

    @Test
    void shouldRetryRatherThanDeadLetterWhenTheRegistryIsUnavailable() {
        Deserializer<EvalTask> unreachable = (topic, data) -> {
            throw new SerializationException("fetching schema", new IOException("connection refused"));
        };
        List<ConsumerRecord<byte[], byte[]>> batch = List.of(record(0, ShardTaskHandlerTest.tasks().get(0)));

        assertThatThrownBy(() -> scorer(unreachable).score(batch, direct(), () -> false))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("schema registry unavailable");
    }
}
