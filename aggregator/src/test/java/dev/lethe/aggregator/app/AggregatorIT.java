package dev.lethe.aggregator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.aggregator.metrics.AlertConfig;
import dev.lethe.aggregator.metrics.MetricsReport;
import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.offline.ScoresCsv;
import dev.lethe.aggregator.topology.Shards;
import dev.lethe.schemas.AlertState;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.json.MetricKeys;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.schemas.topics.RecordKeys;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.testkit.ExternalProcess;
import dev.lethe.testkit.LetheCluster;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aggregator on a real broker: 2 families x 2 model runs x 4 stages, stopped and restarted on an empty state
 * directory midway (state comes back from the changelogs); the last record per key on lethe.forgetting equals the
 * metric library's output on the same scores ({@code lethe metrics}), and the query endpoint serves them.
 */
class AggregatorIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    private static final String CAMPAIGN = "it-camp";
    private static final List<RunKey> RUNS = List.of(new RunKey(CAMPAIGN, "mlp", "mlp-a"), new RunKey(CAMPAIGN, "mlp", "mlp-b"),
            new RunKey(CAMPAIGN, "cnn", "cnn-a"), new RunKey(CAMPAIGN, "cnn", "cnn-b"));
    private static final String[][] SUITE = {{"digits-clean", "domain-knowledge"}, {"digits-noise", "robustness"},
        {"task-1", "task"}, {"task-2", "task"}, {"task-3", "task"}};
    private static final int STAGES = 4;
    private static final int ITEMS = 60;

    @TempDir
    Path stateDirs;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Items per (run, stage, element): accuracy falls with the stage, the stage's own task rises. */
    private static Map<String, String> scores() {
        Map<String, String> items = new TreeMap<>();
        Random random = new Random(42);
        for (RunKey run : RUNS) {
            for (int stage = 0; stage < STAGES; stage++) {
                for (String[] element : SUITE) {
                    double p = element[0].equals("task-" + stage) ? 0.95 : Math.max(0.1, 0.85 - 0.12 * stage * random.nextDouble());
                    StringBuilder bits = new StringBuilder();
                    for (int i = 0; i < ITEMS; i++) {
                        bits.append(random.nextDouble() < p ? '1' : '0');
                    }
                    items.put(run.model() + "|" + stage + "|" + element[0] + "|" + element[1], bits.toString());
                }
            }
        }
        return items;
    }

    private static RunKey run(String model) {
        return RUNS.stream().filter(r -> r.model().equals(model)).findFirst().orElseThrow();
    }

    /** The same scores as the CSV {@code lethe metrics} reads. */
    private static String csv(Map<String, String> items) {
        StringBuilder csv = new StringBuilder("campaign,family,model,stage,benchmark,category,n,correct,items,task\n");
        items.forEach((key, bits) -> {
            String[] k = key.split("\\|");
            RunKey run = run(k[0]);
            long correct = bits.chars().filter(c -> c == '1').count();
            csv.append(String.join(",", run.campaign(), run.family(), run.model(), k[1], k[2], k[3],
                    Integer.toString(bits.length()), Long.toString(correct), bits, k[1].equals("0") ? "" : "task-" + k[1])).append('\n');
        });
        return csv.toString();
    }

    private void sendStages(ClusterConfig cluster, Map<String, String> items, int fromStage, int toStage) {
        sendStages(cluster, items, fromStage, toStage, Duration.ZERO);
    }

    /** Sends the stages' shards, {@code pause} after each. */
    private void sendStages(ClusterConfig cluster, Map<String, String> items, int fromStage, int toStage, Duration pause) {
        Topics topics = cluster.topics();
        items.forEach((key, bits) -> {
            String[] k = key.split("\\|");
            int stage = Integer.parseInt(k[1]);
            if (stage >= fromStage && stage <= toStage) {
                for (ShardResult shard : Shards.of(run(k[0]), stage, k[2], k[3], bits, 2)) {
                    CLUSTER.send(topics.shardResults(), RecordKeys.shardResult(shard), shard);
                    LockSupport.parkNanos(pause.toNanos()); // pacing, not a wait for something to happen
                }
            }
        });
    }

    @Test
    void shouldRefuseToStartWhenCheckpointPlansHaveOtherPartitionsThanShardResults() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        String plans = cluster.topics().checkpointPlans().name();
        int shardPartitions = cluster.topics().shardResults().partitions();
        CLUSTER.increasePartitions(cluster, plans, shardPartitions + 1);

        // a run's plans would be read in another task than its results, which would then wait for them forever
        assertThatThrownBy(() -> AggregatorApp.start(AggregatorConfig.defaults(cluster).withApplicationId("aggregator-it-plans")
                .withStateDir(stateDirs.resolve("plans")).withHttp("127.0.0.1", -1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(plans + " has " + (shardPartitions + 1) + " partitions")
                .hasMessageContaining("must have as many");
    }

    private AggregatorApp start(ClusterConfig cluster, String stateDir) throws InterruptedException {
        AggregatorApp app = AggregatorApp.start(AggregatorConfig.defaults(cluster)
                .withApplicationId("aggregator-it")
                .withStateDir(stateDirs.resolve(stateDir))
                .withHttp("127.0.0.1", 0));
        assertThat(app.awaitRunning(Duration.ofSeconds(60))).as("aggregator running").isTrue();
        return app;
    }

    private static ForgettingMetric atEpoch(ForgettingMetric metric) {
        return ForgettingMetric.newBuilder(metric).setUpdatedAt(Instant.EPOCH).build();
    }

    /** Polls lethe.forgetting until the last record per key (times set aside) equals {@code expected}. */
    private static Map<String, ForgettingMetric> awaitFinalMetrics(Topics topics, Map<String, ForgettingMetric> expected)
            throws InterruptedException {
        Map<String, ForgettingMetric> last = new LinkedHashMap<>();
        try {
            // polled between full re-reads of the topic; a read short of records is not yet an answer
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).pollInSameThread().until(() -> {
                last.clear();
                try {
                    for (ConsumerRecord<String, ForgettingMetric> record : CLUSTER.readAll(topics.forgetting(), expected.size(), Duration.ofSeconds(5))) {
                        assertThat(record.key()).isEqualTo(record.value().getFamily());
                        last.put(MetricKeys.of(record.value()), atEpoch(record.value()));
                    }
                } catch (AssertionError notYet) {
                    return false;
                }
                return last.equals(expected);
            });
        } catch (ConditionTimeoutException e) {
            assertThat(last).containsExactlyInAnyOrderEntriesOf(expected);
        }
        return last;
    }

    /** GET with JSON 200 expected; a 503 (rebalance in progress) is retried for up to 30 s. */
    private JsonNode get(URI endpoint, String path) throws Exception {
        // asked again while the instances rebalance (503)
        HttpResponse<String> response = await(path + " answering other than 503").atMost(Duration.ofSeconds(30))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200)).pollInSameThread()
                .until(() -> http.send(HttpRequest.newBuilder(endpoint.resolve(path)).timeout(Duration.ofSeconds(20)).GET().build(),
                        HttpResponse.BodyHandlers.ofString()), r -> r.statusCode() != 503);
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(200);
        return RecordJson.mapper().readTree(response.body());
    }

    /** What {@code lethe metrics --alerts} computes from the scores. */
    private static MetricsReport libraryReport(Map<String, String> items) throws Exception {
        return MetricsReport.of(MetricsReport.matrices(ScoresCsv.read(new StringReader(csv(items)), Instant.EPOCH)),
                AlertConfig.defaults());
    }

    /** The report's records by the key sinks keep the last record of. */
    private static Map<String, ForgettingMetric> byKey(MetricsReport report) {
        Map<String, ForgettingMetric> byKey = new LinkedHashMap<>();
        report.metrics().forEach(m -> byKey.put(MetricKeys.of(m), m));
        return byKey;
    }

    @Test
    void shouldEndWithTheLibrarysRecordsWhenRestartedMidwayOnAnEmptyStateDir() throws Exception {
        ClusterConfig cluster = CLUSTER.config();
        Topics topics = cluster.topics();
        Map<String, String> items = scores();
        MetricsReport report = libraryReport(items);
        Map<String, ForgettingMetric> expected = byKey(report);
        assertThat(report.metrics()).extracting(ForgettingMetric::getScope).contains(MetricScope.FAMILY);
        assertThat(report.metrics()).anySatisfy(m -> assertThat(m.getBwtPp()).isNotNull()); // GEM from task elements

        AggregatorApp first = start(cluster, "first");
        try {
            sendStages(cluster, items, 0, 1);
            // wait until the first half is aggregated, then stop midway
            assertThat(CLUSTER.readAll(topics.forgetting(), RUNS.size() * 2 * 7, Duration.ofSeconds(60))).isNotEmpty();
        } finally {
            first.close();
        }

        AggregatorApp second = start(cluster, "second"); // empty state dir: restored from the changelogs
        try {
            sendStages(cluster, items, 2, 3);
            sendStages(cluster, items, 1, 1); // redelivered shards of an already complete stage change nothing
            awaitFinalMetrics(topics, expected);

            List<KnowledgeLossAlert> raised = CLUSTER.readAll(topics.alerts(), report.alerts().size(), Duration.ofSeconds(30))
                    .stream().map(ConsumerRecord::value).toList();
            Map<String, KnowledgeLossAlert> lastAlerts = new TreeMap<>();
            raised.forEach(a -> lastAlerts.put(a.getAlertId(), KnowledgeLossAlert.newBuilder(a).setCreatedAt(Instant.EPOCH).build()));
            report.alerts().forEach(a -> assertThat(lastAlerts.get(a.getAlertId())).isEqualTo(a));

            URI endpoint = second.endpoint();
            JsonNode families = get(endpoint, "/families");
            assertThat(families.get("families")).extracting(n -> n.get("family").asText()).containsExactly("cnn", "mlp");
            JsonNode mlp = get(endpoint, "/families/mlp");
            List<String> familyRecords = new ArrayList<>();
            mlp.get("campaigns").get(0).get("records").forEach(n -> familyRecords.add(withoutTime(n)));
            assertThat(familyRecords).containsExactlyElementsOf(report.metrics().stream()
                    .filter(m -> m.getScope() == MetricScope.FAMILY && m.getFamily().equals("mlp"))
                    .map(m -> withoutTime(RecordJson.toNode(m))).toList());
            JsonNode model = get(endpoint, "/models/" + CAMPAIGN + "/cnn-b");
            assertThat(model.get("matrix")).hasSize(STAGES * SUITE.length);
            List<String> modelRecords = new ArrayList<>();
            model.get("records").forEach(n -> modelRecords.add(withoutTime(n)));
            assertThat(modelRecords).containsExactlyElementsOf(report.metrics().stream()
                    .filter(m -> "cnn-b".equals(m.getModel())).map(m -> withoutTime(RecordJson.toNode(m))).toList());
            // the endpoint serves every alert raised, by id; those of the final data are among them
            JsonNode alerts = get(endpoint, "/alerts?since=1970-01-01T00:00:00Z");
            List<String> served = new ArrayList<>();
            alerts.get("alerts").forEach(a -> served.add(a.get("alertId").asText()));
            assertThat(served).containsExactlyInAnyOrderElementsOf(lastAlerts.keySet());
            assertThat(served).containsAll(report.alerts().stream().map(KnowledgeLossAlert::getAlertId).toList());
            JsonNode none = get(endpoint, "/alerts?since=2999-01-01T00:00:00Z");
            assertThat(none.get("alerts")).isEmpty();

            // a second instance joins: keys it does not own are fetched from the other one, so both answer alike
            AggregatorApp third = start(cluster, "third");
            try {
                awaitBothRunning(second, third);
                for (URI any : List.of(second.endpoint(), third.endpoint())) {
                    assertThat(get(any, "/families")).isEqualTo(families);
                    assertThat(get(any, "/families/mlp")).isEqualTo(mlp);
                    assertThat(get(any, "/models/" + CAMPAIGN + "/cnn-b")).isEqualTo(model);
                    assertThat(get(any, "/alerts?since=1970-01-01T00:00:00Z")).isEqualTo(alerts);
                }
            } finally {
                third.close();
            }
        } finally {
            second.close();
        }
    }

    /**
     * Exactly-once through a crash: the aggregator runs in a process of its own and is SIGKILLed while the second half of
     * the campaign streams in, with a transaction open and state its stores have not written back; the instance that
     * takes over (same application id and state directory, which Kafka Streams wipes and restores after an unclean
     * stop) must end with exactly the library's records and alerts, nothing lost and nothing counted twice.
     */
    @Test
    void shouldEndWithTheLibrarysRecordsAndAlertsWhenItsProcessIsKilledMidRun() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Topics topics = cluster.topics();
        Map<String, String> items = scores();
        MetricsReport report = libraryReport(items);
        Map<String, ForgettingMetric> expected = byKey(report);
        assertThat(report.alerts()).as("alerts the final data raises").isNotEmpty();

        try (ExternalProcess first = aggregatorProcess(cluster, "crash", "first")) {
            sendStages(cluster, items, 0, 1);
            assertThat(CLUSTER.readAll(topics.forgetting(), RUNS.size() * 2 * 7, Duration.ofSeconds(60))).isNotEmpty();
            // the second half paced, so the kill lands while it streams in: after some of it is committed, before the rest
            Thread sender = new Thread(() -> sendStages(cluster, items, 2, 3, Duration.ofMillis(50)));
            sender.start();
            await("a stage-2 record committed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> committedStages(topics).stream().anyMatch(stage -> stage >= 2));
            assertThat(sender.isAlive()).as("the second half still streaming in at the kill, so not all of it committed").isTrue();
            first.kill();
            sender.join();
        }

        try (ExternalProcess second = aggregatorProcess(cluster, "crash", "second")) {
            awaitFinalMetrics(topics, expected);
            Map<String, KnowledgeLossAlert> lastAlerts = new TreeMap<>();
            CLUSTER.readAll(topics.alerts(), report.alerts().size(), Duration.ofSeconds(30)).forEach(r ->
                    lastAlerts.put(r.value().getAlertId(), KnowledgeLossAlert.newBuilder(r.value()).setCreatedAt(Instant.EPOCH).build()));
            lastAlerts.values().removeIf(a -> a.getState() != AlertState.FIRING);
            assertThat(lastAlerts.values()).containsExactlyInAnyOrderElementsOf(report.alerts());
        }
    }

    /** The stages of the MODEL records readable now (read_committed: a killed instance's open transaction is not). */
    private static Set<Integer> committedStages(Topics topics) {
        return CLUSTER.readAll(topics.forgetting(), 0, Duration.ofMillis(500)).stream().map(ConsumerRecord::value)
                .filter(m -> m.getScope() == MetricScope.MODEL).map(ForgettingMetric::getStage).collect(Collectors.toSet());
    }

    /** {@link AggregatorProcess} on this test's classpath, its output in {@code log}.log; returns once it runs. */
    private ExternalProcess aggregatorProcess(ClusterConfig cluster, String name, String log) throws Exception {
        ExternalProcess process = ExternalProcess.start(stateDirs.resolve(log + ".log"), List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), AggregatorProcess.class.getName(), cluster.bootstrapServers(),
                cluster.schemaRegistryUrl(), cluster.topicPrefix(), "aggregator-" + name + "-it", stateDirs.resolve(name).toString()));
        try {
            process.await(() -> process.logText().contains(AggregatorProcess.RUNNING), Duration.ofMinutes(2),
                    "the aggregator process running");
        } catch (AssertionError e) {
            process.close();
            throw e;
        }
        return process;
    }

    /** Both RUNNING after the rebalance that adding an instance causes. */
    private static void awaitBothRunning(AggregatorApp a, AggregatorApp b) throws InterruptedException {
        await("two aggregator instances both RUNNING").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1))
                .pollInSameThread().until(() -> a.awaitRunning(Duration.ofSeconds(1)) && b.awaitRunning(Duration.ofSeconds(1))
                        && a.streams().metadataForAllStreamsClients().size() == 2);
    }

    private static String withoutTime(JsonNode node) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = node.deepCopy();
        copy.remove("updatedAt");
        return copy.toString();
    }
}
