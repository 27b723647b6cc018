package dev.lethe.sinks;

import static dev.lethe.sinks.TestRecords.alert;
import static dev.lethe.sinks.TestRecords.resolved;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.sinks.alertmanager.AlertmanagerSink;
import dev.lethe.sinks.alertmanager.AlertmanagerSinkConfig;
import dev.lethe.sinks.core.SinkRunner;
import dev.lethe.sinks.core.SinkRunnerConfig;
import dev.lethe.sinks.core.StartPosition;
import dev.lethe.testkit.ExternalProcess;
import dev.lethe.testkit.LetheCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The Alertmanager sink against a real broker and a real Alertmanager (Debian prometheus-alertmanager) started here. */
class AlertmanagerSinkIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void shouldShowSilenceAndEndTheAlertInAlertmanagerWhenItFiresIsSilencedAndResolves() throws Exception {
        int port = ExternalProcess.freePort();
        URI alertmanager = URI.create("http://127.0.0.1:" + port);
        Path config = Files.writeString(dir.resolve("alertmanager.yml"), """
                route:
                  receiver: blackhole
                  group_wait: 1s
                receivers:
                  - name: blackhole
                """);
        try (ExternalProcess process = startAlertmanager(config, port)) {

            ClusterConfig cluster = CLUSTER.newTopicPrefix();
            Topics topics = cluster.topics();
            KnowledgeLossAlert critical = alert("am-1", "mlp", "mlp-a", 2, AlertSeverity.CRITICAL);
            KnowledgeLossAlert warning = alert("am-2", "cnn", "cnn-a", 3, AlertSeverity.WARNING);
            CLUSTER.send(topics.alerts(), "mlp", critical);
            CLUSTER.send(topics.alerts(), "cnn", warning);

            AlertmanagerSink sink = resendingSink(alertmanager);
            SinkRunner runner = run(cluster, sink, "am-it");
            try {
                // 1. both alerts appear, active, with Lethe's labels and annotations
                process.await(() -> find(alertmanager, "am-1").isPresent() && find(alertmanager, "am-2").isPresent(),
                        TIMEOUT, "both alerts in GET /api/v2/alerts");
                JsonNode shown = find(alertmanager, "am-1").orElseThrow();
                assertThat(shown.get("status").get("state").asText()).isEqualTo("active");
                JsonNode labels = shown.get("labels");
                assertThat(labels.get("alertname").asText()).isEqualTo("LetheKnowledgeLoss");
                assertThat(labels.get("campaign").asText()).isEqualTo("c1");
                assertThat(labels.get("family").asText()).isEqualTo("mlp");
                assertThat(labels.get("model").asText()).isEqualTo("mlp-a");
                assertThat(labels.get("category").asText()).isEqualTo("task");
                assertThat(labels.get("benchmark").asText()).isEqualTo("perm-1");
                assertThat(labels.get("severity").asText()).isEqualTo("critical");
                assertThat(labels.get("rule").asText()).isEqualTo("PAIRED_DROP");
                assertThat(shown.get("annotations").get("drop_pp").asText()).isEqualTo("22.0");
                assertThat(shown.get("annotations").get("p_value").asText()).isEqualTo("1.0E-6");

                // 2. the sink keeps pushing a firing alert: Alertmanager's endsAt moves forward
                Instant firstEnd = Instant.parse(shown.get("endsAt").asText());
                process.await(() -> find(alertmanager, "am-1").map(a -> Instant.parse(a.get("endsAt").asText()).isAfter(firstEnd))
                        .orElse(false), TIMEOUT, "am-1 pushed again with a later endsAt");

                // 3. a silence on the warning's family suppresses it, and only it
                String silenceId = silence(alertmanager, "family", "cnn");
                process.await(() -> find(alertmanager, "am-2").map(a -> a.get("status").get("state").asText().equals("suppressed"))
                        .orElse(false), TIMEOUT, "am-2 suppressed by the silence");
                assertThat(find(alertmanager, "am-2").orElseThrow().get("status").get("silencedBy").get(0).asText()).isEqualTo(silenceId);
                assertThat(find(alertmanager, "am-1").orElseThrow().get("status").get("state").asText()).isEqualTo("active");

                // 4. the resolution ends the critical alert
                CLUSTER.send(topics.alerts(), "mlp", resolved(critical, "stage 1 re-scored: no significant drop"));
                process.await(() -> find(alertmanager, "am-1").isEmpty(), TIMEOUT, "am-1 gone from the active alerts");
                assertThat(find(alertmanager, "am-2")).isPresent();
                assertThat(sink.failedPushes()).isZero();
            } finally {
                runner.close();
            }
        }
    }

    /**
     * The compose cluster's own docker/alertmanager.yml, as shipped: a critical alert of a model run at a stage inhibits
     * that run's warnings at the same stage, not at another stage, and stops inhibiting them once Lethe resolves it.
     */
    @Test
    void shouldInhibitTheSameStagesWarningsWhileACriticalAlertFiresWithTheShippedConfig() throws Exception {
        Path shipped = Path.of("..", "docker", "alertmanager.yml").toAbsolutePath().normalize();
        assertThat(shipped).exists();
        int port = ExternalProcess.freePort();
        URI alertmanager = URI.create("http://127.0.0.1:" + port);
        try (ExternalProcess process = startAlertmanager(shipped, port)) {
            ClusterConfig cluster = CLUSTER.newTopicPrefix();
            Topics topics = cluster.topics();
            KnowledgeLossAlert critical = alert("inh-critical", "mlp", "mlp-a", 2, AlertSeverity.CRITICAL);
            KnowledgeLossAlert sameStage = alert("inh-same-stage", "mlp", "mlp-a", 2, AlertSeverity.WARNING);
            KnowledgeLossAlert otherStage = alert("inh-other-stage", "mlp", "mlp-a", 3, AlertSeverity.WARNING);
            for (KnowledgeLossAlert a : List.of(critical, sameStage, otherStage)) {
                CLUSTER.send(topics.alerts(), "mlp", a);
            }
            AlertmanagerSink sink = resendingSink(alertmanager);
            SinkRunner runner = run(cluster, sink, "am-inhibit-it");
            try {
                process.await(() -> state(alertmanager, "inh-same-stage").equals("suppressed"), TIMEOUT,
                        "the same stage's warning inhibited by the critical alert");
                assertThat(find(alertmanager, "inh-same-stage").orElseThrow().get("status").get("inhibitedBy")).isNotEmpty();
                assertThat(state(alertmanager, "inh-critical")).isEqualTo("active");
                assertThat(state(alertmanager, "inh-other-stage")).isEqualTo("active");

                CLUSTER.send(topics.alerts(), "mlp", resolved(critical, "the late stage 1 shows no significant drop"));
                process.await(() -> find(alertmanager, "inh-critical").isEmpty()
                        && state(alertmanager, "inh-same-stage").equals("active"), TIMEOUT,
                        "the critical alert ended and the warning no longer inhibited");
                assertThat(sink.failedPushes()).isZero();
            } finally {
                runner.close();
            }
        }
    }

    /** A real Alertmanager on {@code port} with {@code config}, ready. */
    private ExternalProcess startAlertmanager(Path config, int port) throws Exception {
        ExternalProcess process = ExternalProcess.start(dir.resolve("alertmanager.log"), List.of(
                ExternalProcess.binary("prometheus-alertmanager", "prometheus-alertmanager").toString(),
                "--config.file=" + config, "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=")); // no HA gossip port: one Alertmanager, nothing else bound
        try {
            process.awaitHttpOk(URI.create("http://127.0.0.1:" + port + "/-/ready"), TIMEOUT);
        } catch (RuntimeException | AssertionError e) {
            process.close();
            throw e;
        }
        return process;
    }

    /** The sink, pushing every firing alert again each half second. */
    private static AlertmanagerSink resendingSink(URI alertmanager) {
        return new AlertmanagerSink(AlertmanagerSinkConfig.defaults(alertmanager).withResendInterval(Duration.ofMillis(500)));
    }

    private static SinkRunner run(ClusterConfig cluster, AlertmanagerSink sink, String groupId) {
        return SinkRunner.start(cluster, SinkRunnerConfig.defaults(sink.name(), StartPosition.EARLIEST).withGroupId(groupId), sink);
    }

    /** The alert's Alertmanager state (active, suppressed), or "absent". */
    private static String state(URI alertmanager, String alertId) {
        return find(alertmanager, alertId).map(a -> a.get("status").get("state").asText()).orElse("absent");
    }

    /** The alert with this alert_id among Alertmanager's current (not resolved) alerts. */
    private static Optional<JsonNode> find(URI alertmanager, String alertId) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(alertmanager.resolve("/api/v2/alerts")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("GET /api/v2/alerts: %s", response.body()).isEqualTo(200);
            List<JsonNode> matches = new ArrayList<>();
            RecordJson.mapper().readTree(response.body()).forEach(a -> {
                if (alertId.equals(a.get("labels").path("alert_id").asText())) {
                    matches.add(a);
                }
            });
            return matches.stream().findFirst();
        } catch (Exception e) {
            throw new AssertionError("cannot read the alerts of " + alertmanager, e);
        }
    }

    private static String silence(URI alertmanager, String label, String value) throws Exception {
        ObjectNode body = RecordJson.mapper().createObjectNode();
        ObjectNode matcher = body.putArray("matchers").addObject();
        matcher.put("name", label).put("value", value).put("isRegex", false).put("isEqual", true);
        Instant now = Instant.now();
        body.put("startsAt", now.minusSeconds(60).toString()).put("endsAt", now.plusSeconds(3600).toString())
                .put("createdBy", "AlertmanagerSinkIT").put("comment", "on-call knows about cnn");
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(alertmanager.resolve("/api/v2/silences"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("POST /api/v2/silences: %s", response.body()).isEqualTo(200);
        return RecordJson.mapper().readTree(response.body()).get("silenceID").asText();
    }
}
