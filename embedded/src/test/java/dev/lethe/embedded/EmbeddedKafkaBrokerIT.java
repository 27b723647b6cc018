package dev.lethe.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaBrokerIT {

    @Test
    void shouldKeepRecordsAndAddressWhenRestartedOnTheSameDataDir() throws Exception {
        Path dataDir;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startDefault()) {
            dataDir = broker.dataDir();
            String before = broker.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", before))) {
                admin.createTopics(List.of(new NewTopic("t", 2, (short) 1))).all().get();
            }
            produce(before, "t", "k1", "v1", "k2", "v2");
            assertThat(consumeAll(before, "t", 2)).containsExactlyInAnyOrder("k1=v1", "k2=v2");

            broker.restart();

            assertThat(broker.isRunning()).isTrue();
            assertThat(broker.bootstrapServers()).isEqualTo(before);
            produce(before, "t", "k3", "v3");
            assertThat(consumeAll(before, "t", 3)).containsExactlyInAnyOrder("k1=v1", "k2=v2", "k3=v3");
        }
        assertThat(dataDir).doesNotExist();
    }

    @Test
    void shouldCreateEveryLetheTopicOnceWhenCalledTwice() throws Exception {
        Path dir = Files.createTempDirectory("lethe-kept-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDir(dir).build().start()) {
            ClusterConfig config = ClusterConfig.of(broker.bootstrapServers(), "http://127.0.0.1:1");
            Topics topics = config.topics();

            List<String> first = LetheTopicsAdmin.createAll(config, topics);
            List<String> second = LetheTopicsAdmin.createAll(config, topics);

            assertThat(first).containsExactlyInAnyOrderElementsOf(topics.all().stream().map(t -> t.name()).toList());
            assertThat(second).isEmpty();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                var described = admin.describeTopics(List.of(topics.evalTasks().name(), topics.checkpoints().name()))
                        .allTopicNames().get();
                assertThat(described.get(topics.evalTasks().name()).partitions()).hasSize(6);
                var cleanup = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topics.checkpoints().name())))
                        .all().get().values().iterator().next().get("cleanup.policy").value();
                assertThat(cleanup).isEqualTo("compact,delete");
            }
        } finally {
            // a named data dir is kept on close; the test removes it itself
            assertThat(dir.resolve("kraft-logs/meta.properties")).exists();
            EmbeddedKafkaBroker.deleteRecursively(dir);
        }
    }

    @Test
    void shouldSizeAMissingPlansOrResultsTopicLikeItsTwinCreatedByHand() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startDefault();
                Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            ClusterConfig config = ClusterConfig.of(broker.bootstrapServers(), "http://127.0.0.1:1");
            Topics topics = config.topics();
            int byHand = topics.shardResults().partitions() + 2;
            createByHand(admin, topics.shardResults().name(), byHand);

            List<String> created = LetheTopicsAdmin.createAll(config, topics);

            assertThat(created).contains(topics.checkpointPlans().name()).doesNotContain(topics.shardResults().name());
            var described = admin.describeTopics(List.of(topics.checkpointPlans().name(), topics.evalTasks().name()))
                    .allTopicNames().get();
            assertThat(described.get(topics.checkpointPlans().name()).partitions()).hasSize(byHand);
            assertThat(described.get(topics.evalTasks().name()).partitions()).hasSize(topics.evalTasks().partitions());

            // and the other way round: a plans topic made by hand sizes the missing results topic
            Topics other = config.withTopicPrefix("other.").topics();
            createByHand(admin, other.checkpointPlans().name(), byHand);
            LetheTopicsAdmin.createAll(config.withTopicPrefix("other."), other);
            assertThat(admin.describeTopics(List.of(other.shardResults().name())).allTopicNames().get()
                    .get(other.shardResults().name()).partitions()).hasSize(byHand);
        }
    }

    /** Creates a topic and waits until the broker describes it: the controller accepts it a moment before. */
    private static void createByHand(Admin admin, String topic, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size() == partitions);
    }

    @Test
    void shouldAuthenticateScramUsersOnTheSaslListenerWhenConfigured() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                .listener(BrokerListener.scram("SCRAM-SHA-256", 0))
                .scramUser("SCRAM-SHA-256", "alice", "alice-secret")
                .build().start()) {
            String sasl = broker.bootstrapServers("SASL");
            assertThat(sasl).isNotEqualTo(broker.bootstrapServers());

            try (Admin admin = Admin.create(scram(sasl, "alice-secret"))) {
                assertThat(admin.describeCluster().nodes().get()).hasSize(1);
            }
            try (Admin admin = Admin.create(scram(sasl, "wrong"))) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> admin.describeCluster().nodes().get())
                        .hasCauseInstanceOf(org.apache.kafka.common.errors.SaslAuthenticationException.class);
            }
        }
    }

    private static Map<String, Object> scram(String bootstrap, String password) {
        return Map.of("bootstrap.servers", bootstrap,
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "SCRAM-SHA-256",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\""
                        + password + "\";",
                "default.api.timeout.ms", 10000,
                "request.timeout.ms", 5000);
    }

    private static void produce(String bootstrap, String topic, String... keyValues) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < keyValues.length; i += 2) {
                producer.send(new ProducerRecord<>(topic, keyValues[i], keyValues[i + 1])).get();
            }
        }
    }

    private static List<String> consumeAll(String bootstrap, String topic, int atLeast) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            List<String> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).pollInSameThread().pollInterval(Duration.ofMillis(1)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(r.key() + "=" + r.value());
                }
                return seen.size() >= atLeast;
            });
            return seen;
        }
    }
}
