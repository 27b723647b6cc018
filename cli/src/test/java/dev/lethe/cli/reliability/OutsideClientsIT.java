package dev.lethe.cli.reliability;

import static dev.lethe.cli.reliability.PipelineChecks.assertEveryShardExactlyOnce;
import static dev.lethe.cli.reliability.PipelineChecks.assertScoresCountEveryShardOnce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.sinks.core.SinkRunner;
import dev.lethe.sinks.core.SinkRunnerConfig;
import dev.lethe.sinks.core.StartPosition;
import dev.lethe.sinks.jsonl.JsonlSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lethe's topics through clients that are not Lethe's: Confluent's Python client publishes CheckpointReady
 * events through the registry, the pipeline scores them, and the same client reads lethe.forgetting back with
 * the values the JSON Lines sink wrote to metrics.jsonl; kcat counts and reads the topics, the DLQ included.
 */
class OutsideClientsIT {

    private static final String PYTHON = "/usr/bin/python3";
    private static final String KCAT = "/usr/bin/kcat";
    private static final String APT = "apt-get install -y python3-confluent-kafka python3-avro kcat";
    private static final ObjectMapper JSON = RecordJson.mapper();
    private static final Duration SETTLE = Duration.ofMinutes(3);

    @TempDir
    static Path work;

    private static ReliabilityCluster cluster;
    private static TrainedCampaign trained;

    @BeforeAll
    static void start() throws Exception {
        requireTools();
        trained = TrainedCampaign.get();
        cluster = ReliabilityCluster.start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void shouldScoreWhatPythonPublishesAndServePythonTheValuesOfMetricsJsonlWhenReadWithOutsideClients() throws Exception {
        List<CheckpointReady> events = new ArrayList<>(trained.eventsOf("wide-48").values());
        try (Pipeline pipeline = Pipeline.start(cluster, trained, work.resolve("pipeline"), Pipeline.Options.threads(1, Duration.ZERO))) {
            Topics topics = pipeline.config().topics();

            // Python publishes the trainer's events for one model run (real checkpoint files under the root)
            String published = python("produce", topics.checkpoints().name(),
                    "--schema-file", write("checkpoint-ready.avsc", CheckpointReady.getClassSchema().toString()).toString(),
                    "--values-file", write("events.jsonl", eventLines(events)).toString());
            assertThat(JSON.readTree(published).get("sent").asInt()).isEqualTo(events.size());
            pipeline.publishedElsewhere(events);

            long shards = (long) events.size() * trained.shardsPerCheckpoint();
            Pipeline.FinalState state = pipeline.awaitFinal(shards, SETTLE);
            assertEveryShardExactlyOnce(state, trained, events);
            assertScoresCountEveryShardOnce(state, trained, events);
            assertThat(state.metrics()).isEqualTo(state.library());

            // metrics.jsonl from the JSON Lines sink, run in-process until caught up
            Path sinkDir = Files.createDirectories(work.resolve("jsonl"));
            try (SinkRunner sink = SinkRunner.start(pipeline.config(),
                    SinkRunnerConfig.defaults("jsonl", StartPosition.EARLIEST).withGroupId("reliability-jsonl")
                            .withFlushInterval(Duration.ofMillis(200)), new JsonlSink(sinkDir))) {
                assertThat(sink.awaitCaughtUp(Duration.ofMinutes(1))).as("jsonl sink caught up").isTrue();
                sink.flush();
            }
            Map<String, JsonNode> jsonl = new TreeMap<>();
            for (String line : Files.readAllLines(sinkDir.resolve(JsonlSink.METRICS_FILE))) {
                if (!line.isBlank()) {
                    ObjectNode node = (ObjectNode) JSON.readTree(line);
                    node.put("updatedAt", Instant.parse(node.get("updatedAt").asText()).toEpochMilli());
                    jsonl.put(metricKey(node), node);
                }
            }
            assertThat(jsonl).hasSameSizeAs(state.metrics());

            // Python reads lethe.forgetting: its last value per key is metrics.jsonl's, field for field
            List<JsonNode> consumed = jsonLines(python("consume", topics.forgetting().name()));
            int forgettingRecords = TopicReader.readAll(pipeline.config(), topics.forgetting(), Duration.ofSeconds(30)).size();
            assertThat(consumed).hasSize(forgettingRecords);
            Map<String, JsonNode> lastFromPython = new TreeMap<>();
            for (JsonNode record : consumed) {
                assertThat(record.get("key").asText()).isEqualTo(record.get("value").get("family").asText());
                lastFromPython.put(metricKey(record.get("value")), record.get("value"));
            }
            assertThat(lastFromPython).isEqualTo(jsonl);

            // kcat counts the committed records of the topics and reads the DLQ
            assertThat(kcat(topics.shardResults().name(), "%k\n")).hasSize((int) shards);
            assertThat(kcat(topics.forgetting().name(), "%k\n")).hasSize(forgettingRecords);
            try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(topics.checkpoints().name(), "outside/garbage",
                        "not avro at all".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            }
            List<ConsumerRecord<String, DeadLetter>> dead = awaitDeadLetters(pipeline, topics);
            List<String> dlq = kcat(topics.dlq(topics.checkpoints()).name(), "%k\t%T\n");
            assertThat(dlq).hasSize(dead.size());
            assertThat(dlq.get(0)).startsWith(dead.get(0).key() + "\t" + dead.get(0).timestamp());
            assertThat(dead.get(0).value().getSourceTopic()).isEqualTo(topics.checkpoints().name());
        }
    }

    private static List<ConsumerRecord<String, DeadLetter>> awaitDeadLetters(Pipeline pipeline, Topics topics)
            throws InterruptedException {
        return await("the garbage checkpoint event dead-lettered").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).pollInSameThread()
                .until(() -> TopicReader.readAll(pipeline.config(), topics.dlq(topics.checkpoints()), Duration.ofSeconds(30)),
                        dead -> !dead.isEmpty());
    }

