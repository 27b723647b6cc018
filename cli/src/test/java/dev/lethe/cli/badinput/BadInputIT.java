package dev.lethe.cli.badinput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.aggregator.app.AggregatorApp;
import dev.lethe.aggregator.app.AggregatorConfig;
import dev.lethe.cli.CliRun;
import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.planner.Planner;
import dev.lethe.evaluator.planner.ShardPlanner;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.testkit.LetheCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input catalogue of docs/RELIABILITY.md that the module tests do not already cover, on a real broker:
 * what a careless or hostile producer sends to {@code lethe.checkpoints} and {@code lethe.shard-results}, and that
 * the good records sent after it are still planned / scored.
 */
class BadInputIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    @TempDir
    Path stateDir;

    @Test
    void shouldDeadLetterHostileCheckpointEventsAndKeepPlanningTheGoodOnes() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Topics topics = cluster.topics();
        String checkpoints = topics.checkpoints().name();
        Serializer<CheckpointReady> serializer = AvroSerdes.forTopic(topics.checkpoints(), cluster).serializer();
        String key = "hostile/all"; // one key: one partition, so the good events really come after the bad ones

        CheckpointReady newer = HostileInputs.checkpoint("hostile", "newer");
        Map<String, String> hugeAttributes = HostileInputs.attributes();
        hugeAttributes.put("blob", "x".repeat(300_000)); // big but far below max.request.size: accepted
        CheckpointReady huge = CheckpointReady.newBuilder(HostileInputs.checkpoint("hostile", "huge"))
                .setAttributes(hugeAttributes).build();
        CheckpointReady nullKey = HostileInputs.checkpoint("hostile", "nullkey");
        CheckpointReady wrongKey = HostileInputs.checkpoint("hostile", "wrongkey");
        CheckpointReady tail = HostileInputs.checkpoint("hostile", "tail");

        try (Planner planner = new Planner(EvaluatorConfig.defaults(cluster))) {
            planner.start();
            // strings where numbers belong: lethe publish takes them (attributes are strings), the planner refuses
            CliRun seed = publish(cluster, "seedtext", "--attr", "seed=abc");
            CliRun stages = publish(cluster, "stagestext", "--attr", "stages=three");
            assertThat(seed.exit()).as(seed.err()).isZero();
            assertThat(stages.exit()).as(stages.err()).isZero();

            CLUSTER.sendBytes(checkpoints, key, "{\"checkpointId\": \"json, not avro\"}".getBytes(StandardCharsets.UTF_8));
            CLUSTER.sendBytes(checkpoints, key, new byte[] {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 4}); // unknown schema id
            CLUSTER.sendBytes(checkpoints, key, null); // tombstone
            ShardResult foreign = HostileInputs.shard("hostile/foreign/0", "b1", 0, true);
            CLUSTER.sendBytes(checkpoints, key, AvroSerdes.forTopic(topics.shardResults(), cluster).serializer()
                    .serialize(topics.shardResults().name(), foreign)); // a registered schema, but not a CheckpointReady
            // a producer cannot register a schema its readers could not read: the registry answers 409
            assertThatThrownBy(() -> AvroSerdes.client(cluster).register(checkpoints + "-value", HostileInputs.incompatible()))
                    .hasMessageContaining("409");
            CLUSTER.sendBytes(checkpoints, key, HostileInputs.withNewerSchema(newer, "from the future",
                    AvroSerdes.client(cluster), checkpoints));
            CLUSTER.sendBytes(checkpoints, key, serializer.serialize(checkpoints, huge));
            // checkpoints is compacted: the broker itself refuses a record without a key
            assertThatThrownBy(() -> CLUSTER.sendBytes(checkpoints, null, serializer.serialize(checkpoints, nullKey)))
                    .hasMessageContaining("Compacted topic cannot accept message without key");
            CLUSTER.sendBytes(checkpoints, key, serializer.serialize(checkpoints, wrongKey)); // key is not campaign/model
            CLUSTER.sendBytes(checkpoints, key, serializer.serialize(checkpoints, tail));

            List<ConsumerRecord<String, DeadLetter>> dead = CLUSTER.readDlq(topics.checkpoints(), 6, TIMEOUT);
            assertThat(dead).extracting(r -> r.value().getReason()).containsExactlyInAnyOrder(
                    DeadLetterReason.VALIDATION, DeadLetterReason.VALIDATION, DeadLetterReason.DESERIALIZATION,
                    DeadLetterReason.DESERIALIZATION, DeadLetterReason.DESERIALIZATION, DeadLetterReason.DESERIALIZATION);
            Map<DeadLetterReason, List<String>> messages = dead.stream().collect(Collectors.groupingBy(
                    r -> r.value().getReason(), Collectors.mapping(r -> r.value().getMessage(), Collectors.toList())));
            assertThat(messages.get(DeadLetterReason.VALIDATION)).anySatisfy(m -> assertThat(m).contains("seed must be an integer", "'abc'"))
                    .anySatisfy(m -> assertThat(m).contains("stages must be an integer", "'three'"));
            assertThat(messages.get(DeadLetterReason.DESERIALIZATION)).anySatisfy(m -> assertThat(m).contains("magic byte"))
                    .anySatisfy(m -> assertThat(m).contains(Integer.toString(0x7f7f7f7f)))
                    .anySatisfy(m -> assertThat(m).contains("tombstone"))
                    .anySatisfy(m -> assertThat(m).contains("ShardResult"));
            assertThat(dead).allSatisfy(r -> {
                assertThat(r.value().getSourceTopic()).isEqualTo(checkpoints);
                assertThat(r.value().getOffset()).isNotNegative();
            });

            ShardPlanner shardPlanner = new ShardPlanner(new SuiteCatalog(null));
            int perCheckpoint = shardPlanner.plan(tail).tasks().size();
            List<ConsumerRecord<String, EvalTask>> tasks = CLUSTER.readAll(topics.evalTasks(), 4 * perCheckpoint, TIMEOUT);
            Map<String, Long> byCheckpoint = tasks.stream().collect(Collectors.groupingBy(
                    r -> r.value().getCheckpointId(), Collectors.counting()));
            assertThat(byCheckpoint).containsOnly(
                    Map.entry("hostile/newer/0", (long) perCheckpoint), Map.entry("hostile/huge/0", (long) perCheckpoint),
                    Map.entry("hostile/wrongkey/0", (long) perCheckpoint), Map.entry("hostile/tail/0", (long) perCheckpoint));
            assertThat(tasks).filteredOn(r -> r.value().getCheckpointId().equals("hostile/huge/0"))
                    .allSatisfy(r -> assertThat(r.value().getAttributes().get("blob")).hasSize(300_000));
            assertThat(planner.failure()).isNull();
        }
    }

    @Test
    void shouldDeadLetterARecordAtTheSizeLimitWithoutStallingItsPartition() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Topics topics = cluster.topics();
        String checkpoints = topics.checkpoints().name();
        Serializer<CheckpointReady> serializer = AvroSerdes.forTopic(topics.checkpoints(), cluster).serializer();
        // the largest value the broker takes: its dead letter (value + coordinates + message) is larger still
        byte[] atLimit = nearLimit(HostileInputs.checkpoint("hostile", "atlimit"), "no-such-suite", serializer, checkpoints);
        // a valid event at the limit: every planned task would carry its attributes and be over the limit too
        byte[] plannable = nearLimit(HostileInputs.checkpoint("hostile", "plannable"), "digits-cl", serializer, checkpoints);
        CheckpointReady after = HostileInputs.checkpoint("hostile", "after");

        try (Planner planner = new Planner(EvaluatorConfig.defaults(cluster))) {
            planner.start();
            CLUSTER.sendBytes(checkpoints, "hostile/x", atLimit);
            CLUSTER.sendBytes(checkpoints, "hostile/x", plannable);
            CLUSTER.sendBytes(checkpoints, "hostile/x", serializer.serialize(checkpoints, after));

            int perCheckpoint = new ShardPlanner(new SuiteCatalog(null)).plan(after).tasks().size();
            List<ConsumerRecord<String, EvalTask>> tasks = CLUSTER.readAll(topics.evalTasks(), perCheckpoint, TIMEOUT);
            assertThat(tasks).extracting(r -> r.value().getCheckpointId()).containsOnly("hostile/after/0");
            List<ConsumerRecord<String, DeadLetter>> dead = CLUSTER.readDlq(topics.checkpoints(), 2, TIMEOUT);
            assertThat(dead).hasSize(2);
            assertThat(dead.get(0).value().getReason()).isEqualTo(DeadLetterReason.UNKNOWN_SUITE);
            assertThat(dead.get(0).value().getOffset()).isZero();
            assertThat(dead.get(0).value().getValue()).isNull(); // too big to copy; it stays at offset 0
            assertThat(dead.get(0).value().getMessage()).contains("value of " + atLimit.length + " bytes not copied");
            assertThat(dead.get(1).value().getReason()).isEqualTo(DeadLetterReason.VALIDATION);
            assertThat(dead.get(1).value().getOffset()).isEqualTo(1);
            assertThat(dead.get(1).value().getMessage()).contains("planned EvalTask", "over the", "attributes are too large");
            assertThat(planner.failure()).isNull();
        }
    }

    /** Serialized {@code event} (with {@code suite}) padded by an attribute to just under the broker's record limit. */
    private static byte[] nearLimit(CheckpointReady event, String suite, Serializer<CheckpointReady> serializer, String topic) {
        int target = 1_048_588 - 200; // message.max.bytes minus batch and record overhead
        int pad = target - 1000;
        for (int round = 0; round < 3; round++) {
            Map<String, String> attributes = HostileInputs.attributes();
            attributes.put("pad", "p".repeat(pad));
            byte[] bytes = serializer.serialize(topic, CheckpointReady.newBuilder(event).setSuite(suite).setAttributes(attributes).build());
            if (bytes.length == target) {
                return bytes;
            }
            pad += target - bytes.length;
        }
        throw new AssertionError("could not size the record");
    }

    @Test
    void shouldRefuseOversizedRecordsAtTheClientOrTheBrokerWithAClearError() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();

        CliRun r = publish(cluster, "toobig", "--attr", "blob=" + "y".repeat(1_200_000));

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("lethe publish:").contains("max.request.size");
        assertThat(r.out()).doesNotContain("offset=");

        // a producer that raised its own max.request.size still meets the broker's message.max.bytes
        Map<String, Object> props = new HashMap<>(CLUSTER.producerProperties());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(cluster.topics().checkpoints().name(), "big/one",
                    new byte[2 * 1024 * 1024])).get())
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(RecordTooLargeException.class);
        }
    }

    @Test
    void shouldDeadLetterHostileShardResultsAndStillCompleteTheElement() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Topics topics = cluster.topics();
        String shards = topics.shardResults().name();
        Serializer<ShardResult> serializer = AvroSerdes.forTopic(topics.shardResults(), cluster).serializer();
        String id = "hostile/agg/0";
        String elementKey = id + "/b1"; // benchmark scores are keyed by checkpointId/benchmark
        ShardResult first = HostileInputs.shard(id, "b1", 0, true, true, false, true);
        ShardResult second = HostileInputs.shard(id, "b1", 1, false, true, true, true);
        String runKey = first.getCampaign() + "/" + first.getModel(); // shard results are keyed by model run
        ShardResult nanLikelihood = ShardResult.newBuilder(first).setLogLikelihoodSum(Double.NaN).build();
        ShardResult negative = ShardResult.newBuilder(HostileInputs.shard("hostile/neg/0", "b1", 0, true)).setStage(-1).build();

        try (AggregatorApp app = AggregatorApp.start(AggregatorConfig.defaults(cluster).withStateDir(stateDir).withHttp("127.0.0.1", -1))) {
            assertThat(app.awaitRunning(TIMEOUT)).isTrue();
            CLUSTER.sendBytes(shards, runKey, new byte[] {0, 0, 0, 0, 0x7f, 1, 2}); // poison
            CLUSTER.sendBytes(shards, "someone/else/0/b1", serializer.serialize(shards, negative)); // re-keyed, then refused
            CLUSTER.sendBytes(shards, elementKey, serializer.serialize(shards, first)); // the old key: re-keyed, counted
            CLUSTER.sendBytes(shards, runKey, serializer.serialize(shards, nanLikelihood)); // NaN in an unused double: accepted
            CLUSTER.sendBytes(shards, null, serializer.serialize(shards, second)); // no key at all: re-keyed, counted

            List<ConsumerRecord<String, BenchmarkScore>> scores = CLUSTER.readAll(topics.benchmarkScores(), 1, TIMEOUT);
            assertThat(scores).singleElement().satisfies(s -> {
                assertThat(s.key()).isEqualTo(elementKey);
                assertThat(s.value().getN()).isEqualTo(8);
                assertThat(s.value().getCorrect()).isEqualTo(6);
                assertThat(s.value().getAccuracyPct()).isEqualTo(75.0);
                assertThat(s.value().getShardsSeen()).isEqualTo(2);
            });
            List<ConsumerRecord<String, DeadLetter>> dead = CLUSTER.readDlq(topics.shardResults(), 2, TIMEOUT);
            assertThat(dead).extracting(r -> r.value().getReason()).containsExactlyInAnyOrder(DeadLetterReason.DESERIALIZATION,
                    DeadLetterReason.VALIDATION);
            assertThat(dead).filteredOn(r -> r.value().getReason() == DeadLetterReason.VALIDATION).singleElement().satisfies(r -> {
                assertThat(r.value().getMessage()).contains("negative stage -1");
                // the dead letter names what its producer wrote, not the aggregator's internal re-keying topic
                assertThat(r.key()).isEqualTo("someone/else/0/b1");
                assertThat(r.value().getSourceTopic()).isEqualTo(shards);
            });
            assertThat(dead).allSatisfy(r -> assertThat(r.value().getComponent()).isEqualTo("aggregator"));
            assertThat(app.failedDeadLetterWrites()).isZero();
        }
    }

    private static CliRun publish(ClusterConfig cluster, String model, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("publish",
                "--bootstrap-servers", cluster.bootstrapServers(), "--schema-registry", cluster.schemaRegistryUrl(),
                "--topic-prefix", cluster.topicPrefix(), "--timeout", "20",
                "--campaign", "hostile", "--family", "mlp", "--model", model, "--stage", "0",
                "--uri", "file:/tmp/lethe-badinput/" + model + ".zip", "--sha256", HostileInputs.SHA,
                "--format", "DL4J_MULTILAYER", "--suite", "digits-cl",
                "--attr", "dataset=digits", "--attr", "protocol=permuted"));
        Map<String, String> defaults = Map.of("seed", "5", "stages", "2");
        defaults.forEach((k, v) -> {
            boolean overridden = false;
            for (String e : extra) {
                overridden |= e.startsWith(k + "=");
            }
            if (!overridden) {
                args.add("--attr");
                args.add(k + "=" + v);
            }
        });
        args.addAll(List.of(extra));
        return CliRun.of(args);
    }
}
