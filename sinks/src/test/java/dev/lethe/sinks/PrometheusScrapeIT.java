package dev.lethe.sinks;

import static dev.lethe.sinks.TestRecords.alert;
import static dev.lethe.sinks.TestRecords.family;
import static dev.lethe.sinks.TestRecords.resolved;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.sinks.core.SinkRunner;
import dev.lethe.sinks.core.SinkRunnerConfig;
import dev.lethe.sinks.core.StartPosition;
import dev.lethe.sinks.prometheus.PrometheusSink;
import dev.lethe.sinks.prometheus.PrometheusSinkConfig;
import dev.lethe.testkit.ExternalProcess;
import dev.lethe.testkit.LetheCluster;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian {@code prometheus}) scraping the Prometheus sink, which consumes a real broker, with
 * Lethe's rules loaded: the recording rules answer with the series the records imply, and a resolution takes the
 * alert off {@code lethe_alerts_firing}.
 */
class PrometheusScrapeIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void shouldAnswerTheRecordingRulesFromTheScrapedSinkWhenRecordsArriveAndAnAlertResolves() throws Exception {
        Path binary = ExternalProcess.binary("prometheus", "prometheus");
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Topics topics = cluster.topics();
        PrometheusSink sink = new PrometheusSink(PrometheusSinkConfig.defaults().withPort(0)).start();
        SinkRunner runner = SinkRunner.start(cluster,
                SinkRunnerConfig.defaults(sink.name(), StartPosition.EARLIEST).withGroupId("prometheus-scrape-it"), sink);
        try (InputStream rules = PrometheusScrapeIT.class.getResourceAsStream("/prometheus/lethe-alerts.rules.yml")) {
            Files.copy(rules, dir.resolve("lethe-alerts.rules.yml"));
        }
        Path config = Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: lethe
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(dir.resolve("lethe-alerts.rules.yml"), sink.port()));
        int port = ExternalProcess.freePort();
        URI prometheus = URI.create("http://127.0.0.1:" + port);
        try (ExternalProcess process = ExternalProcess.start(dir.resolve("prometheus.log"), List.of(binary.toString(),
                "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + port))) {
            process.awaitHttpOk(prometheus.resolve("/-/ready"), TIMEOUT);

            KnowledgeLossAlert critical = alert("p-1", "mlp", "mlp-a", 2, AlertSeverity.CRITICAL);
            CLUSTER.send(topics.forgetting(), "mlp", family("mlp", 2, "domain-knowledge", 18.5, 2));
            CLUSTER.send(topics.forgetting(), "mlp", family("mlp", 2, "robustness", 4.0, 2));
            CLUSTER.send(topics.forgetting(), "mlp", family("mlp", 2, "task", -350.0, 2));
            CLUSTER.send(topics.alerts(), "mlp", critical);
            CLUSTER.send(topics.alerts(), "mlp", alert("p-2", "mlp", "mlp-b", 2, AlertSeverity.CRITICAL));

            // the worst forgetting category of the family, the task category left out
            process.await(() -> value(prometheus, "campaign_family:lethe_forgetting_family_fg_pct:max{family=\"mlp\"}")
                    .map(v -> v == 18.5).orElse(false), TIMEOUT, "the worst family FG recorded as 18.5");
            process.await(() -> value(prometheus, "severity:lethe_alerts_firing:sum{severity=\"CRITICAL\"}")
                    .map(v -> v == 2).orElse(false), TIMEOUT, "two critical alerts firing");

            CLUSTER.send(topics.alerts(), "mlp", resolved(critical, "re-scored"));
            process.await(() -> value(prometheus, "severity:lethe_alerts_firing:sum{severity=\"CRITICAL\"}")
                    .map(v -> v == 1).orElse(false), TIMEOUT, "one critical alert firing after the resolution");
            assertThat(value(prometheus, "sum(lethe_alerts_total{severity=\"CRITICAL\"})")).as("alerts raised, resolved or not")
                    .hasValue(2.0);
        } finally {
            runner.close();
        }
    }

    /** The single value of an instant query, if it has one. */
    private static Optional<Double> value(URI prometheus, String query) {
        try {
            URI uri = prometheus.resolve("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode result = RecordJson.mapper().readTree(response.body()).path("data").path("result");
            return result.size() == 1 ? Optional.of(result.get(0).get("value").get(1).asDouble()) : Optional.empty();
        } catch (Exception e) {
            throw new AssertionError("cannot query " + prometheus + " for " + query, e);
        }
    }
}
