package dev.lethe.sinks.core;

import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.deadletter.DeadLetterBuilder;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.topics.Topic;
import dev.lethe.schemas.topics.Topics;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The Kafka side of a {@link SinkRunner}, built from a cluster: its consumer, decoders and dead-letter producer. */
final class SinkClients {

    private SinkClients() {
    }

    /** A runner of {@code sink} wired to {@code cluster} (not started). */
    static SinkRunner runner(ClusterConfig cluster, SinkRunnerConfig config, MetricSink sink) {
        Topics topics = cluster.topics();
        PipelineStats stats = new PipelineStats();
        Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(cluster, config),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        RecordHandler.Decoders decoders = new RecordHandler.Decoders(
                AvroSerdes.forTopic(topics.forgetting(), cluster).deserializer(),
                AvroSerdes.forTopic(topics.alerts(), cluster).deserializer());
        Topic<DeadLetter> anyDlq = topics.dlq(topics.forgetting());
        Map<String, Object> producerProperties = producerProperties(cluster, config);
        KafkaProducer<String, DeadLetter> producer = new KafkaProducer<>(producerProperties,
                new StringSerializer(), AvroSerdes.forTopic(anyDlq, cluster).serializer());
        DeadLetterPublisher publisher = new KafkaDeadLetterPublisher(producer, topics, stats, "sink-" + sink.name(),
                DeadLetterBuilder.forProducer(producerProperties));
        return new SinkRunner(consumer, decoders.metrics(), decoders.alerts(), publisher, stats, topics, config, sink);
    }

    static Map<String, Object> consumerProperties(ClusterConfig cluster, SinkRunnerConfig config) {
        Map<String, Object> props = new HashMap<>(cluster.clientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.groupId() + "-consumer");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return props;
    }

    static Map<String, Object> producerProperties(ClusterConfig cluster, SinkRunnerConfig config) {
        Map<String, Object> props = new HashMap<>(cluster.clientProperties());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, config.groupId() + "-dlq");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return props;
    }
}
