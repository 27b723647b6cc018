package dev.lethe.sinks;

import static dev.lethe.sinks.TestRecords.alert;
import static dev.lethe.sinks.TestRecords.family;
import static dev.lethe.sinks.TestRecords.resolved;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.sinks.console.ConsoleSink;
import dev.lethe.sinks.core.SinkContext;
import dev.lethe.sinks.jsonl.JsonlSink;
import dev.lethe.sinks.prometheus.PrometheusSink;
import dev.lethe.sinks.prometheus.PrometheusSinkConfig;
import dev.lethe.sinks.report.ReportSink;
import dev.lethe.sinks.webhook.WebhookSink;
import dev.lethe.sinks.webhook.WebhookSinkConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every sink fed an alert's FIRING record and then its RESOLVED record shows the alert's final state. */
class AlertLifecycleSinksTest {

    private static final KnowledgeLossAlert FIRING = alert("a-1", "mlp", "mlp-a", 2, AlertSeverity.CRITICAL);
    private static final KnowledgeLossAlert RESOLVED = resolved(FIRING, "stage 1 was re-scored: no significant drop");
    private static final KnowledgeLossAlert OTHER = alert("a-2", "mlp", "mlp-b", 2, AlertSeverity.WARNING);

    @TempDir
    Path dir;

    @Test
    void shouldKeepOnlyTheResolvedRecordInAlertsJsonlWhenAnAlertIsResolved() throws Exception {
        JsonlSink sink = new JsonlSink(dir);
        sink.onAlert(FIRING);
        sink.onAlert(OTHER);
        sink.flush();
        sink.onAlert(RESOLVED);
        sink.flush();

        List<String> lines = Files.readAllLines(sink.alertsFile());
        assertThat(lines).hasSize(2);
        JsonNode first = RecordJson.mapper().readTree(lines.get(0));
        assertThat(first.get("alertId").asText()).isEqualTo("a-1");
        assertThat(first.get("state").asText()).isEqualTo("RESOLVED");
        assertThat(first.get("resolution").asText()).isEqualTo("stage 1 was re-scored: no significant drop");
        assertThat(first.get("resolvedAt").asText()).isEqualTo("2026-01-01T00:05:00Z");
        assertThat(RecordJson.mapper().readTree(lines.get(1)).get("state").asText()).isEqualTo("FIRING");
    }

