package dev.lethe.evaluator.deadletter;

import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.deadletter.DeadLetterBuilder;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The planner's and the workers' dead letters for the records they refuse: a {@link DeadLetter} with the source
 * coordinates, built by the shared {@link DeadLetterBuilder} so that it always fits under the producer's
 * {@code max.request.size}, serialized for the DLQ topic. It is written in the same transaction as the consumed
 * offset, so a failed write aborts the batch, which is processed again: never skipped.
 */
public final class DeadLetters {

    private final DeadLetterBuilder builder;
    private final String dlqTopic;
    private final String component;
    private final Serializer<DeadLetter> serializer;

    public DeadLetters(DeadLetterBuilder builder, String dlqTopic, String component, Serializer<DeadLetter> serializer) {
        this.builder = builder;
        this.dlqTopic = dlqTopic;
        this.component = component;
        this.serializer = serializer;
    }

    /** Dead letters for a producer built from {@code cluster}'s client properties. */
    public static DeadLetters forCluster(ClusterConfig cluster, String dlqTopic, String component, Serializer<DeadLetter> serializer) {
        return new DeadLetters(DeadLetterBuilder.forProducer(cluster.clientProperties()), dlqTopic, component, serializer);
    }

    /** The dead letter of {@code source}. */
    public DeadLetter letter(ConsumerRecord<byte[], byte[]> source, DeadLetterReason reason, String message, Throwable cause) {
        return builder.build(new DeadLetterBuilder.Source(source.topic(), source.partition(), source.offset(), source.key(),
                source.value()), reason, message, cause, component, Instant.now());
    }

    /** The record to produce for {@code source}: its dead letter on the DLQ topic, under a bounded key. */
    public ProducerRecord<byte[], byte[]> record(ConsumerRecord<byte[], byte[]> source, DeadLetterReason reason, String message,
                                                 Throwable cause) {
        return new ProducerRecord<>(dlqTopic, DeadLetterBuilder.recordKey(source.key()),
                serializer.serialize(dlqTopic, letter(source, reason, message, cause)));
    }

    public String topic() {
        return dlqTopic;
    }
}
