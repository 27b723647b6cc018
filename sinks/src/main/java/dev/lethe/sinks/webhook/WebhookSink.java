package dev.lethe.sinks.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.failure.TransientFailure;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.sinks.core.AlertLifecycle;
import dev.lethe.sinks.core.MetricSink;
import dev.lethe.sinks.core.SinkContext;
import dev.lethe.sinks.core.SourceRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each alert of {@code lethe.alerts} to a webhook as a JSON POST (Slack-compatible {@code text} plus the
 * alert's fields), once when it fires and once more when it is resolved, retrying with exponential backoff. A message
 * that still cannot be delivered is parked: logged, appended to {@code undelivered-alerts.jsonl} and dead-lettered on
 * {@code lethe.alerts-dlq} (DELIVERY_FAILED), never dropped. Delivered keys ({@link #deliveryKey}) are remembered in
 * {@code delivered-alerts.txt}, so re-emitted or re-read records are not sent twice.
 *
 * <p>Delivery runs on one thread of its own ({@code lethe-webhook-delivery}, so messages go out in the order of the
 * topic and a resolution never overtakes its firing), not on the runner's consume thread: {@code onAlert} only
 * records the message durably in {@code pending-alerts.jsonl} ({@link PendingJournal}) and queues it, so the offset
 * may be committed while retries go on; a sender started on the same state directory first sends what is left there.
 * The queue is bounded ({@link WebhookSinkConfig#queueCapacity()}): when it is full, {@code onAlert} waits for room
 * (back-pressure on the consumer, logged once per wait at WARN), nothing is dropped.
 */
public final class WebhookSink implements MetricSink {

    public static final String DELIVERED_FILE = "delivered-alerts.txt";
    /** The request header carrying the {@link #deliveryKey}. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** Suffix of the delivery key of a resolution, so it is a message of its own next to the firing. */
    public static final String RESOLVED_SUFFIX = ":resolved";
    public static final String UNDELIVERED_FILE = "undelivered-alerts.jsonl";
    public static final String PENDING_FILE = "pending-alerts.jsonl";
    /** How long {@link #close()} lets the delivery thread finish the queue before leaving the rest to the next start. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(20);

    private static final Logger LOG = LoggerFactory.getLogger(WebhookSink.class);

    private final WebhookSinkConfig config;
    private final HttpClient client;
    /** Delivery keys delivered or parked (read by the consume thread, added by the delivery thread). */
    private final Set<String> done = ConcurrentHashMap.newKeySet();
    private final PendingJournal journal;
    private final BlockingQueue<PendingJournal.Message> queue;
    private final Thread deliveryThread;
    private final Object idle = new Object();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong parked = new AtomicLong();
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong backPressureWaits = new AtomicLong();
    /** Messages accepted and not yet delivered or parked; guarded by {@link #idle}. */
    private int undecided;
    private volatile boolean closing;
    private volatile SinkContext context;

    public WebhookSink(WebhookSinkConfig config) {
        this.config = config.validated();
        this.client = HttpClient.newBuilder().connectTimeout(config.requestTimeout()).build();
        loadDelivered();
        this.journal = new PendingJournal(config.stateDir().resolve(PENDING_FILE));
        List<PendingJournal.Message> left = journal.messages();
        this.queue = new ArrayBlockingQueue<>(Math.max(config.queueCapacity(), left.size()));
        for (PendingJournal.Message m : left) {
            if (done.contains(m.key())) {
                journal.remove(m.key()); // decided just before a crash removed it
            } else {
                LOG.info("alert message {} left undelivered by an earlier sender: sending it again", m.key());
                undecided++;
                queue.add(m);
            }
        }
        this.deliveryThread = new Thread(this::deliverAll, "lethe-webhook-delivery");
        deliveryThread.setDaemon(true);
        deliveryThread.start();
    }

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public boolean consumesMetrics() {
        return false;
    }

    @Override
    public void open(SinkContext ctx) {
        this.context = ctx;
    }

    public long delivered() {
        return delivered.get();
    }

    public long parked() {
        return parked.get();
    }

    /** POST attempts made, successful or not. */
    public long attempts() {
        return attempts.get();
    }

    /** How many times {@code onAlert} had to wait for room in the full delivery queue. */
    public long backPressureWaits() {
        return backPressureWaits.get();
    }

    /** Messages accepted and not yet delivered or parked. */
    public int undecided() {
        synchronized (idle) {
            return undecided;
        }
    }

    public Path undeliveredFile() {
        return config.stateDir().resolve(UNDELIVERED_FILE);
    }

    public Path deliveredFile() {
        return config.stateDir().resolve(DELIVERED_FILE);
    }

    public Path pendingFile() {
        return config.stateDir().resolve(PENDING_FILE);
    }

    /**
     * What identifies one message: the alertId for the firing (the key of every release before the lifecycle, so an
     * existing {@code delivered-alerts.txt} stays valid), {@code <alertId>:resolved} for the resolution.
     */
    public static String deliveryKey(KnowledgeLossAlert alert) {
        return AlertLifecycle.isResolved(alert) ? alert.getAlertId() + RESOLVED_SUFFIX : alert.getAlertId();
    }

    /**
     * Records the alert's message in the pending journal and queues it for the delivery thread; waits for room when
     * the queue is full. Returns without sending anything when the message was already delivered, parked or queued.
     */
    @Override
    public void onAlert(KnowledgeLossAlert alert) {
        String key = deliveryKey(alert);
        if (done.contains(key) || journal.contains(key)) {
            LOG.debug("alert message {} already handled, not sent again", key);
            return;
        }
        SinkContext ctx = context;
        SourceRecord source = ctx != null && ctx.current() != null ? ctx.current()
                : SourceRecord.unknown(ctx != null ? ctx.topics().alerts().name() : Topics.defaults().alerts().name());
        PendingJournal.Message message = new PendingJournal.Message(key, AlertMessage.body(alert).toString(),
                RecordJson.toNode(alert), source);
        journal.add(message);
        synchronized (idle) {
            undecided++;
        }
        if (!queue.offer(message)) {
            backPressureWaits.incrementAndGet();
            LOG.warn("webhook delivery queue full ({} messages waiting for {}): the consumer waits for room", queue.size(),
                    config.url());
            try {
                queue.put(message);
            } catch (InterruptedException e) {
                // stopping: the message stays in the pending journal and is sent by the next sender on this directory
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits until every accepted message is delivered or parked; true if so within {@code timeout}. For tests and
     * embedding: the runner never waits on it.
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (undecided > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                idle.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /**
     * Lets the delivery thread finish the queue for up to {@link #CLOSE_GRACE}, then stops it; what is still undecided
     * stays in {@code pending-alerts.jsonl} and is sent by the next sender started on the same state directory.
     */
    @Override
    public void close() {
        try {
            if (!awaitIdle(CLOSE_GRACE)) {
                LOG.warn("webhook sink closing with {} undelivered alert messages; they stay in {} for the next start",
                        undecided(), pendingFile());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closing = true;
        deliveryThread.interrupt();
        try {
            deliveryThread.join(config.requestTimeout().toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deliverAll() {
        while (!closing) {
            PendingJournal.Message message;
            try {
                message = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                deliver(message);
            } catch (RuntimeException e) {
                // a file or the DLQ could not be written: the message stays in the pending journal for the next start
                LOG.error("alert message {}: recording its outcome failed; it stays in {}", message.key(), pendingFile(), e);
            } finally {
                synchronized (idle) {
                    undecided--;
                    idle.notifyAll();
                }
            }
        }
    }

    private void deliver(PendingJournal.Message message) {
        String key = message.key();
        byte[] body = message.body().getBytes(StandardCharsets.UTF_8);
        String lastError = null;
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            if (attempt > 1 && !sleep(config.backoffBefore(attempt).toMillis())) {
                LOG.info("alert message {}: stopped while waiting to retry; it stays in {}", key, pendingFile());
                return;
            }
            attempts.incrementAndGet();
            Outcome outcome = post(body, key);
            if (outcome.ok()) {
                remember(key);
                journal.remove(key);
                delivered.incrementAndGet();
                LOG.debug("alert message {} delivered (attempt {})", key, attempt);
                return;
            }
            if (closing) {
                LOG.info("alert message {}: stopped during delivery; it stays in {}", key, pendingFile());
                return;
            }
            lastError = outcome.error();
            LOG.debug("alert message {} attempt {} failed: {}", key, attempt, lastError);
            if (!outcome.retryable()) {
                break;
            }
        }
        park(message, lastError);
    }

    private record Outcome(boolean ok, boolean retryable, String error) {
    }

    private Outcome post(byte[] body, String key) {
        HttpRequest.Builder request = HttpRequest.newBuilder(config.url())
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json")
                // the same key on every attempt and after a restart, so a receiver can drop the one resend a crash
                // between its 2xx and our record of it can cause (IETF httpapi Idempotency-Key draft)
                .header(IDEMPOTENCY_KEY, key)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        config.headers().forEach(request::header);
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return new Outcome(true, false, null);
            }
            // Lethe's one definition (408/429/5xx, 401/403); any other 4xx means the request itself is refused
            boolean retryable = TransientFailure.isTransientStatus(status);
            return new Outcome(false, retryable, "HTTP " + status + " " + abbreviate(response.body()));
        } catch (IOException e) {
            return new Outcome(false, true, e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(false, false, "interrupted");
        }
    }

    private void park(PendingJournal.Message message, String error) {
        String key = message.key();
        LOG.error("alert message {} could not be delivered to {} ({}); kept in {}", key, config.url(), error,
                undeliveredFile());
        ObjectNode line = message.alert().deepCopy();
        line.put("deliveryError", error);
        append(undeliveredFile(), line.toString());
        SinkContext ctx = context;
        if (ctx != null) {
            ctx.deadLetters().publish(message.source(), DeadLetterReason.DELIVERY_FAILED, null,
                    "webhook delivery of alert message " + key + " failed: " + error);
        }
        done.add(key);
        journal.remove(key);
        parked.incrementAndGet();
    }

    private void remember(String key) {
        done.add(key);
        append(deliveredFile(), key);
    }

    private void loadDelivered() {
        Path file = deliveredFile();
        if (Files.exists(file)) {
            try {
                Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip).filter(s -> !s.isEmpty())
                        .forEach(done::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
    }

    private static void append(Path file, String line) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.SYNC);
        } catch (IOException e) {
            // without the record of it the alert could be lost or resent: stop so the offset is not committed
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