    @Test
    void shouldPostTheResolutionOnceUnderItsOwnIdempotencyKeyWhenAnAlertIsResolved() throws Exception {
        List<String> keys = new CopyOnWriteArrayList<>();
        List<JsonNode> bodies = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            try (exchange) {
                keys.add(exchange.getRequestHeaders().getFirst(WebhookSink.IDEMPOTENCY_KEY));
                bodies.add(RecordJson.mapper().readTree(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
        try {
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
            WebhookSink sink = new WebhookSink(WebhookSinkConfig.defaults(url, dir));
            sink.open(SinkContext.detached(Topics.defaults()));
            sink.onAlert(FIRING);
            sink.onAlert(RESOLVED);
            sink.onAlert(RESOLVED); // re-read after a restart of the runner: not sent again
            sink.close(); // delivers what is queued first
            WebhookSink restarted = new WebhookSink(WebhookSinkConfig.defaults(url, dir));
            restarted.onAlert(FIRING);
            restarted.onAlert(RESOLVED);
            restarted.close();

            assertThat(keys).containsExactly("a-1", "a-1:resolved");
            assertThat(bodies.get(0).get("state").asText()).isEqualTo("FIRING");
            assertThat(bodies.get(1).get("state").asText()).isEqualTo("RESOLVED");
            assertThat(bodies.get(1).get("text").asText()).startsWith(":white_check_mark: RESOLVED CRITICAL knowledge loss in mlp/mlp-a")
                    .endsWith("resolved: stage 1 was re-scored: no significant drop");
            assertThat(Files.readAllLines(sink.deliveredFile())).containsExactly("a-1", "a-1:resolved");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void shouldCountAnAlertAsFiredAgainWhenItEscalatesOrFiresAfterItsResolution() {
        PrometheusSink sink = new PrometheusSink(PrometheusSinkConfig.defaults().withPort(0));
        try {
            KnowledgeLossAlert warning = alert("e-1", "mlp", "mlp-a", 2, AlertSeverity.WARNING);
            KnowledgeLossAlert critical = KnowledgeLossAlert.newBuilder(warning).setSeverity(AlertSeverity.CRITICAL)
                    .setDropPp(30.0).build(); // the drop grew once a late stage came in: same alertId
            sink.onAlert(warning);
            sink.onAlert(critical);
            sink.onAlert(KnowledgeLossAlert.newBuilder(critical).setPValue(1e-9).build()); // re-emitted, still critical
            assertThat(sink.scrape()).contains(sample("lethe_alerts_fired_total", "CRITICAL", 1))
                    .contains(sample("lethe_alerts_fired_total", "WARNING", 1))
                    .contains(sample("lethe_alerts_firing", "CRITICAL", 1)).contains(sample("lethe_alerts_firing", "WARNING", 0))
                    // the distinct alerts, counted at their first severity: why paging reads lethe_alerts_fired_total
                    .contains(sample("lethe_alerts_total", "WARNING", 1)).contains(sample("lethe_alerts_total", "CRITICAL", 0));

            sink.onAlert(resolved(critical, "stage 1 re-scored"));
            sink.onAlert(critical); // later data supports it again
            assertThat(sink.scrape()).contains(sample("lethe_alerts_fired_total", "CRITICAL", 2))
                    .contains(sample("lethe_alerts_firing", "CRITICAL", 1));
        } finally {
            sink.close();
        }
    }

    private static String sample(String metric, String severity, int value) {
        return metric + "{rule=\"PAIRED_DROP\",severity=\"" + severity + "\"} " + value + ".0";
    }

    @Test
    void shouldTakeTheAlertOffTheFiringGaugeButKeepItCountedWhenAnAlertIsResolved() {
        PrometheusSink sink = new PrometheusSink(PrometheusSinkConfig.defaults().withPort(0));
        try {
            sink.onAlert(FIRING);
            sink.onAlert(OTHER);
            assertThat(sink.scrape()).contains("lethe_alerts_firing{rule=\"PAIRED_DROP\",severity=\"CRITICAL\"} 1.0");
            sink.onAlert(RESOLVED);
            sink.onAlert(RESOLVED); // the same resolution again changes nothing

            String body = sink.scrape();
            assertThat(body).contains("lethe_alerts_firing{rule=\"PAIRED_DROP\",severity=\"CRITICAL\"} 0.0")
                    .contains("lethe_alerts_firing{rule=\"PAIRED_DROP\",severity=\"WARNING\"} 1.0")
                    .contains("lethe_alerts_total{rule=\"PAIRED_DROP\",severity=\"CRITICAL\"} 1.0");
        } finally {
            sink.close();
        }
    }

    @Test
    void shouldCountTheAlertButNotAsFiringInTheConsoleTableWhenAnAlertIsResolved() {
        StringWriter text = new StringWriter();
        ConsoleSink sink = new ConsoleSink(new PrintWriter(text), false);
        sink.onMetric(family("mlp", 2, "domain-knowledge", 20.0, 2));
        sink.onAlert(FIRING);
        sink.onAlert(OTHER);
        sink.flush();
        sink.onAlert(RESOLVED);
        sink.flush();

        assertThat(text.toString().lines().toList()).containsExactly(
                "family mlp stage 2 models 2 FG[domain-knowledge]=20.00 alerts 2 firing 2",
                "family mlp stage 2 models 2 FG[domain-knowledge]=20.00 alerts 2 firing 1");
        assertThat(sink.table().render().get(0)).endsWith("alerts  firing");
    }

    @Test
    void shouldShowTheResolvedStateAndWhyInTheReportWhenAnAlertIsResolved() throws Exception {
        ReportSink sink = new ReportSink(dir, Clock.systemUTC(), Duration.ZERO);
        sink.onAlert(FIRING);
        sink.onAlert(OTHER);
        sink.flush();
        sink.onAlert(RESOLVED);
        sink.flush();

        String html = Files.readString(sink.reportFile());
        assertThat(html).contains("and 2 alerts (1 firing, 1 resolved).");
        assertThat(html).contains("<tr class=\"state-RESOLVED\"><td class=\"t\">RESOLVED</td><td class=\"t sev-CRITICAL\">")
                .contains("<tr class=\"state-FIRING\"><td class=\"t\">FIRING</td><td class=\"t sev-WARNING\">")
                .contains("2026-01-01T00:05:00Z: stage 1 was re-scored: no significant drop");
    }
}
