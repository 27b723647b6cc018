package dev.lethe.sinks.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.failure.TransientFailure;
import dev.lethe.schemas.json.RecordJson;
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
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each alert of {@code lethe.alerts} to a webhook as a JSON POST (Slack-compatible {@code text} plus the
 * alert's fields), once when it fires and once more when it is resolved, retrying with exponential backoff. A message
 * that still cannot be delivered is parked: logged, appended to {@code undelivered-alerts.jsonl} and dead-lettered on
 * {@code lethe.alerts-dlq} (DELIVERY_FAILED), never dropped. Delivered keys ({@link #deliveryKey}) are remembered in
 * {@code delivered-alerts.txt}, so re-emitted or re-read records are not sent twice; each message is delivered or
 * parked before {@code onAlert} returns, hence before its offset is committed.
 */
public final class WebhookSink implements MetricSink {

    public static final String DELIVERED_FILE = "delivered-alerts.txt";
    /** The request header carrying the {@link #deliveryKey}. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** Suffix of the delivery key of a resolution, so it is a message of its own next to the firing. */
    public static final String RESOLVED_SUFFIX = ":resolved";
    public static final String UNDELIVERED_FILE = "undelivered-alerts.jsonl";

    private static final Logger LOG = LoggerFactory.getLogger(WebhookSink.class);

    private final WebhookSinkConfig config;
    private final HttpClient client;
    private final Set<String> done = new HashSet<>();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong parked = new AtomicLong();
    private final AtomicLong attempts = new AtomicLong();
    private SinkContext context;

    public WebhookSink(WebhookSinkConfig config) {
        this.config = config.validated();
        this.client = HttpClient.newBuilder().connectTimeout(config.requestTimeout()).build();
        loadDelivered();
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

    public Path undeliveredFile() {
        return config.stateDir().resolve(UNDELIVERED_FILE);
    }

    public Path deliveredFile() {
        return config.stateDir().resolve(DELIVERED_FILE);
    }

    /**
     * What identifies one message: the alertId for the firing (the key of every release before the lifecycle, so an
     * existing {@code delivered-alerts.txt} stays valid), {@code <alertId>:resolved} for the resolution.
     */
    public static String deliveryKey(KnowledgeLossAlert alert) {
        return AlertLifecycle.isResolved(alert) ? alert.getAlertId() + RESOLVED_SUFFIX : alert.getAlertId();
    }

    @Override
    public void onAlert(KnowledgeLossAlert alert) {
        String key = deliveryKey(alert);
        if (done.contains(key)) {
            LOG.debug("alert message {} already handled, not sent again", key);
            return;
        }
        byte[] body = AlertMessage.body(alert).toString().getBytes(StandardCharsets.UTF_8);
        String lastError = null;
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            if (attempt > 1 && !sleep(config.backoffBefore(attempt).toMillis())) {
                lastError = "interrupted while waiting to retry";
                break;
            }
            attempts.incrementAndGet();
            Outcome outcome = post(body, key);
            if (outcome.ok()) {
                remember(key);
                delivered.incrementAndGet();
                LOG.debug("alert message {} delivered (attempt {})", key, attempt);
                return;
            }
            lastError = outcome.error();
            LOG.debug("alert message {} attempt {} failed: {}", key, attempt, lastError);
            if (!outcome.retryable()) {
                break;
            }
        }
        park(alert, lastError);
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

    private void park(KnowledgeLossAlert alert, String error) {
        parked.incrementAndGet();
        String key = deliveryKey(alert);
        done.add(key);
        LOG.error("alert message {} could not be delivered to {} ({}); kept in {}", key, config.url(), error,
                undeliveredFile());
        ObjectNode line = RecordJson.toNode(alert);
        line.put("deliveryError", error);
        append(undeliveredFile(), line.toString());
        if (context != null) {
            SourceRecord source = context.current() != null ? context.current() : SourceRecord.unknown(context.topics().alerts().name());
            context.deadLetters().publish(source, DeadLetterReason.DELIVERY_FAILED, null,
                    "webhook delivery of alert message " + key + " failed: " + error);
        }
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
