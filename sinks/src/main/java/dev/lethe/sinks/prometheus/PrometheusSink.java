package dev.lethe.sinks.prometheus;

import com.sun.net.httpserver.HttpExchange;
import dev.lethe.http.GuardedHttpServer;
import dev.lethe.http.HttpLimits;
import dev.lethe.schemas.AlertRule;
import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.sinks.core.AlertLifecycle;
import dev.lethe.sinks.core.MetricSink;
import dev.lethe.sinks.core.PipelineStats;
import dev.lethe.sinks.core.SinkContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prometheus exposition of {@code lethe.forgetting} and {@code lethe.alerts} on {@code http://HOST:PORT/metrics}
 * (Micrometer's Prometheus registry): forgetting gauges per model × category, model and family; by severity and rule,
 * the alerts raised (a counter) and the alerts firing now (a gauge a RESOLVED record takes back down); the pipeline's
 * records consumed, dead letters and consumer lag.
 */
public final class PrometheusSink implements MetricSink {

    /** Content type of the Prometheus text format 0.0.4, which {@link PrometheusMeterRegistry#scrape()} writes. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusSink.class);
    private static final List<String> MODEL_CATEGORY = List.of("campaign", "family", "model", "category");
    private static final List<String> MODEL = List.of("campaign", "family", "model");
    private static final List<String> FAMILY_CATEGORY = List.of("campaign", "family", "category");

    private final PrometheusSinkConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<ForgettingGauges> categoryGauges;
    private final List<ForgettingGauges> modelGauges;
    private final List<ForgettingGauges> familyGauges;
    /** alertId -> the alert's latest record, which says its state. */
    private final Map<String, KnowledgeLossAlert> alerts = new HashMap<>();
    private final Map<List<String>, AtomicInteger> firing = new HashMap<>();
    private GuardedHttpServer server;
    private boolean pipelineBound;

    public PrometheusSink(PrometheusSinkConfig config) {
        this.config = config.validated();
        Function<ForgettingMetric, List<String>> modelCategory =
                m -> List.of(m.getCampaign(), m.getFamily(), nonNull(m.getModel()), nonNull(m.getCategory()));
        Function<ForgettingMetric, List<String>> model = m -> List.of(m.getCampaign(), m.getFamily(), nonNull(m.getModel()));
        Function<ForgettingMetric, List<String>> familyCategory =
                m -> List.of(m.getCampaign(), m.getFamily(), nonNull(m.getCategory()));
        categoryGauges = List.of(
                gauges("lethe.forgetting.fg.pct", "Luo et al.'s running forgetting FG of a model run's category at its latest stage, percent.",
                        MODEL_CATEGORY, modelCategory, ForgettingMetric::getFgPct),
                gauges("lethe.forgetting.final.drop.pct", "Relative drop of the category score from stage 0 to the latest stage, percent.",
                        MODEL_CATEGORY, modelCategory, ForgettingMetric::getFinalDropPct),
                gauges("lethe.forgetting.max.forgetting.pp", "Chaudhry's maximum forgetting of the category at the latest stage, percentage points.",
                        MODEL_CATEGORY, modelCategory, ForgettingMetric::getMaxForgettingPp),
                gauges("lethe.forgetting.delta.prev.pp", "Category score change since the previous stage with data, percentage points (negative = loss).",
                        MODEL_CATEGORY, modelCategory, ForgettingMetric::getDeltaPrevPp),
                gauges("lethe.forgetting.score.pct", "Mean accuracy of the category at the latest stage, percent.",
                        MODEL_CATEGORY, modelCategory, ForgettingMetric::getScore),
                gauges("lethe.forgetting.baseline.score.pct", "Mean accuracy of the category at stage 0, percent.",
                        MODEL_CATEGORY, modelCategory, ForgettingMetric::getBaselineScore));
        modelGauges = List.of(
                gauges("lethe.forgetting.stage", "Latest stage of the model run with forgetting metrics.",
                        MODEL, model, ForgettingMetric::getStage),
                gauges("lethe.forgetting.model.fg.pct", "FG of the model run averaged over categories (task category excluded), percent.",
                        MODEL, model, ForgettingMetric::getFgPct),
                gauges("lethe.forgetting.acc.pct", "GEM average accuracy ACC over the tasks trained so far, percent.",
                        MODEL, model, ForgettingMetric::getAccPct),
                gauges("lethe.forgetting.bwt.pp", "GEM backward transfer BWT, percentage points (negative = forgetting).",
                        MODEL, model, ForgettingMetric::getBwtPp));
        familyGauges = List.of(
                gauges("lethe.forgetting.family.fg.pct", "FG of a category averaged over the family's model runs at the latest stage, percent.",
                        FAMILY_CATEGORY, familyCategory, ForgettingMetric::getFgPct),
                gauges("lethe.forgetting.family.models", "Model runs of the family contributing at the latest stage.",
                        FAMILY_CATEGORY, familyCategory, ForgettingMetric::getModels));
        // every known severity x rule exists at 0 from the start, so increase() sees the first alert (lethe-alerts.rules.yml)
        for (AlertSeverity severity : AlertSeverity.values()) {
            for (AlertRule rule : AlertRule.values()) {
                if (severity != AlertSeverity.UNKNOWN && rule != AlertRule.UNKNOWN) {
                    alertCounter(severity, rule);
                    firedCounter(severity, rule);
                    firingGauge(severity, rule);
                }
            }
        }
    }

    private ForgettingGauges gauges(String name, String help, List<String> labels,
                                    Function<ForgettingMetric, List<String>> values, Function<ForgettingMetric, Number> field) {
        return new ForgettingGauges(registry, name, help, labels, values, field);
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    @Override
    public String name() {
        return "prometheus";
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The exposition in Prometheus text format, as served on the endpoint. */
    public String scrape() {
        return registry.scrape();
    }

    /** Starts the HTTP endpoint (idempotent); called by {@link #open} if not before. */
    public synchronized PrometheusSink start() {
        if (server != null) {
            return this;
        }
        try {
            // a scraper stuck half-way, huge bodies and connection floods are refused by the shared HTTP layer
            server = GuardedHttpServer.bind(config.host(), config.port(), "prometheus", HttpLimits.defaults().withMaxBodyBytes(0));
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException("cannot listen on " + config.host() + ":" + config.port()
                    + " (--host/--port of the prometheus sink)", e.getCause());
        }
        server.context(config.path(), this::serve).start();
        LOG.info("Prometheus exposition on {}", url());
        return this;
    }

    /** The bound port (the real one when configured with 0). */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("the prometheus endpoint is not started");
        }
        return server.port();
    }

    public String url() {
        return "http://" + config.host() + ":" + port() + config.path();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void open(SinkContext context) {
        bindPipeline(context.stats(), context.topics().forgetting().name(), context.topics().alerts().name());
        start();
    }

    /** Exposes a runner's counters: records consumed, dead letters, failed DLQ writes and consumer lag per topic. */
    public synchronized void bindPipeline(PipelineStats stats, String... topics) {
        if (pipelineBound) {
            return;
        }
        pipelineBound = true;
        for (String topic : topics) {
            FunctionCounter.builder("lethe.sink.records.consumed", stats, s -> s.consumed(topic))
                    .description("Records the sink read from the topic, decodable or not.")
                    .tags("sink", name(), "topic", topic).register(registry);
            FunctionCounter.builder("lethe.sink.dead.letters", stats, s -> s.deadLetters(topic))
                    .description("Records of the topic the sink refused and sent to the topic's dead-letter queue.")
                    .tags("sink", name(), "topic", topic).register(registry);
            Gauge.builder("lethe.sink.consumer.lag.records", stats, s -> s.lag(topic))
                    .description("Records committed to the topic that the sink has not read yet (read_committed).")
                    .tags("sink", name(), "topic", topic).strongReference(true).register(registry);
        }
        FunctionCounter.builder("lethe.sink.dead.letter.failures", stats, PipelineStats::deadLetterFailures)
                .description("Dead letters that could not be written to their queue.")
                .tags("sink", name()).register(registry);
    }

    @Override
    public void onMetric(ForgettingMetric m) {
        List<ForgettingGauges> target = switch (m.getScope()) {
            case CATEGORY -> categoryGauges;
            case MODEL -> modelGauges;
            case FAMILY -> familyGauges;
            default -> List.of(); // ELEMENT records are too many series for Prometheus; the JSON Lines have them
        };
        target.forEach(g -> g.update(m));
    }

    @Override
    public void onAlert(KnowledgeLossAlert alert) {
        KnowledgeLossAlert previous = alerts.put(alert.getAlertId(), alert);
        // counted once per alertId: a re-emitted alert, or its resolution, is the same alert
        if (previous == null) {
            alertCounter(alert.getSeverity(), alert.getRule()).increment();
        }
        boolean wasFiring = previous != null && !AlertLifecycle.isResolved(previous);
        boolean isFiring = !AlertLifecycle.isResolved(alert);
        if (wasFiring) {
            firingGauge(previous.getSeverity(), previous.getRule()).decrementAndGet();
        }
        if (isFiring) {
            firingGauge(alert.getSeverity(), alert.getRule()).incrementAndGet();
        }
        // what pages: an alert that starts firing, fires again after a resolution, or fires at another severity (a
        // WARNING whose drop grows to CRITICAL keeps its alertId, so lethe.alerts never counts it as critical)
        if (isFiring && (!wasFiring || previous.getSeverity() != alert.getSeverity())) {
            firedCounter(alert.getSeverity(), alert.getRule()).increment();
        }
    }

    /** The alerts of this severity and rule whose latest record is FIRING; the gauge is registered on first use. */
    private AtomicInteger firingGauge(AlertSeverity severity, AlertRule rule) {
        return firing.computeIfAbsent(List.of(severity.name(), rule.name()), k -> {
            AtomicInteger count = new AtomicInteger();
            Gauge.builder("lethe.alerts.firing", count, AtomicInteger::get)
                    .description("Knowledge-loss alerts whose latest record is FIRING (a RESOLVED record takes one off), by severity and rule.")
                    .tags("severity", severity.name(), "rule", rule.name()).strongReference(true).register(registry);
            return count;
        });
    }

    private Counter firedCounter(AlertSeverity severity, AlertRule rule) {
        return Counter.builder("lethe.alerts.fired")
                .description("Times a knowledge-loss alert started firing at this severity: new, fired again after a resolution,"
                        + " or escalated; by severity and rule.")
                .tags("severity", severity.name(), "rule", rule.name())
                .register(registry);
    }

    private Counter alertCounter(AlertSeverity severity, AlertRule rule) {
        return Counter.builder("lethe.alerts")
                .description("Distinct knowledge-loss alerts raised (resolved or not), by severity and rule.")
                .tags("severity", severity.name(), "rule", rule.name())
                .register(registry);
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.close();
            server = null;
        }
        registry.close();
    }

}
