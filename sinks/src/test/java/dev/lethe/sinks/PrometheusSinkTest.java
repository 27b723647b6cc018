package dev.lethe.sinks;

import static dev.lethe.sinks.TestRecords.alert;
import static dev.lethe.sinks.TestRecords.category;
import static dev.lethe.sinks.TestRecords.element;
import static dev.lethe.sinks.TestRecords.family;
import static dev.lethe.sinks.TestRecords.model;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.http.HttpLimits;
import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.sinks.core.SinkContext;
import dev.lethe.sinks.prometheus.PrometheusSink;
import dev.lethe.sinks.prometheus.PrometheusSinkConfig;
import dev.lethe.testkit.HttpAttacks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrometheusSinkTest {

    @TempDir
    Path dir;

    private PrometheusSink sink;
    private SinkContext context;

    @BeforeEach
    void start() {
        sink = new PrometheusSink(PrometheusSinkConfig.defaults().withPort(0));
        context = SinkContext.detached(Topics.defaults());
        sink.open(context);
    }

    @AfterEach
    void stop() {
        sink.close();
    }

    private void feed() {
        sink.onMetric(category("mlp", "mlp-a", 2, "task", 12.5, 81.0));
        sink.onMetric(category("mlp", "mlp-a", 1, "task", 3.0, 90.0)); // late earlier stage: must not win
        sink.onMetric(category("mlp", "mlp-a", 2, "robustness", null, 70.0)); // undefined FG: no fg series
        sink.onMetric(model("mlp", "mlp-a", 2, 6.0, 84.5, -7.25));
        sink.onMetric(family("mlp", 2, "task", 11.0, 2));
        sink.onMetric(element("mlp", "mlp-a", 2, "task", "perm-1", 40.0)); // element scope is not exported
        sink.onAlert(alert("a-1", "mlp", "mlp-a", 2, AlertSeverity.CRITICAL));
        sink.onAlert(alert("a-1", "mlp", "mlp-a", 2, AlertSeverity.CRITICAL)); // same alert again
        sink.onAlert(alert("a-2", "mlp", "mlp-a", 2, AlertSeverity.WARNING));
        context.stats().recordConsumed(Topics.defaults().forgetting().name());
        context.stats().recordLag(Topics.defaults().forgetting().name(), 7);
    }

    @Test
    void shouldExposeLatestStageGaugesAlertCountersAndPipelineCountersWhenScraped() throws Exception {
        feed();
        String body = scrapeOverHttp();

        assertThat(body).contains("lethe_forgetting_fg_pct{campaign=\"c1\",category=\"task\",family=\"mlp\",model=\"mlp-a\"} 12.5");
        assertThat(body).doesNotContain("lethe_forgetting_fg_pct{campaign=\"c1\",category=\"robustness\"");
        assertThat(body).contains("lethe_forgetting_score_pct{campaign=\"c1\",category=\"robustness\",family=\"mlp\",model=\"mlp-a\"} 70.0");
        assertThat(body).contains("lethe_forgetting_acc_pct{campaign=\"c1\",family=\"mlp\",model=\"mlp-a\"} 84.5");
        assertThat(body).contains("lethe_forgetting_bwt_pp{campaign=\"c1\",family=\"mlp\",model=\"mlp-a\"} -7.25");
        assertThat(body).contains("lethe_forgetting_stage{campaign=\"c1\",family=\"mlp\",model=\"mlp-a\"} 2.0");
        assertThat(body).contains("lethe_forgetting_family_fg_pct{campaign=\"c1\",category=\"task\",family=\"mlp\"} 11.0");
        assertThat(body).contains("lethe_alerts_total{rule=\"PAIRED_DROP\",severity=\"CRITICAL\"} 1.0");
        assertThat(body).contains("lethe_alerts_total{rule=\"PAIRED_DROP\",severity=\"WARNING\"} 1.0");
        assertThat(body).contains("lethe_alerts_total{rule=\"FG_THRESHOLD\",severity=\"CRITICAL\"} 0.0");
        assertThat(body).contains("lethe_sink_records_consumed_total{sink=\"prometheus\",topic=\"lethe.forgetting\"} 1.0");
        assertThat(body).contains("lethe_sink_consumer_lag_records{sink=\"prometheus\",topic=\"lethe.forgetting\"} 7.0");
        assertThat(body).contains("lethe_sink_dead_letters_total{sink=\"prometheus\",topic=\"lethe.alerts\"} 0.0");
        assertThat(body).doesNotContain("perm-1");
    }

    @Test
    void shouldKeepAnsweringScrapesWhenSlowClientsHoldConnectionsAndRefuseABodyWith413() throws Exception {
        // issue 14: one connection holding a partial request used to block the single-threaded endpoint
        try (HttpAttacks attacks = new HttpAttacks()) {
            assertThat(attacks.slowClientsAndHugeBody(sink.port(), HttpLimits.defaults().maxConnectionsPerClient(), "/metrics", "/metrics"))
                    .isEqualTo(new HttpAttacks.Outcome(429, 200, 413));
        }
    }

    @Test
    void shouldPassPromtoolCheckMetricsWhenTheLiveExpositionIsLinted() throws Exception {
        feed();
        String body = scrapeOverHttp();
        Promtool.Result result = Promtool.run(body, dir, "check", "metrics");
        assertThat(result.exitCode()).as("promtool check metrics said:%n%s%non:%n%s", result.output(), body).isZero();
    }

    private String scrapeOverHttp() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(sink.url())).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(PrometheusSink.CONTENT_TYPE);
        return response.body();
    }
}
