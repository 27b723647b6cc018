package dev.lethe.evaluator.planner;

import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.deadletter.DeadLetters;
import dev.lethe.evaluator.kafka.KafkaClients;
import dev.lethe.evaluator.kafka.TransactionalBatch;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.schemas.CheckpointPlan;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.failure.TransientFailure;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.topics.PlanPartitions;
import dev.lethe.schemas.topics.RecordKeys;
import dev.lethe.schemas.topics.Topic;
import dev.lethe.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The planner: consumes {@code lethe.checkpoints} and emits one {@link EvalTask} per (benchmark, shard) on
 * {@code lethe.eval-tasks} (key checkpointId/benchmark/shardIndex), and one {@link CheckpointPlan} naming the
 * checkpoint's elements on {@code lethe.checkpoint-plans} (key campaign/model, for the aggregator), in one transaction
 * with the consumed offsets, so each event is planned exactly once; undecodable or invalid events go to
 * {@code lethe.checkpoints-dlq}.
 *
 * <p>A republished checkpoint (same checkpointId, same sha256) is planned again and yields the same task ids and the
 * same plan; that is harmless because the aggregator dedupes shard results by (checkpoint, benchmark, shardIndex) and
 * an element announced twice is awaited once. The same checkpointId
 * with another sha256 is refused as {@code CHECKPOINT_CONFLICT} ({@link CheckpointIdentities}); the identities are
 * rebuilt at start by replaying {@code lethe.checkpoints}.
 */
