package dev.lethe.producer;

import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.topics.Topic;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The library any trainer uses to announce a checkpoint: validates a {@link CheckpointReady} and publishes it
 * on {@code lethe.checkpoints} with key {@code campaign/model} through an idempotent producer
 * ({@code enable.idempotence=true}, {@code acks=all}), waiting for the broker's acknowledgement.
 */
public final class CheckpointPublisher implements AutoCloseable {

    /** How long {@link #publish} waits for the broker by default. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final Producer<String, CheckpointReady> producer;
    private final Topic<CheckpointReady> topic;
    private final Duration timeout;

    /** A publisher on the cluster's {@code checkpoints} topic with the default timeout. */
    public CheckpointPublisher(ClusterConfig config) {
        this(config, DEFAULT_TIMEOUT);
    }

    public CheckpointPublisher(ClusterConfig config, Duration timeout) {
        this(new KafkaProducer<>(producerProperties(config, timeout), new StringSerializer(),
                AvroSerdes.forTopic(config.topics().checkpoints(), config).serializer()),
                config.topics().checkpoints(), timeout);
    }

    /** A publisher on any producer (e.g. a {@code MockProducer} in unit tests). */
    public CheckpointPublisher(Producer<String, CheckpointReady> producer, Topic<CheckpointReady> topic, Duration timeout) {
        this.producer = producer;
        this.topic = topic;
        this.timeout = timeout;
    }

    /**
     * Producer settings: the cluster's client properties plus idempotence, acks=all and bounded blocking (also the base
     * of {@code lethe ingest lm-eval}'s transactional producer).
     */
    public static Map<String, Object> producerProperties(ClusterConfig config, Duration timeout) {
        long ms = Math.max(2000, timeout.toMillis());
        Map<String, Object> props = new HashMap<>(config.clientProperties());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "lethe-checkpoint-publisher");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, ms);
        // delivery.timeout.ms must cover linger.ms + request.timeout.ms
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, ms - 1000));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, ms));
        return props;
    }

    /**
     * Validates (see {@link CheckpointEvents#validated}) and publishes the event, returning where it landed.
     *
     * @throws InvalidCheckpointEventException when a field is invalid (nothing is sent)
     * @throws IllegalStateException           when the broker does not acknowledge in time
     */
    public PublishReceipt publish(CheckpointReady event) {
        CheckpointReady valid = CheckpointEvents.validated(event);
        String key = CheckpointEvents.key(valid);
        try {
            RecordMetadata md = producer.send(new ProducerRecord<>(topic.name(), key, valid))
                    .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            return new PublishReceipt(md.topic(), md.partition(), md.offset(), key, valid.getCheckpointId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted publishing " + valid.getCheckpointId(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("publishing " + valid.getCheckpointId() + " to " + topic.name()
                    + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (org.apache.kafka.common.KafkaException e) {
            // thrown by send() itself, e.g. the serializer cannot reach the schema registry
            throw new IllegalStateException("publishing " + valid.getCheckpointId() + " to " + topic.name()
                    + " failed: " + e.getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("publishing " + valid.getCheckpointId() + " to " + topic.name()
                    + " timed out after " + timeout, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
