package dev.lethe.sinks.core;

import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.deadletter.DeadLetterBuilder;
import dev.lethe.schemas.failure.TransientFailure;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.topics.Topic;
import dev.lethe.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one consume loop of every sink: reads {@code lethe.forgetting} and/or {@code lethe.alerts} (read_committed,
 * its own consumer group), decodes the Avro values, hands them to a {@link MetricSink}, flushes it and only then
 * commits the offsets. Undecodable or invalid records go to the topic's {@code -dlq} as DeadLetters.
 *
 * <p>The runner assigns every partition of its topics itself (no group rebalancing: a view needs all of them),
 * so one instance runs per group. It runs on its own thread; {@link #progress()}, {@link #awaitCaughtUp},
 * {@link #flush()} and {@link #close()} are safe from any thread.
 */
public final class SinkRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SinkRunner.class);
    private static final Duration TOPIC_RETRY = Duration.ofSeconds(1);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration REGISTRY_RETRY = Duration.ofSeconds(2);

    private final Consumer<byte[], byte[]> consumer;
    private final Deserializer<ForgettingMetric> metricDecoder;
    private final Deserializer<KnowledgeLossAlert> alertDecoder;
    private final DeadLetterPublisher deadLetters;
    private final Topics topics;
    private final SinkRunnerConfig config;
    private final MetricSink sink;
    private final PipelineStats stats;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean flushRequested = new AtomicBoolean();
    private final AtomicReference<SinkProgress> progress = new AtomicReference<>(SinkProgress.INITIAL);
    private final Object monitor = new Object();

    private volatile SourceRecord current;
    private long pending;
    private long flushes;
    private long lastFlushNanos = System.nanoTime();
    private long lastLagNanos;
    private long lastTopicCheckNanos;
    private long lag = -1;
    private boolean assigned;

    /** Wiring for tests and embedding; {@link #start} is the usual entry point. */
    public SinkRunner(Consumer<byte[], byte[]> consumer, Deserializer<ForgettingMetric> metricDecoder,
                      Deserializer<KnowledgeLossAlert> alertDecoder, DeadLetterPublisher deadLetters, PipelineStats stats,
                      Topics topics, SinkRunnerConfig config, MetricSink sink) {
        this.consumer = consumer;
        this.metricDecoder = metricDecoder;
        this.alertDecoder = alertDecoder;
        this.deadLetters = deadLetters;
        this.stats = stats;
        this.topics = topics;
        this.config = config.validated();
        this.sink = sink;
        this.thread = new Thread(this::run, "lethe-sink-" + sink.name());
        this.thread.setDaemon(true);
    }

    /** Connects to {@code cluster} and starts feeding {@code sink} on a new thread. */
    public static SinkRunner start(ClusterConfig cluster, SinkRunnerConfig config, MetricSink sink) {
        config.validated();
        Topics topics = cluster.topics();
        PipelineStats stats = new PipelineStats();
        Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(cluster, config, sink),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Deserializer<ForgettingMetric> metrics = AvroSerdes.forTopic(topics.forgetting(), cluster).deserializer();
        Deserializer<KnowledgeLossAlert> alerts = AvroSerdes.forTopic(topics.alerts(), cluster).deserializer();
        Topic<DeadLetter> anyDlq = topics.dlq(topics.forgetting());
        Map<String, Object> producerProperties = producerProperties(cluster, config);
        KafkaProducer<String, DeadLetter> producer = new KafkaProducer<>(producerProperties,
                new StringSerializer(), AvroSerdes.forTopic(anyDlq, cluster).serializer());
        DeadLetterPublisher publisher = new KafkaDeadLetterPublisher(producer, topics, stats, "sink-" + sink.name(),
                DeadLetterBuilder.forProducer(producerProperties));
        SinkRunner runner = new SinkRunner(consumer, metrics, alerts, publisher, stats, topics, config, sink);
        runner.begin();
        return runner;
    }

    static Map<String, Object> consumerProperties(ClusterConfig cluster, SinkRunnerConfig config, MetricSink sink) {
        Map<String, Object> props = new HashMap<>(cluster.clientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.groupId() + "-consumer");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return props;
    }

    static Map<String, Object> producerProperties(ClusterConfig cluster, SinkRunnerConfig config) {
        Map<String, Object> props = new HashMap<>(cluster.clientProperties());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, config.groupId() + "-dlq");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return props;
    }

    /** Starts the consume thread (once). */
    public SinkRunner begin() {
        thread.start();
        return this;
    }

    public String name() {
        return sink.name();
    }

    public MetricSink sink() {
        return sink;
    }

    public PipelineStats stats() {
        return stats;
    }

    public SinkProgress progress() {
        return progress.get();
    }

    /** Records read so far (decoded or dead-lettered). */
    public long recordsConsumed() {
        return progress.get().consumed();
    }

    /**
     * Waits until the sink has read everything committed to its topics at some moment after this call began, and
     * flushed it. Returns false on timeout; throws if the runner has failed.
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        synchronized (monitor) {
            while (true) {
                SinkProgress p = progress.get();
                if (p.failure() != null) {
                    throw new IllegalStateException("sink " + sink.name() + " failed: " + p.failure().getMessage(), p.failure());
                }
                if (p.caughtUp() && p.lagMeasuredAt() - start > 0) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !thread.isAlive()) {
                    return false;
                }
                monitor.wait(Math.max(1, Math.min(left / 1_000_000, 100)));
            }
        }
    }

    /** Asks the runner to flush the sink now and waits (up to 30 s) until it has. */
    public void flush() throws InterruptedException {
        long before = progress.get().flushes();
        flushRequested.set(true);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        synchronized (monitor) {
            while (progress.get().flushes() == before && thread.isAlive() && System.nanoTime() < deadline) {
                monitor.wait(50);
            }
        }
    }

    /** Waits until the runner has stopped (closed or failed); true if it did within the timeout. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        thread.join(Math.max(1, timeout.toMillis()));
        return !thread.isAlive();
    }

    /** True while the consume thread runs. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Stops consuming, flushes the sink a last time, commits, and closes the sink and the clients. */
    @Override
    public void close() {
        if (running.getAndSet(false)) {
            deadLetters.stopRetrying();
            consumer.wakeup();
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(Duration.ofSeconds(60).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        Throwable failure = null;
        LOG.info("sink {} starting (group {}, from {})", sink.name(), config.groupId(), config.startPosition());
        try {
            sink.open(new RunnerContext());
            for (String topic : wantedTopics()) {
                stats.track(topic);
            }
            while (running.get()) {
                try {
                    assignNewPartitions();
                } catch (RetriableException e) {
                    LOG.warn("sink {}: cannot list the partitions yet ({}), retrying", sink.name(), e.getMessage());
                }
                ConsumerRecords<byte[], byte[]> records = assigned || !consumer.assignment().isEmpty()
                        ? consumer.poll(config.pollTimeout())
                        : idle();
                boolean retryLater = false;
                for (TopicPartition tp : records.partitions()) {
                    for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
                        if (!handle(record)) {
                            // the registry is unreachable, not the record bad: read it again after a pause
                            consumer.seek(tp, record.offset());
                            retryLater = true;
                            break;
                        }
                    }
                }
                try {
                    measureLag(false);
                } catch (RetriableException e) {
                    // a broker away for a while: the lag stays unknown-old, consuming goes on when it is back
                    LOG.warn("sink {}: cannot fetch end offsets ({}), retrying", sink.name(), e.getMessage());
                    lastLagNanos = System.nanoTime();
                }
                boolean due = System.nanoTime() - lastFlushNanos >= config.flushInterval().toNanos();
                if (flushRequested.getAndSet(false) || pending > 0 && (lag == 0 || due)) {
                    flushAndCommit();
                }
                publish(null);
                if (retryLater) {
                    pause(REGISTRY_RETRY);
                }
            }
        } catch (WakeupException e) {
            // close() was called
        } catch (RuntimeException | Error e) {
            failure = e;
            LOG.error("sink {} stopped by an error", sink.name(), e);
        } finally {
            shutdown(failure);
        }
    }

    private ConsumerRecords<byte[], byte[]> idle() {
        pause(config.pollTimeout());
        return ConsumerRecords.empty();
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    private void shutdown(Throwable failure) {
        if (failure == null) {
            try {
                flushAndCommit();
            } catch (WakeupException e) {
                // close() woke the consumer inside the final commit: the flag is spent, so commit once more
                commit();
            } catch (RuntimeException e) {
                LOG.warn("sink {}: last flush failed", sink.name(), e);
            }
        }
        closeQuietly(sink, "sink");
        closeQuietly(consumer::close, "consumer");
        closeQuietly(deadLetters, "dead-letter producer");
        publish(failure);
        LOG.info("sink {} stopped after {} records", sink.name(), stats.consumedTotal());
    }

    private void closeQuietly(AutoCloseable closeable, String what) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("sink {}: closing the {} failed", sink.name(), what, e);
        }
    }

    private List<String> wantedTopics() {
        List<String> names = new ArrayList<>();
        if (sink.consumesMetrics()) {
            names.add(topics.forgetting().name());
        }
        if (sink.consumesAlerts()) {
            names.add(topics.alerts().name());
        }
        return names;
    }

    /** Assigns the partitions of topics not yet found (they may be created after the sink starts). */
    private void assignNewPartitions() {
        if (assigned || System.nanoTime() - lastTopicCheckNanos < TOPIC_RETRY.toNanos() && lastTopicCheckNanos != 0) {
            return;
        }
        lastTopicCheckNanos = System.nanoTime();
        Set<TopicPartition> all = new HashSet<>(consumer.assignment());
        boolean complete = true;
        for (String topic : wantedTopics()) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, CLIENT_TIMEOUT);
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
            LOG.info("sink {} assigned {}", sink.name(), added);
        }
        if (!complete) {
            LOG.debug("sink {}: waiting for topics {}", sink.name(), wantedTopics());
        }
        assigned = complete;
    }

    /** Hands one record over or dead-letters it; false when it could not be decoded for a transient reason. */
    private boolean handle(ConsumerRecord<byte[], byte[]> record) {
        SourceRecord source = new SourceRecord(record.topic(), record.partition(), record.offset(), record.key(), record.value());
        current = source;
        try {
            if (record.value() == null) {
                counted(record);
                deadLetters.publish(source, DeadLetterReason.VALIDATION, null, "null value (tombstone) on a metric topic");
                return true;
            }
            if (record.topic().equals(topics.forgetting().name())) {
                ForgettingMetric metric = metricDecoder.deserialize(record.topic(), record.headers(), record.value());
                counted(record);
                String problem = RecordValidator.problem(metric);
                if (problem != null) {
                    deadLetters.publish(source, DeadLetterReason.VALIDATION, null, "invalid ForgettingMetric: " + problem);
                } else {
                    deliver(source, () -> sink.onMetric(metric));
                }
            } else {
                KnowledgeLossAlert alert = alertDecoder.deserialize(record.topic(), record.headers(), record.value());
                counted(record);
                String problem = RecordValidator.problem(alert);
                if (problem != null) {
                    deadLetters.publish(source, DeadLetterReason.VALIDATION, null, "invalid KnowledgeLossAlert: " + problem);
                } else {
                    deliver(source, () -> sink.onAlert(alert));
                }
            }
            return true;
        } catch (SerializationException | org.apache.avro.AvroRuntimeException e) {
            // an unreachable, failing or credential-refusing registry says nothing about the record; an unknown id does
            if (TransientFailure.isTransient(e)) {
                LOG.warn("sink {}: schema registry unavailable, will re-read {}[{}]@{}: {}", sink.name(), record.topic(),
                        record.partition(), record.offset(), e.getMessage());
                return false;
            }
            counted(record);
            deadLetters.publish(source, DeadLetterReason.DESERIALIZATION, e, "cannot decode: " + e.getMessage());
            return true;
        } finally {
            current = null;
        }
    }

    private void counted(ConsumerRecord<byte[], byte[]> record) {
        stats.recordConsumed(record.topic());
        pending++;
    }

    private void deliver(SourceRecord source, Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            // a sink bug must not stop the pipeline; the record is kept on the DLQ for replay
            LOG.error("sink {} failed on {}[{}]@{}", sink.name(), source.topic(), source.partition(), source.offset(), e);
            deadLetters.publish(source, DeadLetterReason.UNKNOWN, e, "sink " + sink.name() + " failed: " + e.getMessage());
        }
    }

    private void measureLag(boolean force) {
        Set<TopicPartition> assignment = consumer.assignment();
        if (assignment.isEmpty() || !force && System.nanoTime() - lastLagNanos < config.lagInterval().toNanos()) {
            return;
        }
        Map<TopicPartition, Long> ends = consumer.endOffsets(assignment, CLIENT_TIMEOUT);
        Map<String, Long> perTopic = new HashMap<>();
        for (TopicPartition tp : assignment) {
            long end = ends.getOrDefault(tp, 0L);
            long position = consumer.position(tp, CLIENT_TIMEOUT);
            perTopic.merge(tp.topic(), Math.max(0, end - position), Long::sum);
        }
        perTopic.forEach(stats::recordLag);
        lag = perTopic.values().stream().mapToLong(Long::longValue).sum();
        lastLagNanos = System.nanoTime();
    }

    private void flushAndCommit() {
        try {
            sink.flush();
        } catch (RuntimeException e) {
            // nothing is committed, so the records are read again after a restart; the next flush retries
            LOG.error("sink {}: flush failed, offsets not committed", sink.name(), e);
            lastFlushNanos = System.nanoTime();
            return;
        }
        pending = 0;
        flushes++;
        lastFlushNanos = System.nanoTime();
        commit();
    }

    private void commit() {
        if (!consumer.assignment().isEmpty()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            try {
                for (TopicPartition tp : consumer.assignment()) {
                    offsets.put(tp, new OffsetAndMetadata(consumer.position(tp, CLIENT_TIMEOUT)));
                }
                consumer.commitSync(offsets, CLIENT_TIMEOUT);
            } catch (WakeupException e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.warn("sink {}: offset commit failed (records may be re-read after a restart): {}", sink.name(), e.toString());
            }
        }
    }

    private void publish(Throwable failure) {
        progress.set(new SinkProgress(stats.consumedTotal(), stats.deadLettersTotal(), lag, pending, flushes, assigned,
                lag < 0 ? 0 : lastLagNanos, failure));
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    private final class RunnerContext implements SinkContext {
        @Override
        public Topics topics() {
            return topics;
        }

        @Override
        public PipelineStats stats() {
            return stats;
        }

        @Override
        public DeadLetterPublisher deadLetters() {
            return deadLetters;
        }

        @Override
        public SourceRecord current() {
            return current;
        }
    }
}