public final class Planner implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Planner.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final EvaluatorConfig config;
    private final ShardPlanner shardPlanner;
    private final Topic<CheckpointReady> source;
    private final Topic<EvalTask> tasksTopic;
    private final Topic<CheckpointPlan> plansTopic;
    private final Topic<DeadLetter> dlq;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong eventsPlanned = new AtomicLong();
    private final AtomicLong tasksEmitted = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicLong aborts = new AtomicLong();
    private volatile boolean running = true;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile Throwable failure;
    private final int maxTaskBytes;
    private final CheckpointIdentities identities = new CheckpointIdentities();
    private int taskPartitions = 1;

    public Planner(EvaluatorConfig config, SuiteCatalog catalog) {
        this.config = config;
        this.maxTaskBytes = maxTaskBytes(config);
        this.shardPlanner = new ShardPlanner(catalog);
        Topics topics = config.cluster().topics();
        this.source = topics.checkpoints();
        this.tasksTopic = topics.evalTasks();
        this.plansTopic = topics.checkpointPlans();
        this.dlq = topics.dlq(source);
    }

    public Planner(EvaluatorConfig config) {
        this(config, SuiteCatalog.of(config));
    }

    /** Starts the planner on a daemon thread named {@code lethe-planner}. */
    public Thread start() {
        Thread thread = new Thread(this, "lethe-planner");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @Override
    public void run() {
        Deserializer<CheckpointReady> events = AvroSerdes.forTopic(source, config.cluster()).deserializer();
        Serializer<EvalTask> taskSerializer = AvroSerdes.forTopic(tasksTopic, config.cluster()).serializer();
        Serializer<CheckpointPlan> planSerializer = AvroSerdes.forTopic(plansTopic, config.cluster()).serializer();
        Serializer<DeadLetter> dlqSerializer = AvroSerdes.forTopic(dlq, config.cluster()).serializer();
        DeadLetters dlqLetters = DeadLetters.forCluster(config.cluster(), dlq.name(), "planner", dlqSerializer);
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(config.cluster(), config.plannerGroupId(),
                config.plannerTransactionalId(), 50, config.sessionTimeout());
             KafkaProducer<byte[], byte[]> producer = KafkaClients.transactionalProducer(config.cluster(),
                     config.plannerTransactionalId(), config.transactionTimeout())) {
            consumer = c;
            // a plan must land in the partition of its run's results, or the aggregator task reading it waits for scores
            // that never reach it
            PlanPartitions.require(config.cluster(), Duration.ofSeconds(60));
            producer.initTransactions();
            taskPartitions = Math.max(1, producer.partitionsFor(tasksTopic.name()).size());
            replayIdentities(events);
            c.subscribe(List.of(source.name()));
            LOG.info("planner {} consuming {}", config.plannerId(), source.name());
            while (running) {
                ConsumerRecords<byte[], byte[]> records = c.poll(POLL);
                if (records.isEmpty()) {
                    continue;
                }
                List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
                records.forEach(batch::add);
                List<ProducerRecord<byte[], byte[]>> outputs = new ArrayList<>();
                int planned = 0;
                int tasks = 0;
                int dead = 0;
                try {
                    for (ConsumerRecord<byte[], byte[]> record : batch) {
                        List<ProducerRecord<byte[], byte[]>> out = plan(record, events, taskSerializer, planSerializer, dlqLetters);
                        if (out.size() == 1 && out.get(0).topic().equals(dlq.name())) {
                            dead++;
                        } else {
                            planned++;
                            tasks += (int) out.stream().filter(r -> r.topic().equals(tasksTopic.name())).count();
                        }
                        outputs.addAll(out);
                    }
                } catch (SerializationException e) {
                    // the registry is unreachable or refuses our schema: keep the events and try again shortly
                    LOG.warn("planner cannot serialize tasks ({}); retrying {} events", e.getMessage(), batch.size());
                    identities.abort();
                    aborts.incrementAndGet();
                    TransactionalBatch.rewind(c, batch);
                    Thread.sleep(1000);
                    continue;
                }
                if (TransactionalBatch.commit(producer, c, batch, outputs)) {
                    identities.commit();
                    eventsPlanned.addAndGet(planned);
                    tasksEmitted.addAndGet(tasks);
                    deadLetters.addAndGet(dead);
                } else {
                    identities.abort();
                    aborts.incrementAndGet();
                    LOG.warn("planner transaction aborted; {} events will be planned again", batch.size());
                }
            }
        } catch (WakeupException e) {
            // close() interrupts a blocking poll
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("planner {} stopped: {}", config.plannerId(), e.toString(), e);
        } finally {
            events.close();
            taskSerializer.close();
            planSerializer.close();
            dlqSerializer.close();
            stopped.countDown();
            LOG.info("planner {} stopped", config.plannerId());
        }
    }

    private List<ProducerRecord<byte[], byte[]>> plan(ConsumerRecord<byte[], byte[]> record, Deserializer<CheckpointReady> events,
                                                      Serializer<EvalTask> taskSerializer,
                                                      Serializer<CheckpointPlan> planSerializer, DeadLetters dlqLetters) {
        CheckpointReady event;
        try {
            event = events.deserialize(record.topic(), record.headers(), record.value());
            if (event == null) {
                return List.of(dlqLetters.record(record, DeadLetterReason.DESERIALIZATION, "null value (tombstone) on " + record.topic(), null));
            }
        } catch (RuntimeException e) {
            if (TransientFailure.isTransient(e)) {
                throw new SerializationException("schema registry unavailable: " + e.getMessage(), e);
            }
            return List.of(dlqLetters.record(record, DeadLetterReason.DESERIALIZATION, "undecodable CheckpointReady: " + e.getMessage(), e));
        }
        ShardPlanner.Plan plan = shardPlanner.plan(event);
        if (plan.rejected()) {
            LOG.warn("checkpoint {} refused ({}): {}", event.getCheckpointId(), plan.rejection().reason(), plan.rejection().message());
            return List.of(dlqLetters.record(record, plan.rejection().reason(), plan.rejection().message(), plan.rejection().cause()));
        }
        String conflict = identities.conflict(event);
        if (conflict != null) {
            LOG.warn("checkpoint {} refused (CHECKPOINT_CONFLICT): {}", event.getCheckpointId(), conflict);
            return List.of(dlqLetters.record(record, DeadLetterReason.CHECKPOINT_CONFLICT, conflict, null));
        }
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(plan.tasks().size() + 1);
        // a checkpoint's shards go round-robin over the partitions from a start fixed by its id: hashing each task
        // key left the busiest of 4 workers with 70-72 of 256 shards (BENCHMARKS.md, scaling); re-planning the
        // same checkpoint still puts every task on the same partition
        int first = Math.floorMod(event.getCheckpointId().hashCode(), taskPartitions);
        int index = 0;
        for (EvalTask task : plan.tasks()) {
            byte[] value = taskSerializer.serialize(tasksTopic.name(), task);
            if (value.length > maxTaskBytes) {
                // the producer would refuse it, abort the transaction and this event would be retried forever
                String message = "planned EvalTask " + task.getTaskId() + " is " + value.length + " bytes, over the "
                        + maxTaskBytes + "-byte limit (max.request.size minus headroom); the event's attributes are too large";
                LOG.warn("checkpoint {} refused (VALIDATION): {}", event.getCheckpointId(), message);
                return List.of(dlqLetters.record(record, DeadLetterReason.VALIDATION, message, null));
            }
            int partition = (first + index++) % taskPartitions;
            out.add(new ProducerRecord<>(tasksTopic.name(), partition, task.getTaskId().getBytes(StandardCharsets.UTF_8), value));
        }
        // the plan tells the aggregator which scores to wait for; it commits with the tasks, so neither is seen alone
        Optional<CheckpointPlan> checkpointPlan = CheckpointPlans.of(event, plan.tasks());
        if (checkpointPlan.isPresent()) {
            List<byte[]> values;
            try {
                values = CheckpointPlans.serialized(checkpointPlan.get(), p -> planSerializer.serialize(plansTopic.name(), p), maxTaskBytes);
            } catch (IllegalArgumentException e) {
                LOG.warn("checkpoint {} refused (VALIDATION): {}", event.getCheckpointId(), e.getMessage());
                return List.of(dlqLetters.record(record, DeadLetterReason.VALIDATION, e.getMessage(), null));
            }
            byte[] key = RecordKeys.checkpointPlan(checkpointPlan.get()).getBytes(StandardCharsets.UTF_8);
            values.forEach(value -> out.add(new ProducerRecord<>(plansTopic.name(), key, value)));
        }
        identities.planned(event);
        LOG.debug("checkpoint {} planned as {} tasks", event.getCheckpointId(), plan.tasks().size());
        return out;
    }

    /**
     * Rebuilds the checkpoint identities from {@code lethe.checkpoints} as it stands now (read_committed, from the
     * beginning, no group): every event that would be planned fixes its id's sha256 if it is the first. Events after
     * the planner's committed offset are replayed too, and since the first event of an id wins either way, planning
     * them afterwards comes to the same verdicts.
     */
    private void replayIdentities(Deserializer<CheckpointReady> events) throws InterruptedException {
        Map<String, Object> props = config.cluster().clientProperties();
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.plannerTransactionalId() + "-identities");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> replay = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = replay.partitionsFor(source.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            replay.assign(partitions);
            replay.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = replay.endOffsets(partitions);
            long replayed = 0;
            while (running && partitions.stream().anyMatch(tp -> replay.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> record : replay.poll(POLL)) {
                    CheckpointReady event;
                    try {
                        event = events.deserialize(record.topic(), record.headers(), record.value());
                    } catch (RuntimeException e) {
                        if (TransientFailure.isTransient(e)) {
                            LOG.warn("planner cannot decode checkpoints to replay their identities ({}); retrying", e.getMessage());
                            replay.seek(new TopicPartition(record.topic(), record.partition()), record.offset());
                            Thread.sleep(1000);
                            break;
                        }
                        continue; // dead-lettered when it was planned
                    }
                    if (event != null && !shardPlanner.plan(event).rejected()) {
                        identities.planned(event);
                    }
                    replayed++;
                }
            }
            identities.commit();
            LOG.info("planner {} knows {} checkpoint ids ({} events replayed)", config.plannerId(), identities.size(), replayed);
        }
    }

    /** The producer's max.request.size (Kafka's 1 MiB default unless overridden) minus room for key and headers. */
    static int maxTaskBytes(EvaluatorConfig config) {
        String configured = config.cluster().clientOverrides().get("max.request.size");
        int maxRequest = configured == null ? 1024 * 1024 : Integer.parseInt(configured.trim());
        return Math.max(1024, maxRequest - 16 * 1024);
    }

    /** Checkpoint events planned into tasks (committed). */
    public long eventsPlanned() {
        return eventsPlanned.get();
    }

    /** Tasks emitted (committed). */
    public long tasksEmitted() {
        return tasksEmitted.get();
    }

    /** Events dead-lettered (committed). */
    public long deadLetters() {
        return deadLetters.get();
    }

    /** Aborted transactions (each batch is retried). */
    public long aborts() {
        return aborts.get();
    }

    /** The error that stopped the planner, or null. */
    public Throwable failure() {
        return failure;
    }

    /** Stops polling, lets the current batch commit, and waits up to 30 s for the planner to stop. */
    @Override
    public void close() {
        running = false;
        try {
            if (!stopped.await(30, TimeUnit.SECONDS)) {
                KafkaConsumer<byte[], byte[]> c = consumer;
                if (c != null) {
                    c.wakeup();
                }
                stopped.await(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
