package dev.lethe.cli.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.lethe.aggregator.app.AggregatorApp;
import dev.lethe.aggregator.app.AggregatorConfig;
import dev.lethe.aggregator.metrics.AlertConfig;
import dev.lethe.aggregator.metrics.KnowledgeLossRules;
import dev.lethe.aggregator.metrics.MetricsReport;
import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.ScoreCell;
import dev.lethe.schemas.AlertRule;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.schemas.topics.RecordKeys;
import dev.lethe.sinks.core.CompositeSink;
import dev.lethe.sinks.core.SinkRunner;
import dev.lethe.sinks.core.SinkRunnerConfig;
import dev.lethe.sinks.core.StartPosition;
import dev.lethe.sinks.dashboard.DashboardConfig;
import dev.lethe.sinks.dashboard.DashboardSink;
import dev.lethe.sinks.jsonl.JsonlSink;
import dev.lethe.sinks.prometheus.PrometheusSink;
import dev.lethe.sinks.prometheus.PrometheusSinkConfig;
import dev.lethe.sinks.report.ReportSink;
import dev.lethe.sinks.webhook.WebhookSink;
import dev.lethe.sinks.webhook.WebhookSinkConfig;
import dev.lethe.testkit.ItemShards;
import dev.lethe.testkit.LetheCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resolution the aggregator itself emits, followed by the sinks, on a real broker: issue 12's example of a false
 * CRITICAL page. Stage 2's score arrives before stage 1's and nothing announced stage 1, so stage 2 (62.8 %) is first
 * compared with stage 0 (92.2 %) and pages; when stage 1 (56.7 %) arrives, stage 2 turns out to have improved on it,
 * the aggregator resolves that alert and raises stage 1's real drop. The JSON Lines file, the Prometheus exposition,
 * the webhook, the report and the live dashboard must each end in that state, which is what {@code lethe metrics
 * --alerts} computes from the scores.
 */
class AlertResolutionIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int ITEMS = 1000;
    private static final ItemShards.Origin ORIGIN = new ItemShards.Origin("resolve", "cnn", "cnn-8", "digits", "v1",
            "test", "w-0", Instant.parse("2026-01-01T00:00:00Z"));
    /** Stage, then the items right (the first ones): 92.2 %, 56.7 %, 62.8 %. */
    private static final int[][] STAGES = {{0, 922}, {1, 567}, {2, 628}};
    private static final RunKey RUN = new RunKey(ORIGIN.campaign(), ORIGIN.family(), ORIGIN.model());
    private static final AlertConfig DROPS_ONLY = AlertConfig.defaults().withMaxFgPct(100);

    @TempDir
    Path dir;

    @Test
    void shouldResolveTheFalsePageInEverySinkWhenTheTrueEarlierStageArrivesLate() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        List<String> webhook = new CopyOnWriteArrayList<>();
        HttpServer receiver = receiver(webhook);
        Path out = Files.createDirectories(dir.resolve("out"));
        JsonlSink jsonl = new JsonlSink(out);
        PrometheusSink prometheus = new PrometheusSink(PrometheusSinkConfig.defaults().withPort(0));
        DashboardSink dashboard = new DashboardSink(DashboardConfig.defaults().withPort(0)).start();
        ReportSink report = new ReportSink(dir.resolve("report"), Clock.systemUTC(), Duration.ZERO); // renders at each flush
        WebhookSink hook = new WebhookSink(WebhookSinkConfig.defaults(
                URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"), dir.resolve("webhook")));
        try (AggregatorApp aggregator = AggregatorApp.start(AggregatorConfig.defaults(cluster)
                .withApplicationId("alert-resolution-it").withStateDir(dir.resolve("state"))
                .withHttp(AggregatorConfig.DEFAULT_HTTP_HOST, -1).withAlerts(DROPS_ONLY));
             SinkRunner sinks = SinkRunner.start(cluster, SinkRunnerConfig.defaults("resolution", StartPosition.EARLIEST),
                     new CompositeSink("resolution", List.of(jsonl, prometheus, hook, report, dashboard)))) {
            assertThat(aggregator.awaitRunning(TIMEOUT)).isTrue();
            String stageTwo = KnowledgeLossRules.alertId(RUN, 2, "digits", AlertRule.PAIRED_DROP);

            publish(cluster, 0);
            publish(cluster, 2);
            until("stage 2 paging against stage 0", () -> "FIRING".equals(alerts(jsonl).getOrDefault(stageTwo, "")));
            until("the page in Prometheus and at the webhook",
                    () -> sample(prometheus, "lethe_alerts_firing") == 1 && webhook.contains(stageTwo + " FIRING"));

            publish(cluster, 1);
            until("stage 2's page resolved and stage 1's drop raised",
                    () -> alerts(jsonl).size() == 2 && "RESOLVED".equals(alerts(jsonl).get(stageTwo)));
            until("the webhook posting the resolution", () -> webhook.contains(stageTwo + " RESOLVED") && webhook.size() == 3);

            List<KnowledgeLossAlert> offline = offlineAlerts();
            assertThat(offline).singleElement().satisfies(a -> {
                assertThat(a.getStage()).isEqualTo(1);
                assertThat(a.getPreviousStage()).isZero();
            });
            Map<String, String> states = alerts(jsonl);
            assertThat(states).containsEntry(offline.get(0).getAlertId(), "FIRING").containsEntry(stageTwo, "RESOLVED");
            assertThat(sample(prometheus, "lethe_alerts_firing")).isEqualTo(1);
            assertThat(sample(prometheus, "lethe_alerts_total")).isEqualTo(2);
            assertThat(sample(prometheus, "lethe_alerts_fired_total")).isEqualTo(2);
            assertThat(webhook).containsExactlyInAnyOrder(stageTwo + " FIRING", offline.get(0).getAlertId() + " FIRING",
                    stageTwo + " RESOLVED");
            assertThat(hook.parked()).isZero();
            until("the report showing one alert firing and one resolved",
                    () -> rows(report, "RESOLVED") == 1 && rows(report, "FIRING") == 1);
            until("the live dashboard's snapshot with the same two states",
                    () -> dashboardStates(dashboard).equals(alerts(jsonl)));
        } finally {
            receiver.stop(0);
        }
    }

    private static void until(String what, Callable<Boolean> condition) {
        await(what).atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(condition);
    }

    /** The stage's shards (two per element), keyed by run as an evaluator writes them. */
    private static void publish(ClusterConfig cluster, int stage) throws Exception {
        for (ShardResult shard : ItemShards.of(ORIGIN, stage, stage == 0 ? null : "task-" + stage, "digits", "task",
                items(STAGES[stage][1]), 2)) {
            CLUSTER.send(cluster.topics().shardResults(), RecordKeys.shardResult(shard), shard);
        }
    }

    private static String items(int right) {
        return "1".repeat(right) + "0".repeat(ITEMS - right);
    }

    /** What the metric library raises on the final scores ({@code lethe metrics --alerts}). */
    private static List<KnowledgeLossAlert> offlineAlerts() {
        List<Map.Entry<RunKey, ScoreCell>> cells = new ArrayList<>();
        for (int[] stage : STAGES) {
            String items = items(stage[1]);
            cells.add(Map.entry(RUN, new ScoreCell(stage[0], stage[0] == 0 ? null : "task-" + stage[0], "digits", "task",
                    ITEMS, stage[1], ItemShards.bits(items), Instant.EPOCH)));
        }
        return MetricsReport.of(MetricsReport.matrices(cells), DROPS_ONLY).alerts();
    }

    /** alerts.jsonl: the latest state per alertId. */
    private static Map<String, String> alerts(JsonlSink jsonl) throws IOException {
        Map<String, String> states = new TreeMap<>();
        Path file = jsonl.alertsFile();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                JsonNode alert = RecordJson.mapper().readTree(line);
                states.put(alert.get("alertId").asText(), alert.get("state").asText());
            }
        }
        return states;
    }

    /** The PAIRED_DROP CRITICAL sample of {@code metric} in the sink's exposition, scraped over HTTP. */
    private static double sample(PrometheusSink prometheus, String metric) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create(prometheus.url())).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher sample = Pattern.compile("(?m)^" + metric + "\\{([^}]*)\\} (\\S+)$").matcher(body);
        while (sample.find()) {
            if (sample.group(1).contains("rule=\"PAIRED_DROP\"") && sample.group(1).contains("severity=\"CRITICAL\"")) {
                return Double.parseDouble(sample.group(2));
            }
        }
        return Double.NaN;
    }

    /** The rows of the report's alert table in {@code state}. */
    private static long rows(ReportSink report, String state) throws IOException {
        if (!Files.exists(report.reportFile())) {
            return 0;
        }
        return Pattern.compile("<tr class=\"state-" + state + "\">").matcher(Files.readString(report.reportFile())).results().count();
    }

    /** The alert states a browser opening the live dashboard gets in its first event, by alertId. */
    private static Map<String, String> dashboardStates(DashboardSink dashboard) throws Exception {
        HttpResponse<InputStream> stream = HTTP.send(
                HttpRequest.newBuilder(URI.create(dashboard.url() + "events")).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader events = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            for (String line = events.readLine(); line != null; line = events.readLine()) {
                if (line.startsWith("data: ")) { // the first event is the snapshot
                    Map<String, String> states = new TreeMap<>();
                    RecordJson.mapper().readTree(line.substring("data: ".length())).get("alerts")
                            .forEach(a -> states.put(a.get("alertId").asText(), a.get("state").asText()));
                    return states;
                }
            }
        }
        throw new AssertionError("the dashboard's event stream ended before its snapshot");
    }

    /** A webhook receiver recording "alertId STATE" per POST. */
    private static HttpServer receiver(List<String> received) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            JsonNode body = RecordJson.mapper().readTree(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            received.add(body.get("alertId").asText() + " " + body.path("state").asText("FIRING"));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        return server;
    }
}
