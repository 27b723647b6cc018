package dev.lethe.sinks.alertmanager;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.sinks.core.AlertLifecycle;
import dev.lethe.sinks.core.DaemonThreads;
import dev.lethe.sinks.core.MetricSink;
import dev.lethe.sinks.core.SinkContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes the alerts of {@code lethe.alerts} to Prometheus Alertmanager ({@code POST /api/v2/alerts}), so teams route,
 * silence and inhibit them with their existing configuration. Alertmanager expects its clients to keep pushing firing
 * alerts: each push sets {@code endsAt} a few resend intervals ahead and a background thread pushes every firing alert
 * again each interval; a RESOLVED record is pushed with {@code endsAt} now, which ends the alert.
 *
 * <p>The sink reads from the beginning (it keeps the latest record per alertId and rebuilds that view after a
 * restart), so an Alertmanager that was unreachable gets every firing alert on the next successful push; a failed push
 * is logged and retried on the next flush or resend, and does not hold back the consumer.
 */
public final class AlertmanagerSink implements MetricSink {

    private static final Logger LOG = LoggerFactory.getLogger(AlertmanagerSink.class);

    private final AlertmanagerSinkConfig config;
    private final Clock clock;
    private final HttpClient client;
    /** alertId -> latest record; guarded by this. */
    private final Map<String, KnowledgeLossAlert> alerts = new LinkedHashMap<>();
    /** alertIds whose latest record no Alertmanager has accepted yet; guarded by this. */
    private final Set<String> unsent = new LinkedHashSet<>();
    private final AtomicLong pushes = new AtomicLong();
    private final AtomicLong failedPushes = new AtomicLong();
    private ScheduledExecutorService resender;

    public AlertmanagerSink(AlertmanagerSinkConfig config) {
        this(config, Clock.systemUTC());
    }

    public AlertmanagerSink(AlertmanagerSinkConfig config, Clock clock) {
        this.config = config.validated();
        this.clock = clock;
        this.client = HttpClient.newBuilder().connectTimeout(config.requestTimeout()).build();
    }

    @Override
    public String name() {
        return "alertmanager";
    }

    @Override
    public boolean consumesMetrics() {
        return false;
    }

    /** Successful POSTs (one per Alertmanager per push). */
    public long pushes() {
        return pushes.get();
    }

    public long failedPushes() {
        return failedPushes.get();
    }

    @Override
    public synchronized void open(SinkContext context) {
        if (resender == null) {
            resender = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("lethe-alertmanager-resend"));
            long every = config.resendInterval().toMillis();
            resender.scheduleWithFixedDelay(this::resendSafely, every, every, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void onAlert(KnowledgeLossAlert alert) {
        alerts.put(alert.getAlertId(), alert);
        unsent.add(alert.getAlertId());
    }

    /** Pushes the alerts that changed since the last successful push. */
    @Override
    public synchronized void flush() {
        if (unsent.isEmpty()) {
            return;
        }
        List<KnowledgeLossAlert> batch = new ArrayList<>();
        unsent.forEach(id -> batch.add(alerts.get(id)));
        if (push(batch)) {
            unsent.clear();
        }
    }

    /** Pushes every firing alert again (Alertmanager's keep-alive), plus anything not accepted yet. */
    public synchronized void resend() {
        List<KnowledgeLossAlert> batch = new ArrayList<>();
        for (KnowledgeLossAlert a : alerts.values()) {
            if (!AlertLifecycle.isResolved(a) || unsent.contains(a.getAlertId())) {
                batch.add(a);
            }
        }
        if (!batch.isEmpty() && push(batch)) {
            unsent.clear();
        }
    }

    private void resendSafely() {
        try {
            resend();
        } catch (RuntimeException e) {
            // the scheduler would stop on an exception; the next interval tries again
            LOG.warn("alertmanager resend failed", e);
        }
    }

    /** One POST of the batch to every Alertmanager; true if at least one accepted it (they gossip in a cluster). */
    private boolean push(List<KnowledgeLossAlert> batch) {
        Instant now = clock.instant();
        Instant firingUntil = now.plus(config.resendInterval().multipliedBy(AlertmanagerSinkConfig.ENDS_AT_RESENDS));
        ArrayNode body = RecordJson.mapper().createArrayNode();
        batch.forEach(a -> body.add(AlertmanagerAlert.of(a, now, firingUntil, config.generatorUrl())));
        String json = body.toString();
        boolean accepted = false;
        for (URI base : config.urls()) {
            URI endpoint = AlertmanagerSinkConfig.alertsEndpoint(base);
            String error = post(endpoint, json);
            if (error == null) {
                pushes.incrementAndGet();
                accepted = true;
            } else {
                failedPushes.incrementAndGet();
                LOG.warn("alertmanager {} refused {} alerts ({}); pushed again on the next flush or resend", endpoint,
                        batch.size(), error);
            }
        }
        return accepted;
    }

    /** Null when accepted, else what went wrong. */
    private String post(URI endpoint, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(config.requestTimeout())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        config.headers().forEach(request::header);
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return null;
            }
            String text = response.body() == null ? "" : response.body();
            return "HTTP " + status + " " + (text.length() > 200 ? text.substring(0, 200) + "..." : text);
        } catch (IOException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    @Override
    public void close() {
        ScheduledExecutorService toStop;
        synchronized (this) {
            toStop = resender;
            resender = null;
        }
        if (toStop != null) {
            toStop.shutdownNow();
        }
    }
}
