package dev.lethe.sinks;

import static dev.lethe.sinks.TestRecords.alert;
import static dev.lethe.sinks.TestRecords.category;
import static dev.lethe.sinks.TestRecords.family;
import static dev.lethe.sinks.TestRecords.model;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.sinks.core.SinkRunner;
import dev.lethe.sinks.core.SinkRunnerConfig;
import dev.lethe.sinks.core.StartPosition;
import dev.lethe.sinks.prometheus.PrometheusSinkConfig;
import dev.lethe.sinks.webhook.WebhookSink;
import dev.lethe.sinks.webhook.WebhookSinkConfig;
import dev.lethe.testkit.LetheCluster;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class SinksIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void shouldWriteTheFinalRecordPerKeyAndDeadLetterThePoisonWhenConsumingARealBroker() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Topics topics = cluster.topics();
        ViewSinks views = ViewSinks.start(cluster, dir, ViewSinks.Options.defaults().withGroupId("sinks-it-views")
                .withPrometheus(PrometheusSinkConfig.defaults().withPort(0)));
        try {
            List<ForgettingMetric> sent = new ArrayList<>();
            sent.add(category("mlp", "mlp-a", 1, "task", 3.0, 88.0));
            sent.add(category("mlp", "mlp-a", 1, "task", 4.5, 86.0)); // re-emitted after a late shard: newest wins
            sent.add(category("mlp", "mlp-a", 2, "task", 9.0, 80.0));
            sent.add(model("mlp", "mlp-a", 2, 9.0, 80.0, -8.0));
            sent.add(category("cnn", "cnn-a", 2, "task", 1.0, 95.0));
            sent.add(family("mlp", 2, "task", 9.0, 1));
            for (ForgettingMetric m : sent) {
                CLUSTER.send(topics.forgetting(), m.getFamily(), m);
            }
            byte[] poison = {0, 0x7f, 0x7f, 0x7f, 0x7f, 1, 2, 3}; // Confluent framing with a schema id nobody registered
            long poisonOffset = CLUSTER.sendBytes(topics.forgetting().name(), "mlp", poison).offset();
            CLUSTER.sendBytes(topics.forgetting().name(), "mlp", "not avro at all".getBytes(StandardCharsets.UTF_8));
            CLUSTER.send(topics.alerts(), "mlp", alert("a-1", "mlp", "mlp-a", 2, AlertSeverity.CRITICAL));
            CLUSTER.send(topics.alerts(), "mlp", alert("a-1", "mlp", "mlp-a", 2, AlertSeverity.CRITICAL));

            assertThat(views.awaitCaughtUp(TIMEOUT)).as("views caught up, progress %s", views.progress()).isTrue();
            assertThat(views.recordsConsumed()).isEqualTo(sent.size() + 2 + 2);
            assertThat(views.progress().deadLetters()).isEqualTo(2);

            List<JsonNode> metrics = readJsonl(dir.resolve("metrics.jsonl"));
            assertThat(metrics).extracting(n -> n.get("family").asText() + "/" + n.get("model").asText(null) + "/"
                            + n.get("stage").asInt() + "/" + n.get("scope").asText())
                    .containsExactly("cnn/cnn-a/2/CATEGORY", "mlp/mlp-a/1/CATEGORY", "mlp/mlp-a/2/CATEGORY",
                            "mlp/mlp-a/2/MODEL", "mlp/null/2/FAMILY");
            assertThat(metrics.get(1).get("fgPct").asDouble()).isEqualTo(4.5);
            assertThat(Files.readString(dir.resolve("metrics.jsonl")).lines().toList().get(1)).isEqualTo(RecordJson.toJson(sent.get(1)));
            assertThat(readJsonl(dir.resolve("alerts.jsonl"))).extracting(n -> n.get("alertId").asText()).containsExactly("a-1");

            List<ConsumerRecord<String, DeadLetter>> dlq = CLUSTER.readDlq(topics.forgetting(), 2, TIMEOUT);
            assertThat(dlq).hasSize(2).allSatisfy(r -> {
                assertThat(r.value().getReason()).isEqualTo(DeadLetterReason.DESERIALIZATION);
                assertThat(r.value().getSourceTopic()).isEqualTo(topics.forgetting().name());
                assertThat(r.value().getComponent()).isEqualTo("sink-views");
                assertThat(r.key()).isEqualTo("mlp");
            });
            DeadLetter first = dlq.stream().map(ConsumerRecord::value).filter(d -> d.getOffset() == poisonOffset).findFirst().orElseThrow();
            assertThat(bytes(first.getValue())).isEqualTo(poison);

            String exposition = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(views.prometheus().orElseThrow().url())).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(exposition)
                    .contains("lethe_forgetting_fg_pct{campaign=\"c1\",category=\"task\",family=\"mlp\",model=\"mlp-a\"} 9.0")
                    .contains("lethe_sink_dead_letters_total{sink=\"prometheus\",topic=\"" + topics.forgetting().name() + "\"} 2.0")
                    .contains("lethe_sink_consumer_lag_records{sink=\"prometheus\",topic=\"" + topics.forgetting().name() + "\"} 0.0")
                    .contains("lethe_alerts_total{rule=\"PAIRED_DROP\",severity=\"CRITICAL\"} 1.0");
            Promtool.Result lint = Promtool.run(exposition, dir, "check", "metrics");
            assertThat(lint.exitCode()).as("promtool check metrics:%n%s", lint.output()).isZero();
        } finally {
            views.close();
        }
        // the report renders in the background; closing the views writes its final state
        assertThat(Files.readString(dir.resolve("report.html"))).contains("<svg").contains("<td class=\"t\">mlp-a</td><td>2</td>");
    }

    @Test
    void shouldDeliverEachAlertOnceAcrossARestartWhenTheWebhookFailsFirst() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Topics topics = cluster.topics();
        AtomicInteger requests = new AtomicInteger();
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (requests.incrementAndGet() % 3 != 0) { // two failures before every success
                    exchange.sendResponseHeaders(503, -1);
                    return;
                }
                received.add(RecordJson.mapper().readTree(body).get("alertId").asText());
                exchange.sendResponseHeaders(204, -1);
            }
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
        SinkRunnerConfig config = SinkRunnerConfig.defaults("webhook", StartPosition.COMMITTED).withGroupId("sinks-it-webhook");
        try {
            for (int i = 1; i <= 3; i++) {
                CLUSTER.send(topics.alerts(), "mlp", alert("w-" + i, "mlp", "mlp-a", i, AlertSeverity.WARNING));
            }
            CLUSTER.send(topics.alerts(), "mlp", alert("w-2", "mlp", "mlp-a", 2, AlertSeverity.WARNING)); // re-emitted
            WebhookSink first = new WebhookSink(webhookConfig(url, dir.resolve("state-1")));
            SinkRunner runner = SinkRunner.start(cluster, config, first);
            try {
                assertThat(runner.awaitCaughtUp(TIMEOUT)).as("webhook caught up, %s", runner.progress()).isTrue();
            } finally {
                runner.close();
            }
            assertThat(received).containsExactly("w-1", "w-2", "w-3");

            // a new sender with an empty state directory resumes after the committed offsets: nothing is resent
            CLUSTER.send(topics.alerts(), "mlp", alert("w-4", "mlp", "mlp-a", 4, AlertSeverity.CRITICAL));
            WebhookSink second = new WebhookSink(webhookConfig(url, dir.resolve("state-2")));
            SinkRunner again = SinkRunner.start(cluster, config, second);
            try {
                assertThat(again.awaitCaughtUp(TIMEOUT)).as("webhook caught up, %s", again.progress()).isTrue();
            } finally {
                again.close();
            }
            assertThat(received).containsExactly("w-1", "w-2", "w-3", "w-4");
            assertThat(second.delivered()).isEqualTo(1);
            assertThat(first.parked() + second.parked()).isZero();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void shouldCatchUpAgainWithoutLosingRecordsWhenTheBrokerRestarts() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Topics topics = cluster.topics();
        ViewSinks views = ViewSinks.start(cluster, dir, ViewSinks.Options.defaults().withGroupId("sinks-it-restart"));
        try {
            CLUSTER.send(topics.forgetting(), "mlp", category("mlp", "mlp-a", 1, "task", 2.0, 90.0));
            assertThat(views.awaitCaughtUp(TIMEOUT)).as("caught up before the restart, %s", views.progress()).isTrue();

            CLUSTER.restartBroker();
            CLUSTER.send(topics.forgetting(), "mlp", category("mlp", "mlp-a", 2, "task", 6.0, 85.0));
            CLUSTER.send(topics.alerts(), "mlp", alert("r-1", "mlp", "mlp-a", 2, AlertSeverity.WARNING));

            assertThat(views.awaitCaughtUp(TIMEOUT)).as("caught up after the restart, %s", views.progress()).isTrue();
            assertThat(views.progress().failure()).isNull();
            assertThat(readJsonl(dir.resolve("metrics.jsonl"))).extracting(n -> n.get("stage").asInt()).containsExactly(1, 2);
            assertThat(readJsonl(dir.resolve("alerts.jsonl"))).extracting(n -> n.get("alertId").asText()).containsExactly("r-1");
        } finally {
            views.close();
        }
    }

    private static WebhookSinkConfig webhookConfig(URI url, Path state) {
        return WebhookSinkConfig.defaults(url, state).withRetries(5, Duration.ofMillis(10), Duration.ofMillis(50));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }

    private static List<JsonNode> readJsonl(Path file) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            nodes.add(RecordJson.mapper().readTree(line));
        }
        return nodes;
    }
}
