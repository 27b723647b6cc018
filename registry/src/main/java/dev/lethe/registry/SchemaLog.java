package dev.lethe.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.schemas.registry.CompatibilityLevel;
import dev.lethe.schemas.registry.RegisteredSchema;
import dev.lethe.schemas.registry.RegistryStore;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded registry's durable log: the compacted single-partition {@code _schemas} topic, in Confluent's
 * record layout (JSON key {@code {"keytype":"SCHEMA","subject","version","magic":1}} or
 * {@code {"keytype":"CONFIG","subject","magic":0}}, JSON value), written by a transactional acks=all producer
 * and replayed (read_committed) into a {@link RegistryStore} on start.
 *
 * <p>One writer per log: the producer's {@code transactional.id} is derived from the topic, so
 * {@link #claimWriter()} by a newer registry instance fences the older one, whose next write fails with
 * {@link NotTheWriterException}. The newer instance claims before it replays, so it sees every id the older one
 * committed, and ids never collide.
 */
final class SchemaLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;
    private final Map<String, Object> clientProperties;
    private final Duration timeout;
    private final KafkaProducer<String, String> producer;
    /** Why a newer instance fenced this one (guarded by this): every later write is refused the same way. */
    private Throwable fenced;

    SchemaLog(String topic, Map<String, Object> clientProperties, Duration timeout) {
        this.topic = topic;
        this.clientProperties = Map.copyOf(clientProperties);
        this.timeout = timeout;
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout.toMillis(), 1000));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "lethe-schema-registry-writer");
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "lethe-schema-registry:" + topic);
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Math.max(timeout.toMillis(), 10_000));
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** Creates the topic when missing: compacted, one partition, the cluster's default replication factor. */
    void ensureTopic() throws ExecutionException, InterruptedException, TimeoutException {
        try (Admin admin = Admin.create(clientProperties)) {
            Set<String> names = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (names.contains(topic)) {
                return;
            }
            NewTopic newTopic = new NewTopic(topic, Optional.of(1), Optional.empty())
                    .configs(Map.of("cleanup.policy", "compact"));
            try {
                admin.createTopics(List.of(newTopic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("Created schema registry topic {}", topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
    }

    /**
     * Makes this instance the log's only writer: fences any older registry instance on the same topic (its open
     * write is aborted, its next one refused). Call before {@link #replay}, which then sees all it committed.
     */
    void claimWriter() {
        producer.initTransactions();
    }

    /**
     * Proves this instance is still the writer with an empty transactional write (a tombstone for a NOOP key, which
     * replay ignores and compaction removes); throws {@link NotTheWriterException} when a newer instance took over.
     */
    void confirmWriter() {
        append(JSON.createObjectNode().put("keytype", "NOOP").put("magic", 0), null);
    }

    /** Reads the topic from the beginning to its current end, applying every record to {@code store}. */
    int replay(RegistryStore store) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // an older instance's write that was aborted when this one claimed the log never happened
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "lethe-schema-registry-reader");
        TopicPartition partition = new TopicPartition(topic, 0);
        int applied = 0;
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (consumer.position(partition, timeout) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("schema registry could not replay " + topic + " to offset " + end
                            + " within " + timeout);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (apply(record.key(), record.value(), store)) {
                        applied++;
                    }
                }
            }
        }
        return applied;
    }

    void appendSchema(RegisteredSchema schema) {
        append(schemaKey(schema), schemaValue(schema, false));
    }

    /** A soft delete rewrites the version with {@code deleted: true}; a permanent one is a tombstone (Confluent's layout). */
    void appendSchemaDelete(RegisteredSchema schema, boolean permanent) {
        append(schemaKey(schema), permanent ? null : schemaValue(schema, true));
    }

    /**
     * Keeps the highest id handed out in the log: after a permanent delete is compacted away, a replay would
     * otherwise hand that id out again, to another schema, and a consumer's cached id would decode wrongly.
     */
    void appendIdFloor(int maxId) {
        append(JSON.createObjectNode().put("keytype", "ID_FLOOR").put("magic", 0),
                JSON.createObjectNode().put("maxId", maxId));
    }

    void appendConfigDelete(String subject) {
        append(JSON.createObjectNode().put("keytype", "CONFIG").put("subject", subject).put("magic", 0), null);
    }

    private static ObjectNode schemaKey(RegisteredSchema schema) {
        return JSON.createObjectNode().put("keytype", "SCHEMA").put("subject", schema.subject())
                .put("version", schema.version()).put("magic", 1);
    }

    private static ObjectNode schemaValue(RegisteredSchema schema, boolean deleted) {
        return JSON.createObjectNode().put("subject", schema.subject()).put("version", schema.version())
                .put("id", schema.id()).put("schema", schema.schema().toString()).put("deleted", deleted);
    }

    void appendConfig(String subject, CompatibilityLevel level) {
        ObjectNode key = JSON.createObjectNode().put("keytype", "CONFIG").put("subject", subject).put("magic", 0);
        ObjectNode value = JSON.createObjectNode().put("compatibilityLevel", level.name());
        append(key, value);
    }

    private synchronized void append(ObjectNode key, ObjectNode value) {
        if (fenced != null) {
            // the producer stays mid-transaction once fenced: a later write must not begin another (500, not 503)
            throw new NotTheWriterException(topic, fenced);
        }
        try {
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, key.toString(), value == null ? null : value.toString()))
                    .get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            producer.commitTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            fenced = e;
            throw new NotTheWriterException(topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abortQuietly();
            throw new IllegalStateException("interrupted while writing to " + topic, e);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof ProducerFencedException || cause instanceof InvalidProducerEpochException) {
                fenced = cause;
                throw new NotTheWriterException(topic, cause);
            }
            abortQuietly();
            throw new IllegalStateException("could not write to " + topic + ": " + cause, cause);
        }
    }

    private void abortQuietly() {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            LOG.debug("aborting the schema log transaction failed: {}", e.toString());
        }
    }

    /** A newer registry instance claimed the log: this one must neither write nor answer from its stale copy. */
    static final class NotTheWriterException extends RuntimeException {
        NotTheWriterException(String topic, Throwable cause) {
            super("another schema registry instance took over " + topic + "; this one no longer serves", cause);
        }
    }

    private static boolean apply(String keyText, String valueText, RegistryStore store) {
        if (keyText == null) {
            return false;
        }
        try {
            JsonNode key = JSON.readTree(keyText);
            JsonNode value = valueText == null ? null : JSON.readTree(valueText);
            switch (key.path("keytype").asText()) {
                case "SCHEMA" -> {
                    if (value == null) { // a permanent delete
                        store.applyVersionDelete(key.path("subject").asText(), key.path("version").asInt(), true);
                        return true;
                    }
                    store.applySchema(new RegisteredSchema(value.get("subject").asText(), value.get("version").asInt(),
                            value.get("id").asInt(), RegistryStore.parse(value.get("schema").asText(), store.location())));
                    if (value.path("deleted").asBoolean(false)) {
                        store.applyVersionDelete(value.get("subject").asText(), value.get("version").asInt(), false);
                    }
                    return true;
                }
                case "CONFIG" -> {
                    JsonNode subject = key.get("subject");
                    boolean global = subject == null || subject.isNull();
                    if (value == null) {
                        if (!global) {
                            store.applyConfigDelete(subject.asText());
                        }
                        return !global;
                    }
                    CompatibilityLevel level = CompatibilityLevel.parse(value.path("compatibilityLevel").asText(null));
                    if (level == null) {
                        LOG.warn("Skipping config record with unknown level: {}", valueText);
                        return false;
                    }
                    store.applyConfig(global ? null : subject.asText(), level);
                    return true;
                }
                case "ID_FLOOR" -> {
                    store.applyIdFloor(value == null ? 0 : value.path("maxId").asInt());
                    return value != null;
                }
                default -> {
                    return false; // NOOP (a writer's proof of ownership), DELETE_SUBJECT, MODE, ...: nothing to apply
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Skipping unreadable record in the schema log (key {}): {}", keyText, e.toString());
            return false;
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
