package dev.lethe.evaluator.worker;

import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.deadletter.DeadLetters;
import dev.lethe.evaluator.kafka.KafkaClients;
import dev.lethe.evaluator.kafka.TransactionalBatch;
import dev.lethe.evaluator.scoring.ScorerRegistry;
import dev.lethe.evaluator.scoring.Scorers;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.topics.Topic;
import dev.lethe.schemas.topics.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.io.FileUtils;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An evaluator worker: one member of the {@code lethe-evaluators} group on {@code lethe.eval-tasks}. For each
 * polled batch it scores every task's shard and then, in ONE Kafka transaction, produces the {@link ShardResult}s
 * on {@code lethe.shard-results} (key campaign/model), any {@link DeadLetter}s on
 * {@code lethe.eval-tasks-dlq}, and the consumed offsets. A worker killed at any point leaves either nothing or
 * the whole batch committed; the batch is then re-scored by whoever owns the partition next.
 *
 * <p>Scoring runs on a dedicated scoring thread while this thread keeps calling {@code poll} on paused
 * partitions, so a long shard never trips {@code max.poll.interval.ms}. The transaction is only opened once the
 * batch is scored, so a worker killed mid-shard leaves no open transaction behind to hold back read_committed
 * readers.
 *
 * <p>Runs as a thread ({@link #start()}, tests and {@code --threads}) or as a child process ({@link WorkerMain}).
 */
public final class EvaluatorWorker implements Runnable, AutoCloseable {

    /** Progress callbacks, called on the worker thread. */
    public interface Listener {
        default void onReady() {
        }

        default void onScoring(String taskId) {
        }

        default void onCommitted(int tasks) {
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(EvaluatorWorker.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final long SCORING_WAIT_MS = 200;
    /** How long a stopping worker waits for the shard its scorer thread is in (a cancelled DL4J call runs on natively). */
    private static final Duration SCORER_STOP_WAIT = Duration.ofSeconds(30);

    private final EvaluatorConfig config;
    private final SuiteCatalog catalog;
    private final Listener listener;
    private final Topic<EvalTask> source;
    private final Topic<ShardResult> results;
    private final Topic<DeadLetter> dlq;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong resultsCommitted = new AtomicLong();
    private final AtomicLong deadLettersCommitted = new AtomicLong();
    private final AtomicLong aborts = new AtomicLong();
    private final AtomicLong batchesAbandoned = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean halted;
    private volatile boolean scoringInProgress;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile Future<?> scoring;
    private volatile Throwable failure;

    // touched only on the worker thread (the rebalance listener runs inside poll on that thread)
    private boolean inBatch;
    private boolean batchRevoked;
    private Set<TopicPartition> batchPartitions = Set.of();

    public EvaluatorWorker(EvaluatorConfig config, SuiteCatalog catalog, Listener listener) {
        this.config = config;
        this.catalog = catalog;
        this.listener = listener == null ? new Listener() { } : listener;
        Topics topics = config.cluster().topics();
        this.source = topics.evalTasks();
        this.results = topics.shardResults();
        this.dlq = topics.dlq(source);
    }

    public EvaluatorWorker(EvaluatorConfig config) {
        this(config, SuiteCatalog.of(config), null);
    }

    /** Starts the worker on a thread named {@code lethe-evaluator-<workerId>}. */
    public Thread start() {
        Thread thread = new Thread(this, "lethe-evaluator-" + config.workerId());
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @Override
    public void run() {
        Path workDir = null;
        ScorerRegistry registry = null;
        ExecutorService scorerThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lethe-scorer-" + config.workerId());
            t.setDaemon(true);
            return t;
        });
        Deserializer<EvalTask> tasks = AvroSerdes.forTopic(source, config.cluster()).deserializer();
        Serializer<ShardResult> resultSerializer = AvroSerdes.forTopic(results, config.cluster()).serializer();
        Serializer<DeadLetter> dlqSerializer = AvroSerdes.forTopic(dlq, config.cluster()).serializer();
        DeadLetters deadLetters = DeadLetters.forCluster(config.cluster(), dlq.name(), "evaluator-worker/" + config.workerId(),
                dlqSerializer);
        KafkaProducer<byte[], byte[]> producer = null;
        KafkaConsumer<byte[], byte[]> c = null;
        try {
            workDir = config.workDir() == null ? Files.createTempDirectory("lethe-evaluator-" + config.workerId() + "-")
                    : Files.createDirectories(config.workDir().resolve(config.workerId()));
            registry = Scorers.registry(config, workDir);
            ShardTaskHandler handler = new ShardTaskHandler(catalog, registry, config.workerId());
            BatchScorer scorer = new BatchScorer(tasks, resultSerializer, results.name(), deadLetters);
            producer = KafkaClients.transactionalProducer(config.cluster(), config.workerTransactionalId(), config.transactionTimeout());
            c = KafkaClients.consumer(config.cluster(), config.workerGroupId(), config.workerTransactionalId(),
                    config.maxPollRecords(), config.sessionTimeout());
            consumer = c;
            // fences a previous incarnation with the same worker id and aborts its open transaction, if any
            producer.initTransactions();
            c.subscribe(List.of(source.name()), new BatchGuard(c));
            LOG.info("evaluator worker {} consuming {} (transactional.id {})", config.workerId(), source.name(),
                    config.workerTransactionalId());
            listener.onReady();
            while (running && !halted) {
                ConsumerRecords<byte[], byte[]> records = c.poll(POLL);
                if (records.isEmpty()) {
                    continue;
                }
                List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(records.count());
                records.forEach(batch::add);
                Optional<BatchScorer.Output> outputs;
                try {
                    outputs = scoreBatch(c, batch, scorer, handler, scorerThread);
                } catch (SerializationException e) {
                    // registry unreachable or refusing our schema: retry the batch later rather than lose it
                    LOG.warn("worker {} cannot serialize results ({}); retrying the batch", config.workerId(), e.getMessage());
                    outputs = Optional.empty();
                    sleepQuietly(1000);
                }
                if (halted) {
                    break; // abrupt stop: nothing of this batch is committed
                }
                if (outputs.isEmpty()) {
                    batchesAbandoned.incrementAndGet();
                    TransactionalBatch.rewind(c, batch);
                } else if (TransactionalBatch.commit(producer, c, batch, outputs.get().records())) {
                    resultsCommitted.addAndGet(outputs.get().results());
                    deadLettersCommitted.addAndGet(outputs.get().deadLetters());
                    listener.onCommitted(batch.size());
                } else {
                    aborts.incrementAndGet();
                    LOG.warn("worker {} aborted a transaction of {} tasks; they will be scored again", config.workerId(), batch.size());
                }
                c.resume(c.paused());
            }
        } catch (WakeupException e) {
            // halt() interrupts a poll
        } catch (TransactionalBatch.FatalProducerException e) {
            failure = e;
            LOG.error("worker {} stopped: its producer was fenced or failed fatally: {}", config.workerId(), e.getMessage());
        } catch (IOException | RuntimeException e) {
            failure = e;
            LOG.error("worker {} stopped: {}", config.workerId(), e.toString(), e);
        } finally {
            scorerThread.shutdownNow();
            boolean scorerStopped = awaitStopped(scorerThread);
            Duration closeTimeout = halted ? Duration.ZERO : Duration.ofSeconds(10);
            if (c != null) {
                try {
                    c.close(halted ? Duration.ofSeconds(2) : closeTimeout);
                } catch (RuntimeException e) {
                    LOG.debug("consumer close failed", e);
                }
            }
            if (producer != null) {
                try {
                    producer.close(closeTimeout);
                } catch (RuntimeException e) {
                    LOG.debug("producer close failed", e);
                }
            }
            if (registry != null && scorerStopped) {
                registry.close(); // frees the models' native memory: never under a scoring call still running
            } else if (registry != null) {
                LOG.warn("worker {}: the scorer thread is still scoring after {}; its models are left open", config.workerId(),
                        SCORER_STOP_WAIT);
            }
            tasks.close();
            resultSerializer.close();
            dlqSerializer.close();
            deleteQuietly(workDir);
            LOG.info("evaluator worker {} stopped{}", config.workerId(), halted ? " (halted)" : "");
            stopped.countDown();
        }
    }

    /**
     * Waits for the scorer thread to end. Cancelling a scoring future interrupts the thread, but a DL4J call in native
     * code runs to its end: closing its model before then freed the buffers it was reading (a JVM crash, SIGSEGV in
     * {@code DataBuffer::primary}, seen when a worker stopped mid-shard).
     */
    private static boolean awaitStopped(ExecutorService scorerThread) {
        try {
            return scorerThread.awaitTermination(SCORER_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Scores every task of the batch with the consumer's partitions paused, polling between waits so the group
     * membership stays alive. Returns the records to produce, or empty when the batch must be abandoned (one of its
     * partitions was revoked, or the worker is halting).
     */
    private Optional<BatchScorer.Output> scoreBatch(KafkaConsumer<byte[], byte[]> c, List<ConsumerRecord<byte[], byte[]>> batch,
                                                    BatchScorer scorer, ShardTaskHandler handler, ExecutorService scorerThread) {
        c.pause(c.assignment());
        inBatch = true;
        batchRevoked = false;
        Set<TopicPartition> partitions = new HashSet<>();
        batch.forEach(r -> partitions.add(new TopicPartition(r.topic(), r.partition())));
        batchPartitions = partitions;
        try {
            return scorer.score(batch, task -> {
                listener.onScoring(task.getTaskId());
                return scoreWhilePolling(c, task, handler, scorerThread);
            }, () -> batchRevoked || halted);
        } finally {
            inBatch = false;
            batchPartitions = Set.of();
        }
    }

    private TaskOutcome scoreWhilePolling(KafkaConsumer<byte[], byte[]> c, EvalTask task, ShardTaskHandler handler,
                                          ExecutorService scorerThread) {
        Future<TaskOutcome> future = scorerThread.submit(() -> handler.handle(task));
        scoring = future;
        scoringInProgress = true;
        try {
            while (true) {
                if (halted || batchRevoked) {
                    future.cancel(true);
                    return null;
                }
                try {
                    return future.get(SCORING_WAIT_MS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    keepAlive(c);
                } catch (CancellationException e) {
                    return null;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    future.cancel(true);
                    halted = true;
                    return null;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof InterruptedException) {
                        return null;
                    }
                    return new TaskOutcome.Refused(DeadLetterReason.SCORING_FAILED, "scoring " + task.getTaskId() + " failed: " + cause, cause);
                }
            }
        } finally {
            scoringInProgress = false;
            scoring = null;
        }
    }

    /** A poll on paused partitions: keeps the member alive; anything returned (after a rebalance) is put back. */
    private void keepAlive(KafkaConsumer<byte[], byte[]> c) {
        ConsumerRecords<byte[], byte[]> extra = c.poll(Duration.ZERO);
        if (!extra.isEmpty()) {
            for (TopicPartition tp : extra.partitions()) {
                c.seek(tp, extra.records(tp).get(0).offset());
            }
            c.pause(extra.partitions());
        }
    }

    /** Marks the current batch stale when one of its partitions is revoked; pauses partitions assigned mid-batch. */
    private final class BatchGuard implements ConsumerRebalanceListener {
        private final KafkaConsumer<byte[], byte[]> c;

        BatchGuard(KafkaConsumer<byte[], byte[]> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (inBatch && partitions.stream().anyMatch(batchPartitions::contains)) {
                batchRevoked = true;
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (inBatch && !partitions.isEmpty()) {
                c.pause(partitions);
            }
        }
    }

    /** True while a shard is being scored (tests stop the worker "mid-shard" on this). */
    public boolean scoringInProgress() {
        return scoringInProgress;
    }

    public long resultsCommitted() {
        return resultsCommitted.get();
    }

    public long deadLettersCommitted() {
        return deadLettersCommitted.get();
    }

    public long aborts() {
        return aborts.get();
    }

    public long batchesAbandoned() {
        return batchesAbandoned.get();
    }

    public Throwable failure() {
        return failure;
    }

    public String workerId() {
        return config.workerId();
    }

    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Graceful stop: finishes and commits the current batch, leaves the group, waits up to 60 s. */
    @Override
    public void close() {
        running = false;
        try {
            if (!stopped.await(60, TimeUnit.SECONDS)) {
                halt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Abrupt stop, as close to a crash as a thread gets: the shard being scored is interrupted and nothing of the
     * current batch is committed; its tasks are scored again by the group.
     */
    public void halt() {
        halted = true;
        running = false;
        Future<?> f = scoring;
        if (f != null) {
            f.cancel(true);
        }
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            stopped.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        FileUtils.deleteQuietly(dir.toFile()); // temp leftovers are harmless
    }
}
