package dev.lethe.cli.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.cli.LetheMain;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.ShardStatus;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.schemas.topics.RecordKeys;
import dev.lethe.testkit.LetheCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code lethe aggregate} on a real broker: its endpoint serves what {@code lethe metrics} computes offline. */
class AggregateCommandIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    @TempDir
    Path dir;

    private static final String[][] ROWS = {
        {"0", "e1", "1111111111"}, {"0", "e2", "1111111100"}, {"1", "e1", "1111110000"}, {"1", "e2", "1111111000"}};

    private static ShardResult shard(int stage, String benchmark, String items) {
        byte[] bits = new byte[2];
        int correct = 0;
        for (int i = 0; i < items.length(); i++) {
            if (items.charAt(i) == '1') {
                bits[i >>> 3] |= (byte) (1 << (i & 7));
                correct++;
            }
        }
        String checkpoint = "cli-camp/mlp-a/" + stage;
        return ShardResult.newBuilder().setTaskId(checkpoint + "/" + benchmark + "/0").setCheckpointId(checkpoint)
                .setCampaign("cli-camp").setFamily("mlp").setModel("mlp-a").setStage(stage).setTask(stage == 0 ? null : "t" + stage)
                .setSuite("s").setSuiteVersion("v1").setBenchmark(benchmark).setCategory("dk").setShardIndex(0).setShardCount(1)
                .setItemStart(0).setItemEnd(items.length()).setN(items.length()).setCorrect(correct).setItemBits(ByteBuffer.wrap(bits))
                .setScorer("test").setEvaluatorId("w").setDurationMs(1).setStatus(ShardStatus.OK)
                .setCheckpointCreatedAt(Instant.EPOCH).build();
    }

    @Test
    void shouldServeTheOfflineMetricsWhenRunAsACommand() throws Exception {
        ClusterConfig config = CLUSTER.newTopicPrefix();
        StringWriter out = new StringWriter();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread aggregate = new Thread(() -> {
            CommandLine cmd = LetheMain.commandLine();
            cmd.setOut(new PrintWriter(out, true));
            exit.set(cmd.execute("aggregate", "--bootstrap-servers", config.bootstrapServers(), "--schema-registry",
                    config.schemaRegistryUrl(), "--topic-prefix", config.topicPrefix(), "--application-id", "aggregate-cli-it",
                    "--state-dir", dir.resolve("state").toString(), "--http-port", "0"));
        }, "lethe-aggregate-under-test");
        aggregate.start();
        try {
            URI endpoint = awaitEndpoint(out);
            StringBuilder csv = new StringBuilder("campaign,family,model,stage,benchmark,category,n,correct,items,task\n");
            for (String[] row : ROWS) {
                ShardResult shard = shard(Integer.parseInt(row[0]), row[1], row[2]);
                CLUSTER.send(config.topics().shardResults(), RecordKeys.shardResult(shard), shard);
                csv.append(String.join(",", "cli-camp", "mlp", "mlp-a", row[0], row[1], "dk", "10",
                        Integer.toString(shard.getCorrect()), row[2], row[0].equals("0") ? "" : "t1")).append('\n');
            }
            Path scores = dir.resolve("scores.csv");
            Files.writeString(scores, csv);
            StringWriter offline = new StringWriter();
            CommandLine metrics = LetheMain.commandLine();
            metrics.setOut(new PrintWriter(offline, true));
            assertThat(metrics.execute("metrics", "--scores", scores.toString())).isZero();
            List<String> expected = new ArrayList<>();
            for (String line : offline.toString().split("\n")) {
                JsonNode node = RecordJson.mapper().readTree(line);
                if (!node.get("scope").asText().equals("FAMILY")) {
                    expected.add(withoutTime(node));
                }
            }

            JsonNode model = awaitModel(endpoint, expected.size());
            List<String> served = new ArrayList<>();
            model.get("records").forEach(n -> served.add(withoutTime(n)));
            assertThat(served).containsExactlyElementsOf(expected);
        } finally {
            aggregate.interrupt();
            aggregate.join(Duration.ofSeconds(60).toMillis());
        }
        assertThat(aggregate.isAlive()).isFalse();
        assertThat(exit.get()).isZero();
    }

    private static URI awaitEndpoint(StringWriter out) throws InterruptedException {
        Pattern started = Pattern.compile("queries at (http://\\S+) ");
        Matcher matcher = await("lethe aggregate printing its endpoint").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(() -> started.matcher(out.toString()), Matcher::find);
        return URI.create(matcher.group(1));
    }

    private static JsonNode awaitModel(URI endpoint, int records) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        // polled while the scores flow through
        HttpResponse<String> response = await("the endpoint serving all " + records + " records").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).pollInSameThread()
                .until(() -> http.send(HttpRequest.newBuilder(endpoint.resolve("/models/cli-camp/mlp-a"))
                        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString()), r -> {
                            if (r.statusCode() != 200) {
                                return false;
                            }
                            JsonNode body = json(r.body());
                            return body.get("records").size() == records && body.get("matrix").size() == ROWS.length;
                        });
        return RecordJson.mapper().readTree(response.body());
    }

    private static JsonNode json(String body) {
        try {
            return RecordJson.mapper().readTree(body);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String withoutTime(JsonNode node) {
        ObjectNode copy = node.deepCopy();
        copy.remove("updatedAt");
        return copy.toString();
    }
}
