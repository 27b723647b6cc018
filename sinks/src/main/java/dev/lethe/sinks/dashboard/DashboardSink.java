package dev.lethe.sinks.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.sinks.core.DaemonThreads;
import dev.lethe.sinks.core.MetricKey;
import dev.lethe.sinks.core.MetricSink;
import dev.lethe.sinks.core.PipelineStats;
import dev.lethe.sinks.core.SinkContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live dashboard of {@code lethe.forgetting} and {@code lethe.alerts}: a page served from the jar
 * ({@link DashboardServer}) that a browser keeps up to date through Server-Sent Events. A browser that connects gets
 * a {@code snapshot} (the latest record per key, alerts in their latest state, the pipeline's health), then one
 * {@code update} per flush with the records that changed, and a {@code health} event when only the pipeline moved
 * (this sink's topics and, with a {@link PipelineProbe}, checkpoints announced, dead letters and group lag).
 */
public final class DashboardSink implements MetricSink {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardSink.class);

    private final DashboardConfig config;
    private final DashboardServer server;
    private final Map<MetricKey, ForgettingMetric> metrics = new HashMap<>();
    private final Map<String, KnowledgeLossAlert> alerts = new LinkedHashMap<>();
    private final List<ForgettingMetric> changedMetrics = new ArrayList<>();
    private final Map<String, KnowledgeLossAlert> changedAlerts = new LinkedHashMap<>();
    private final List<SseClient> clients = new CopyOnWriteArrayList<>();
    private volatile Supplier<String> status = () -> null;
    private volatile PipelineStats stats;
    private volatile PipelineProbe probe;
    private ScheduledExecutorService ticker;
    private String lastHealth;
    private long updates;

    public DashboardSink(DashboardConfig config) {
        this.config = config.validated();
        this.server = new DashboardServer(this.config, this::connect);
    }

    @Override
    public String name() {
        return "dashboard";
    }

    /** A status line shown at the top of the page (the demo's progress); null from the supplier means none. */
    public DashboardSink withStatus(Supplier<String> supplier) {
        this.status = supplier == null ? () -> null : supplier;
        return this;
    }

    /** Checkpoints announced, dead letters by reason and group lag on the page (started with the dashboard, closed with it). */
    public DashboardSink withProbe(PipelineProbe pipelineProbe) {
        this.probe = pipelineProbe;
        return this;
    }

    /** Starts the endpoint (idempotent); called by {@link #open} if not before. */
    public DashboardSink start() {
        server.start();
        PipelineProbe p = probe;
        if (p != null) {
            p.start();
        }
        synchronized (this) {
            if (ticker == null) {
                ticker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("lethe-dashboard-health"));
                // the status line and the lag move between flushes; a second is the page's promised latency
                ticker.scheduleWithFixedDelay(this::publishHealth, 1, 1, TimeUnit.SECONDS);
            }
        }
        LOG.info("dashboard on {}", url());
        return this;
    }

    /** The page's URL, with the token when one is set (what a person opens). */
    public String url() {
        String base = "http://" + (config.host().contains(":") ? "[" + config.host() + "]" : config.host()) + ":" + server.port() + "/";
        return config.token() == null ? base : base + "?token=" + URLEncoder.encode(config.token(), StandardCharsets.UTF_8);
    }

    public int port() {
        return server.port();
    }

    /** Browsers connected to the event stream now. */
    public int clients() {
        return (int) clients.stream().filter(c -> !c.isClosed()).count();
    }

    @Override
    public void open(SinkContext context) {
        this.stats = context.stats();
        start();
    }

    @Override
    public synchronized void onMetric(ForgettingMetric metric) {
        ForgettingMetric old = metrics.put(MetricKey.of(metric), metric);
        if (!metric.equals(old)) {
            changedMetrics.add(metric);
        }
    }

    @Override
    public synchronized void onAlert(KnowledgeLossAlert alert) {
        KnowledgeLossAlert old = alerts.put(alert.getAlertId(), alert);
        if (!alert.equals(old)) {
            changedAlerts.put(alert.getAlertId(), alert);
        }
    }

    /** Sends what changed since the last flush to every browser. */
    @Override
    public synchronized void flush() {
        if (changedMetrics.isEmpty() && changedAlerts.isEmpty()) {
            return;
        }
        updates++;
        String json = body(changedMetrics, changedAlerts.values()).toString();
        changedMetrics.clear();
        changedAlerts.clear();
        broadcast("update", json);
    }

    /** Updates sent so far (one per flush that changed something). */
    public synchronized long updates() {
        return updates;
    }

    private synchronized void connect(SseClient client) {
        client.offer("snapshot", body(metrics.values(), alerts.values()).toString());
        clients.add(client);
    }

    private void publishHealth() {
        try {
            String json;
            synchronized (this) {
                json = health().toString();
                if (json.equals(lastHealth)) {
                    return;
                }
                lastHealth = json;
            }
            broadcast("health", json);
        } catch (RuntimeException e) {
            LOG.warn("dashboard health update failed", e); // the next tick tries again
        }
    }

    private void broadcast(String event, String json) {
        for (SseClient client : clients) {
            if (!client.offer(event, json)) {
                clients.remove(client);
            }
        }
    }

    private ObjectNode body(Iterable<ForgettingMetric> metricRecords, Iterable<KnowledgeLossAlert> alertRecords) {
        ObjectNode node = RecordJson.mapper().createObjectNode();
        ArrayNode m = node.putArray("metrics");
        metricRecords.forEach(r -> m.add(RecordJson.toNode(r)));
        ArrayNode a = node.putArray("alerts");
        alertRecords.forEach(r -> a.add(RecordJson.toNode(r)));
        node.set("health", health());
        return node;
    }

    /** The pipeline as this sink sees it: records read, lag and dead letters per topic, and the status line. */
    private ObjectNode health() {
        ObjectNode node = RecordJson.mapper().createObjectNode();
        node.put("status", Objects.requireNonNullElse(status.get(), ""));
        node.put("metricRecords", metrics.size());
        node.put("alerts", alerts.size());
        PipelineProbe p = probe;
        if (p != null) {
            node.set("pipeline", p.snapshot());
        }
        PipelineStats s = stats;
        if (s != null) {
            ObjectNode topics = node.putObject("topics");
            for (String topic : s.topics()) {
                topics.putObject(topic).put("consumed", s.consumed(topic)).put("lag", s.lag(topic))
                        .put("deadLetters", s.deadLetters(topic));
            }
        }
        return node;
    }

    @Override
    public void close() {
        ScheduledExecutorService t;
        synchronized (this) {
            t = ticker;
            ticker = null;
        }
        if (t != null) {
            t.shutdownNow();
        }
        clients.forEach(SseClient::close);
        // the last update (written by the final flush just before) reaches the browsers before the server goes
        for (SseClient client : clients) {
            try {
                client.awaitEnded(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        clients.clear();
        server.stop();
        PipelineProbe p = probe;
        if (p != null) {
            p.close();
        }
    }
}
