package dev.lethe.sinks;

import static dev.lethe.sinks.TestRecords.alert;
import static dev.lethe.sinks.TestRecords.family;
import static dev.lethe.sinks.TestRecords.resolved;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.sinks.core.SinkContext;
import dev.lethe.sinks.dashboard.DashboardConfig;
import dev.lethe.sinks.dashboard.DashboardSink;
import dev.lethe.testkit.HttpAttacks;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DashboardSinkTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private DashboardSink sink;

    @AfterEach
    void stop() {
        if (sink != null) {
            sink.close();
        }
    }

    private DashboardSink start(DashboardConfig config) {
        sink = new DashboardSink(config);
        sink.open(SinkContext.detached(Topics.defaults()));
        return sink;
    }

    @Test
    void shouldServeThePageAndUplotFromTheJarWhenAsked() throws Exception {
        start(DashboardConfig.defaults().withPort(0));
        HttpResponse<String> page = get(sink.url());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script src=\"vendor/uPlot.iife.min.js\"></script>").doesNotContain("https://");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v).startsWith("default-src 'self'"));
        HttpResponse<String> uplot = get(sink.url() + "vendor/uPlot.iife.min.js");
        assertThat(uplot.statusCode()).isEqualTo(200);
        assertThat(uplot.body()).contains("uPlot");
        assertThat(get(sink.url() + "../etc/passwd").statusCode()).isEqualTo(404);
        assertThat(get(sink.url() + "dashboard.js").body()).contains("EventSource");
    }

    @Test
    void shouldSendASnapshotThenOnlyTheChangedRecordsWhenABrowserListens() throws Exception {
        start(DashboardConfig.defaults().withPort(0));
        KnowledgeLossAlert firing = alert("a-1", "mlp", "mlp-a", 2, AlertSeverity.CRITICAL);
        sink.onMetric(family("mlp", 1, "domain-knowledge", 10.0, 2));
        sink.onAlert(firing);
        sink.flush();

        HttpResponse<InputStream> stream = HTTP.send(HttpRequest.newBuilder(URI.create(sink.url() + "events")).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.headers().firstValue("Content-Type")).hasValue("text/event-stream; charset=utf-8");
        try (BufferedReader events = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            JsonNode snapshot = next(events, "snapshot");
            assertThat(snapshot.get("metrics")).hasSize(1);
            assertThat(snapshot.get("alerts").get(0).get("state").asText()).isEqualTo("FIRING");

            sink.onMetric(family("mlp", 1, "domain-knowledge", 10.0, 2)); // the same record again: not news
            sink.onMetric(family("mlp", 2, "domain-knowledge", 14.5, 2));
            sink.onAlert(resolved(firing, "re-scored"));
            sink.flush();
            JsonNode update = next(events, "update");
            assertThat(update.get("metrics")).hasSize(1);
            assertThat(update.get("metrics").get(0).get("stage").asInt()).isEqualTo(2);
            assertThat(update.get("metrics").get(0).get("fgPct").asDouble()).isEqualTo(14.5);
            assertThat(update.get("alerts").get(0).get("state").asText()).isEqualTo("RESOLVED");
            assertThat(update.get("health").get("metricRecords").asInt()).isEqualTo(2);
            assertThat(sink.updates()).isEqualTo(2);
        }
    }

    @Test
    void shouldRefuseRequestsWithoutTheTokenWhenOneIsSet() throws Exception {
        start(new DashboardConfig("127.0.0.1", 0, "s3cret-token-0123456789"));
        String base = "http://127.0.0.1:" + sink.port() + "/";
        assertThat(get(base).statusCode()).isEqualTo(401);
        assertThat(get(base + "events?token=wrong-token-0123456789").statusCode()).isEqualTo(401);
        assertThat(get(sink.url()).statusCode()).isEqualTo(200);
        assertThat(sink.url()).endsWith("/?token=s3cret-token-0123456789");
        HttpResponse<String> bearer = HTTP.send(HttpRequest.newBuilder(URI.create(base + "dashboard.css"))
                .header("Authorization", "Bearer s3cret-token-0123456789").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bearer.statusCode()).isEqualTo(200);
    }

    @Test
    void shouldKeepServingWhenSlowClientsHoldConnectionsAndRefuseABodyWith413() throws Exception {
        // the endpoints' common hardening (issue 14): 16 partial requests from one client, then one more; another client
        try (HttpAttacks attacks = new HttpAttacks()) {
            start(DashboardConfig.defaults().withPort(0));
            assertThat(attacks.slowClientsAndHugeBody(sink.port(), 16, "/", "/")).isEqualTo(new HttpAttacks.Outcome(429, 200, 413));
        }
    }

    @Test
    void shouldRequireATokenWhenBoundBeyondTheLoopback() {
        assertThatThrownBy(() -> new DashboardConfig("0.0.0.0", 0, null).validated())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--bind").hasMessageContaining("--token");
        assertThatThrownBy(() -> new DashboardConfig("127.0.0.1", 0, "short").validated())
                .hasMessageContaining("--token");
        assertThat(new DashboardConfig("0.0.0.0", 0, "long-enough-token-123").validated().host()).isEqualTo("0.0.0.0");
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The data of the next event of this type (other events, e.g. health, are skipped). */
    private static JsonNode next(BufferedReader events, String type) throws Exception {
        String event = null;
        for (String line = events.readLine(); line != null; line = events.readLine()) {
            if (line.startsWith("event: ")) {
                event = line.substring("event: ".length());
            } else if (line.startsWith("data: ") && type.equals(event)) {
                return RecordJson.mapper().readTree(line.substring("data: ".length()));
            }
        }
        throw new AssertionError("the stream ended before a " + type + " event");
    }
}
