package dev.lethe.sinks.core;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one consume loop of every sink: reads {@code lethe.forgetting} and/or {@code lethe.alerts} (read_committed,
 * its own consumer group), decodes the Avro values, hands them to a {@link MetricSink}, flushes it and only then
 * commits the offsets. Undecodable or invalid records go to the topic's {@code -dlq} as DeadLetters.
 *
 * <p>The runner assigns every partition of its topics itself (no group rebalancing: a view needs all of them),
 * so one instance runs per group. Its parts: {@link SinkClients} builds the Kafka clients from a cluster,
 * {@link RecordHandler} decodes, validates, hands over or dead-letters each record, {@link PartitionTracker} assigns
 * the partitions and measures the lag; this class keeps the loop, the flush-then-commit and the lifecycle. It runs on its own thread; {@link #progress()}, {@link #awaitCaughtUp},
 * {@link #flush()} and {@link #close()} are safe from any thread.
 */
public final class SinkRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SinkRunner.class);
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration REGISTRY_RETRY = Duration.ofSeconds(2);

    private final Consumer<byte[], byte[]> consumer;
    private final RecordHandler handler;
    private final PartitionTracker partitions;
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

    private long pending;
    private long flushes;
    private long lastFlushNanos = System.nanoTime();

    /** Wiring for tests and embedding; {@link #start} is the usual entry point. */
    public SinkRunner(Consumer<byte[], byte[]> consumer, Deserializer<ForgettingMetric> metricDecoder,
                      Deserializer<KnowledgeLossAlert> alertDecoder, DeadLetterPublisher deadLetters, PipelineStats stats,
                      Topics topics, SinkRunnerConfig config, MetricSink sink) {
        this.consumer = consumer;
        this.deadLetters = deadLetters;
        this.stats = stats;
        this.topics = topics;
        this.config = config.validated();
        this.sink = sink;
        this.handler = new RecordHandler(new RecordHandler.Decoders(metricDecoder, alertDecoder), deadLetters, stats, topics, sink);
        this.partitions = new PartitionTracker(consumer, wantedTopics(), this.config, stats, sink.name());
        this.thread = new Thread(this::run, "lethe-sink-" + sink.name());
        this.thread.setDaemon(true);
    }

    /** Connects to {@code cluster} and starts feeding {@code sink} on a new thread. */
    public static SinkRunner start(ClusterConfig cluster, SinkRunnerConfig config, MetricSink sink) {
        config.validated();
        return SinkClients.runner(cluster, config, sink).begin();
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
            sink.open(SinkContext.of(topics, stats, deadLetters, handler::current));
            for (String topic : wantedTopics()) {
                stats.track(topic);
            }
            while (running.get()) {
                try {
                    partitions.assignNewPartitions();
                } catch (RetriableException e) {
                    LOG.warn("sink {}: cannot list the partitions yet ({}), retrying", sink.name(), e.getMessage());
                }
                ConsumerRecords<byte[], byte[]> records = partitions.assigned() || !consumer.assignment().isEmpty()
                        ? consumer.poll(config.pollTimeout())
                        : idle();
                boolean retryLater = false;
                for (TopicPartition tp : records.partitions()) {
                    for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
                        if (handler.handle(record) == RecordHandler.Outcome.CONSUMED) {
                            pending++;
                        } else {
                            // the registry is unreachable, not the record bad: read it again after a pause
                            consumer.seek(tp, record.offset());
                            retryLater = true;
                            break;
                        }
                    }
                }
                try {
                    partitions.measureLag();
                } catch (RetriableException e) {
                    // a broker away for a while: the lag stays unknown-old, consuming goes on when it is back
                    LOG.warn("sink {}: cannot fetch end offsets ({}), retrying", sink.name(), e.getMessage());
                    partitions.lagUnknownNow();
                }
                boolean due = System.nanoTime() - lastFlushNanos >= config.flushInterval().toNanos();
                if (flushRequested.getAndSet(false) || pending > 0 && (partitions.lag() == 0 || due)) {
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
        progress.set(new SinkProgress(stats.consumedTotal(), stats.deadLettersTotal(), partitions.lag(), pending, flushes,
                partitions.assigned(), partitions.lagMeasuredAt(), failure));
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }
}
