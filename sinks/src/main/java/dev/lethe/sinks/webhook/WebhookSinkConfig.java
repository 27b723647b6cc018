package dev.lethe.sinks.webhook;

import dev.lethe.schemas.config.Secrets;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Settings of the webhook alert sender.
 *
 * @param url            where alerts are POSTed (a Slack incoming webhook or any JSON endpoint); required
 * @param stateDir       holds {@code delivered-alerts.txt} (alertIds already sent, so a restart does not resend) and
 *                       {@code undelivered-alerts.jsonl} (alerts given up on); required
 * @param maxAttempts    attempts per alert before it is parked; default 6
 * @param initialBackoff wait after the first failure, doubled after each further one; default 500 ms
 * @param maxBackoff     cap of the wait between attempts; default 30 s
 * @param requestTimeout timeout of one POST; default 10 s
 * @param headers        extra request headers (e.g. Authorization); default none
 * @param queueCapacity  alert messages that may wait for the delivery thread; when that many wait, the consumer
 *                       waits for room (back-pressure, nothing dropped); default 1000
 */
public record WebhookSinkConfig(URI url, Path stateDir, int maxAttempts, Duration initialBackoff, Duration maxBackoff,
                                Duration requestTimeout, Map<String, String> headers, int queueCapacity) {

    public static final int DEFAULT_QUEUE_CAPACITY = 1000;

    public WebhookSinkConfig {
        headers = Map.copyOf(headers == null ? Map.of() : headers);
    }

    public static WebhookSinkConfig defaults(URI url, Path stateDir) {
        return new WebhookSinkConfig(url, stateDir, 6, Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(10),
                Map.of(), DEFAULT_QUEUE_CAPACITY).validated();
    }

    public WebhookSinkConfig withRetries(int attempts, Duration initial, Duration max) {
        return new WebhookSinkConfig(url, stateDir, attempts, initial, max, requestTimeout, headers, queueCapacity).validated();
    }

    public WebhookSinkConfig withRequestTimeout(Duration timeout) {
        return new WebhookSinkConfig(url, stateDir, maxAttempts, initialBackoff, maxBackoff, timeout, headers, queueCapacity).validated();
    }

    public WebhookSinkConfig withHeaders(Map<String, String> extra) {
        return new WebhookSinkConfig(url, stateDir, maxAttempts, initialBackoff, maxBackoff, requestTimeout, extra, queueCapacity).validated();
    }

    public WebhookSinkConfig withQueueCapacity(int capacity) {
        return new WebhookSinkConfig(url, stateDir, maxAttempts, initialBackoff, maxBackoff, requestTimeout, headers, capacity).validated();
    }

    /** Checks every field; the message names the offending option. */
    public WebhookSinkConfig validated() {
        if (url == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
            throw new IllegalArgumentException("webhook url (--url) must be an http(s) URL, got " + url);
        }
        if (stateDir == null) {
            throw new IllegalArgumentException("webhook state directory (--out) must be set");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("webhook max attempts (--max-attempts) must be >= 1, got " + maxAttempts);
        }
        if (initialBackoff == null || initialBackoff.isNegative() || maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("webhook backoff (--initial-backoff/--max-backoff) must satisfy 0 <= initial <= max");
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("webhook request timeout (--request-timeout) must be > 0");
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("webhook queue capacity (--queue-capacity) must be >= 1, got " + queueCapacity);
        }
        return this;
    }

    /** Wait before attempt {@code attempt} (2-based: the first retry waits the initial backoff). */
    public Duration backoffBefore(int attempt) {
        long factor = 1L << Math.min(30, Math.max(0, attempt - 2));
        Duration d = initialBackoff.multipliedBy(factor);
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }

    /** The settings with secret headers (Authorization, tokens, keys) hidden. */
    @Override
    public String toString() {
        return "WebhookSinkConfig[url=" + url + ", stateDir=" + stateDir + ", maxAttempts=" + maxAttempts + ", initialBackoff="
                + initialBackoff + ", maxBackoff=" + maxBackoff + ", requestTimeout=" + requestTimeout + ", headers="
                + Secrets.hideSecretValues(headers) + ", queueCapacity=" + queueCapacity + "]";
    }
}
