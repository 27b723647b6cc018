package dev.lethe.cli.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lethe.embedded.LetheTopicsAdmin;
import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.planner.Planner;
import dev.lethe.evaluator.planner.ShardPlanner;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.producer.CheckpointEvents;
import dev.lethe.producer.CheckpointPublisher;
import dev.lethe.producer.PublishReceipt;
import dev.lethe.registry.EmbeddedSchemaRegistry;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.topics.Topic;
import dev.lethe.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The piece of the pipeline the Docker tests run against a container cluster, kept apart so that an embedded
 * broker can run the very same steps where Docker is missing: Lethe's topics, the embedded schema registry on the
 * cluster, a {@link CheckpointReady} published on {@code lethe.checkpoints} and read back, and the planner turning
 * it into {@link EvalTask}s on {@code lethe.eval-tasks} in a Kafka transaction.
 */
final class PipelineSlice {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private PipelineSlice() {
    }

    /**
     * Runs every step against the cluster at {@code bootstrapServers}, asserting as it goes; every Lethe topic
     * must end up with {@code replicationFactor} replicas per partition (the cluster's default).
     */
    static void runAgainst(String bootstrapServers, String topicPrefix, int replicationFactor) throws Exception {
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(EmbeddedSchemaRegistry.Options.of(bootstrapServers))) {
            ClusterConfig config = ClusterConfig.of(bootstrapServers, registry.url()).withTopicPrefix(topicPrefix).validated();
            Topics topics = config.topics();

            LetheTopicsAdmin.createAll(config, topics);
            assertLayout(config, topics, replicationFactor);

            CheckpointReady event = stageZeroEvent();
            PublishReceipt receipt;
            try (CheckpointPublisher publisher = new CheckpointPublisher(config)) {
                receipt = publisher.publish(event);
            }
            assertThat(receipt.topic()).isEqualTo(topics.checkpoints().name());
            assertThat(receipt.key()).isEqualTo("container-it/mlp-64");

            List<ConsumerRecord<String, CheckpointReady>> read = readAll(config, topics.checkpoints(), 1);
            assertThat(read).hasSize(1);
            assertThat(read.get(0).key()).isEqualTo(receipt.key());
            assertThat(read.get(0).offset()).isEqualTo(receipt.offset());
            assertThat(read.get(0).value()).isEqualTo(CheckpointEvents.validated(event));

            int expectedTasks = new ShardPlanner(new SuiteCatalog(null)).plan(read.get(0).value()).tasks().size();
            assertThat(expectedTasks).isPositive();
            Planner planner = new Planner(EvaluatorConfig.defaults(config));
            planner.start();
            List<ConsumerRecord<String, EvalTask>> tasks;
            try {
                tasks = readAll(config, topics.evalTasks(), expectedTasks);
            } finally {
                planner.close();
            }
            assertThat(planner.failure()).isNull();
            assertThat(tasks).hasSize(expectedTasks);
            assertThat(tasks).allSatisfy(t -> {
                assertThat(t.value().getCheckpointId()).isEqualTo("container-it/mlp-64/0");
                assertThat(t.key()).isEqualTo(t.value().getTaskId());
            });
            assertThat(tasks.stream().map(ConsumerRecord::key).distinct().count()).isEqualTo(expectedTasks);
        }
    }

    private static void assertLayout(ClusterConfig config, Topics topics, int replicationFactor) throws Exception {
        try (Admin admin = Admin.create(config.clientProperties())) {
            Set<String> names = topics.all().stream().map(Topic::name).collect(Collectors.toSet());
            Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
            for (Topic<?> topic : topics.all()) {
                assertThat(described.get(topic.name()).partitions()).as(topic.name()).hasSize(topic.partitions())
                        .allSatisfy(p -> assertThat(p.replicas()).as(topic.name() + " replicas").hasSize(replicationFactor));
            }
        }
    }

    /**
     * After {@link #runAgainst}: a fresh registry replays {@code _schemas}, a later stage of the same model run is
     * published, and both stages read back in order (one partition per model run).
     */
    static void publishAndReadAnotherStage(String bootstrapServers, String topicPrefix) throws Exception {
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(EmbeddedSchemaRegistry.Options.of(bootstrapServers))) {
            ClusterConfig config = ClusterConfig.of(bootstrapServers, registry.url()).withTopicPrefix(topicPrefix).validated();
            CheckpointReady stageOne = CheckpointReady.newBuilder(stageZeroEvent())
                    .setCheckpointId("container-it/mlp-64/1").setStage(1).setTask("perm-1")
                    .setCheckpointUri("file:/checkpoints/container-it/mlp-64/stage-1.zip").build();
            try (CheckpointPublisher publisher = new CheckpointPublisher(config)) {
                publisher.publish(stageOne);
            }
            List<ConsumerRecord<String, CheckpointReady>> read = readAll(config, config.topics().checkpoints(), 2);
            assertThat(read).extracting(r -> r.value().getCheckpointId())
                    .containsExactly("container-it/mlp-64/0", "container-it/mlp-64/1");
        }
    }

    private static CheckpointReady stageZeroEvent() {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("dataset", "digits");
        attributes.put("protocol", "permuted");
        attributes.put("seed", "7");
        attributes.put("stages", "2");
        return CheckpointReady.newBuilder()
                .setCheckpointId("container-it/mlp-64/0")
                .setCampaign("container-it")
                .setFamily("mlp")
                .setModel("mlp-64")
                .setStage(0)
                .setTask(null)
                .setCheckpointUri("file:/checkpoints/container-it/mlp-64/stage-0.zip")
                .setCheckpointSha256("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
                .setFormat(CheckpointFormat.DL4J_MULTILAYER)
                .setSuite(SuiteCatalog.DIGITS_CL)
                .setTrainingStep(0)
                .setCreatedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setAttributes(attributes)
                .build();
    }

    /** Reads a topic from the beginning with read_committed until {@code atLeast} records are in or the timeout. */
    private static <V extends org.apache.avro.specific.SpecificRecord> List<ConsumerRecord<String, V>> readAll(
            ClusterConfig config, Topic<V> topic, int atLeast) {
        Map<String, Object> props = new HashMap<>(config.clientProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                AvroSerdes.forTopic(topic, config).deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(1)).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= atLeast;
            });
            // one more short poll: more records than expected must show up as a failure, not be left unread
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }
}
