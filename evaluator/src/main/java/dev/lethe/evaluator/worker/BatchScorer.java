package dev.lethe.evaluator.worker;

import dev.lethe.evaluator.deadletter.DeadLetters;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.failure.TransientFailure;
import dev.lethe.schemas.topics.RecordKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's batch logic, without Kafka clients: records in, the records to produce out. Each polled
 * {@code EvalTask} record is decoded and handed to a {@link TaskRunner}; a scored task becomes its
 * {@link ShardResult} on the results topic (key campaign/model, {@link RecordKeys#shardResult}), an undecodable record or a refused task
 * its dead letter on the DLQ topic, in the order of the batch. {@link EvaluatorWorker} runs it with a runner that
 * scores on its scoring thread while polling; unit tests drive it directly ({@code BatchScorerTest}).
 */
final class BatchScorer {

    private static final Logger LOG = LoggerFactory.getLogger(BatchScorer.class);

    /** Scores one task; returns null when the batch must be abandoned (a partition revoked, the worker halting). */
    @FunctionalInterface
    interface TaskRunner {
        TaskOutcome run(EvalTask task);
    }

    /** The records to produce for a batch, in batch order, and how many of them are results and dead letters. */
    record Output(List<ProducerRecord<byte[], byte[]>> records, int results, int deadLetters) {
    }

    private final Deserializer<EvalTask> tasks;
    private final Serializer<ShardResult> resultSerializer;
    private final String resultsTopic;
    private final DeadLetters deadLetters;
    /** One WARN per (checkpoint, reason), not one per shard; bounded so a long-running worker does not grow. */
    private final Set<String> warnedCheckpoints = Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 1024;
        }
    });

    BatchScorer(Deserializer<EvalTask> tasks, Serializer<ShardResult> resultSerializer, String resultsTopic,
                DeadLetters deadLetters) {
        this.tasks = tasks;
        this.resultSerializer = resultSerializer;
        this.resultsTopic = resultsTopic;
        this.deadLetters = deadLetters;
    }

    /**
     * The records to produce for {@code batch}, or empty when the batch is abandoned: {@code abandoned} became true
     * (checked before each record and at the end) or the runner returned null.
     *
     * @throws SerializationException when the schema registry is unavailable (a transient failure: the batch must
     *                                be retried, never dead-lettered) or refuses a result's schema
     */
    Optional<Output> score(List<ConsumerRecord<byte[], byte[]>> batch, TaskRunner runner, BooleanSupplier abandoned) {
        List<ProducerRecord<byte[], byte[]>> outputs = new ArrayList<>(batch.size());
        int results = 0;
        int dead = 0;
        for (ConsumerRecord<byte[], byte[]> record : batch) {
            if (abandoned.getAsBoolean()) {
                return Optional.empty();
            }
            EvalTask task;
            try {
                task = tasks.deserialize(record.topic(), record.headers(), record.value());
                if (task == null) {
                    throw new SerializationException("null value (tombstone)");
                }
            } catch (RuntimeException e) {
                if (TransientFailure.isTransient(e)) {
                    throw new SerializationException("schema registry unavailable: " + e.getMessage(), e);
                }
                LOG.warn("undecodable task at {}-{}@{} dead-lettered: {}", record.topic(), record.partition(), record.offset(),
                        e.getMessage());
                outputs.add(deadLetters.record(record, DeadLetterReason.DESERIALIZATION, "undecodable EvalTask: " + e.getMessage(), e));
                dead++;
                continue;
            }
            TaskOutcome outcome = runner.run(task);
            if (outcome == null) {
                return Optional.empty();
            }
            if (outcome instanceof TaskOutcome.Scored scored) {
                ShardResult result = scored.result();
                String key = RecordKeys.shardResult(result);
                outputs.add(new ProducerRecord<>(resultsTopic, key.getBytes(StandardCharsets.UTF_8),
                        resultSerializer.serialize(resultsTopic, result)));
                results++;
            } else if (outcome instanceof TaskOutcome.Refused refused) {
                if (warnedCheckpoints.add(task.getCheckpointId() + "|" + refused.reason())) {
                    LOG.warn("task {} dead-lettered ({}): {}", task.getTaskId(), refused.reason(), refused.message());
                } else {
                    LOG.debug("task {} dead-lettered ({}): {}", task.getTaskId(), refused.reason(), refused.message());
                }
                outputs.add(deadLetters.record(record, refused.reason(), refused.message(), refused.cause()));
                dead++;
            }
        }
        return abandoned.getAsBoolean() ? Optional.empty() : Optional.of(new Output(outputs, results, dead));
    }
}
