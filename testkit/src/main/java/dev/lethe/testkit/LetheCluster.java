package dev.lethe.testkit;

import dev.lethe.embedded.EmbeddedKafkaBroker;
import dev.lethe.embedded.LetheTopicsAdmin;
import dev.lethe.registry.EmbeddedSchemaRegistry;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension giving an integration-test class one real embedded KRaft broker and one embedded schema
 * registry, with every Lethe topic ({@code Topics#all()}) created under the default prefix.
 *
 * <pre>{@code
 * @RegisterExtension static final LetheCluster CLUSTER = new LetheCluster();
 * }</pre>
 *
 * <p>Started in {@code beforeAll}, stopped (data deleted) in {@code afterAll}; nested test classes share the
 * outer class's cluster.
 */
public final class LetheCluster implements BeforeAllCallback, AfterAllCallback {

    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private final Consumer<EmbeddedKafkaBroker.Builder> brokerCustomizer;
    private EmbeddedKafkaBroker broker;
    private EmbeddedSchemaRegistry registry;
    private ClusterConfig config;
    private KafkaProducer<String, byte[]> producer;
    private String ownerId;

    public LetheCluster() {
        this(b -> { });
    }

    /** A cluster whose broker is customised first, e.g. {@code b -> b.listener(BrokerListener.scram(...))}. */
    public LetheCluster(Consumer<EmbeddedKafkaBroker.Builder> brokerCustomizer) {
        this.brokerCustomizer = brokerCustomizer;
    }

    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        if (ownerId != null) {
            return; // a @Nested class reuses the enclosing class's cluster
        }
        ownerId = context.getUniqueId();
        start();
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (context.getUniqueId().equals(ownerId)) {
            stop();
            ownerId = null;
        }
    }

    /** Starts the broker and registry and creates the topics; called by JUnit, public for non-JUnit use. */
    public synchronized void start() {
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder();
        brokerCustomizer.accept(builder);
        broker = builder.build().startOrClose();
        try {
            registry = EmbeddedSchemaRegistry.start(EmbeddedSchemaRegistry.Options.of(broker.bootstrapServers()));
            config = ClusterConfig.of(broker.bootstrapServers(), registry.url());
            LetheTopicsAdmin.createAll(config, config.topics());
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    /** Stops everything and deletes the broker's data. */
    public synchronized void stop() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
        if (registry != null) {
            registry.close();
            registry = null;
        }
        if (broker != null) {
            broker.close();
            broker = null;
        }
        config = null;
    }

    /** Connection settings for the parts under test (default prefix, topics created). */
    public ClusterConfig config() {
        return require(config);
    }

    public String bootstrapServers() {
        return config().bootstrapServers();
    }

    public String schemaRegistryUrl() {
        return config().schemaRegistryUrl();
    }

    /** The broker itself, for fault injection ({@code stop()} / {@code start()}). */
    public EmbeddedKafkaBroker broker() {
        return require(broker);
    }

    /** The embedded registry (its {@code _schemas} log lives on the broker). */
    public EmbeddedSchemaRegistry registry() {
        return require(registry);
    }

    /** Stops and starts the broker on the same data directory and address; returns when it answers again. */
    public void restartBroker() {
        broker().restart();
    }

    /**
     * A fresh topic prefix with every Lethe topic created under it, so tests in one class do not see each
     * other's records. Returns {@link #config()} with that prefix.
     */
    public ClusterConfig newTopicPrefix() {
        ClusterConfig fresh = config().withTopicPrefix("lethe-t" + PREFIXES.incrementAndGet() + ".");
        LetheTopicsAdmin.createAll(fresh, fresh.topics());
        return fresh;
    }

    /**
     * Gives an existing topic of this cluster {@code partitions} partitions and returns once the broker serves that
     * many (it learns of them a moment after the controller accepts the change), within 30 s.
     */
    public void increasePartitions(ClusterConfig cluster, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(cluster.clientProperties())) {
            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions))).all().get();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size() != partitions) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker does not serve " + partitions + " partitions of " + topic + " after 30 s");
                }
                Thread.sleep(50);
            }
        }
    }

    /**
     * Reads a topic from the beginning with {@code isolation.level=read_committed} until at least
     * {@code atLeast} records arrived, then drains what is already there. Fails the test when fewer than
     * {@code atLeast} arrive within {@code timeout}.
     */
    public <V extends SpecificRecord> List<ConsumerRecord<String, V>> readAll(Topic<V> topic, int atLeast, Duration timeout) {
        return readAll(topic.name(), atLeast, timeout, TestSerdes.deserializer(topic, config()));
    }

    /** The DeadLetters on {@code source}'s {@code -dlq} twin, read like {@link #readAll(Topic, int, Duration)}. */
    public List<ConsumerRecord<String, DeadLetter>> readDlq(Topic<?> source, int atLeast, Duration timeout) {
        return readAll(config().topics().dlq(source), atLeast, timeout);
    }

    /** Raw values (no Avro decoding), e.g. to check the wire format or read a topic holding garbage. */
    public List<ConsumerRecord<String, byte[]>> readRaw(String topicName, int atLeast, Duration timeout) {
        return readAll(topicName, atLeast, timeout, new ByteArrayDeserializer());
    }

    /** Reads any topic with the given value deserializer (read_committed, from the beginning). */
    public <V> List<ConsumerRecord<String, V>> readAll(String topicName, int atLeast, Duration timeout, Deserializer<V> values) {
        Map<String, Object> props = new HashMap<>(config().clientProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<String, V>> seen = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, new StringDeserializer(), values)) {
            List<TopicPartition> parts = consumer.partitionsFor(topicName, timeout).stream()
                    .map(p -> new TopicPartition(topicName, p.partition())).toList();
            if (parts.isEmpty()) {
                throw new AssertionError("topic " + topicName + " does not exist on " + bootstrapServers());
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = null;
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
                if (seen.size() >= atLeast) {
                    if (end == null) {
                        end = consumer.endOffsets(parts); // the last stable offsets under read_committed
                    }
                    if (drained(consumer, end)) {
                        return seen;
                    }
                }
            }
        }
        if (seen.size() >= atLeast) {
            return seen;
        }
        throw new AssertionError("expected at least " + atLeast + " records on " + topicName + " within " + timeout
                + ", got " + seen.size() + ": " + seen.stream().map(r -> r.key() + "@" + r.partition() + "/" + r.offset()).toList());
    }

    private static boolean drained(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Sends one record with Lethe's Avro serializer (schema registered under TopicNameStrategy); waits for the ack. */
    public <V extends SpecificRecord> RecordMetadata send(Topic<V> topic, String key, V value) {
        Serializer<V> serializer = TestSerdes.serializer(topic, config());
        return sendBytes(topic.name(), key, value == null ? null : serializer.serialize(topic.name(), value));
    }

    /** Sends raw value bytes (e.g. undecodable input for dead-letter tests); waits for the ack. */
    public RecordMetadata sendBytes(String topicName, String key, byte[] value) {
        try {
            return producer().send(new ProducerRecord<>(topicName, key, value)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending to " + topicName, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("sending to " + topicName + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Producer properties for this cluster (idempotent, acks=all) to build clients under test. */
    public Map<String, Object> producerProperties() {
        Map<String, Object> props = new HashMap<>(config().clientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return props;
    }

    /** Consumer properties for this cluster (read_committed, earliest, no auto commit) in the given group. */
    public Map<String, Object> consumerProperties(String groupId) {
        Map<String, Object> props = new HashMap<>(config().clientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return props;
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(producerProperties(), new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    private static <T> T require(T value) {
        if (value == null) {
            throw new IllegalStateException("LetheCluster is not started: register it with "
                    + "@RegisterExtension static final LetheCluster CLUSTER = new LetheCluster();");
        }
        return value;
    }
}