    /** {@code campaign|family|model|stage|scope|category|benchmark} of a ForgettingMetric in JSON. */
    private static String metricKey(JsonNode m) {
        StringBuilder key = new StringBuilder();
        for (String field : List.of("campaign", "family", "model", "stage", "scope", "category", "benchmark")) {
            key.append(m.get(field).isNull() ? "" : m.get(field).asText()).append('|');
        }
        return key.toString();
    }

    /** One {"key", "value"} line per event, timestamps as epoch millis (the Python side makes datetimes of them). */
    private static String eventLines(List<CheckpointReady> events) throws IOException {
        StringBuilder out = new StringBuilder();
        for (CheckpointReady e : events) {
            ObjectNode value = RecordJson.toNode(e);
            value.put("createdAt", e.getCreatedAt().toEpochMilli());
            ObjectNode line = JSON.createObjectNode();
            line.put("key", e.getCampaign() + "/" + e.getModel());
            line.set("value", value);
            out.append(JSON.writeValueAsString(line)).append('\n');
        }
        return out.toString();
    }

    private static Path write(String name, String content) throws IOException {
        return Files.writeString(Files.createDirectories(work.resolve("python")).resolve(name), content);
    }

    private static String python(String mode, String topic, String... extra) throws Exception {
        Path script = work.resolve("python").resolve("outside_client.py");
        if (!Files.exists(script)) {
            try (InputStream in = OutsideClientsIT.class.getResourceAsStream("/reliability/outside_client.py")) {
                assertThat(in).as("test resource outside_client.py").isNotNull();
                Files.createDirectories(script.getParent());
                Files.write(script, in.readAllBytes());
            }
        }
        List<String> command = new ArrayList<>(List.of(PYTHON, script.toString(), mode,
                "--bootstrap", cluster.bootstrapServers(), "--registry", cluster.registryUrl(), "--topic", topic));
        command.addAll(List.of(extra));
        return run(command, Duration.ofSeconds(120));
    }

    private static List<String> kcat(String topic, String format) throws Exception {
        String out = run(List.of(KCAT, "-C", "-b", cluster.bootstrapServers(), "-t", topic, "-e", "-q",
                "-o", "beginning", "-X", "isolation.level=read_committed", "-f", format), Duration.ofSeconds(60));
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    private static List<JsonNode> jsonLines(String text) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : text.lines().filter(l -> !l.isBlank()).toList()) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }

    /** Runs a command, returns its stdout; fails with its stderr when it exits non-zero or hangs. */
    private static String run(List<String> command, Duration timeout) throws Exception {
        Path err = Files.createTempFile(work, "stderr", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile());
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes(); // ends when the process closes stdout
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            fail(command.get(0) + " did not finish within " + timeout);
        }
        String stdout = new String(out, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("%s exit code; stderr:%n%s%nstdout:%n%s", command, Files.readString(err), stdout)
                .isZero();
        return stdout;
    }

    /** The outside clients are test prerequisites: missing ones fail the test (CI installs them), never skip it. */
    private static void requireTools() throws Exception {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            fail(PYTHON + " is missing: " + APT);
        }
        Process check = new ProcessBuilder(PYTHON, "-c",
                "import confluent_kafka, avro; from confluent_kafka.avro.serializer.message_serializer import MessageSerializer")
                .redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!check.waitFor(60, TimeUnit.SECONDS) || check.exitValue() != 0) {
            fail("Confluent's Python client is not importable by " + PYTHON + " (" + output.strip() + "): " + APT);
        }
        if (!Files.isExecutable(Path.of(KCAT))) {
            fail(KCAT + " is missing: " + APT);
        }
    }
}
