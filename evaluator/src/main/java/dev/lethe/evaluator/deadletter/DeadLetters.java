package dev.lethe.evaluator.deadletter;

import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Builds the {@link DeadLetter} for a record the planner or a worker refuses, with its source coordinates. */
public final class DeadLetters {

    private DeadLetters() {
    }

    public static DeadLetter of(ConsumerRecord<byte[], byte[]> source, DeadLetterReason reason, String message,
                                Throwable cause, String component) {
        return DeadLetter.newBuilder()
                .setSourceTopic(source.topic())
                .setPartition(source.partition())
                .setOffset(source.offset())
                .setKey(source.key() == null ? null : ByteBuffer.wrap(source.key()))
                .setValue(source.value() == null ? null : ByteBuffer.wrap(source.value()))
                .setReason(reason)
                .setExceptionClass(cause == null ? null : cause.getClass().getName())
                .setMessage(message == null ? String.valueOf(cause) : message)
                .setComponent(component)
                .setTimestamp(Instant.now())
                .build();
    }
}
