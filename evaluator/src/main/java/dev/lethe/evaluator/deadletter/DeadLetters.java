package dev.lethe.evaluator.deadletter;

import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Builds the {@link DeadLetter} for a record the planner or a worker refuses, with its source coordinates. */
public final class DeadLetters {

    /**
     * Largest key or value copied into a dead letter. A hostile record at the broker's size limit would make its
     * dead letter (the copy plus coordinates and message) too large to write; the transaction would abort and the
     * record be retried forever, stalling its partition. Larger bytes stay only on the source topic.
     */
    public static final int MAX_COPIED_BYTES = 512 * 1024;

    private DeadLetters() {
    }

    public static DeadLetter of(ConsumerRecord<byte[], byte[]> source, DeadLetterReason reason, String message,
                                Throwable cause, String component) {
        return DeadLetter.newBuilder()
                .setSourceTopic(source.topic())
                .setPartition(source.partition())
                .setOffset(source.offset())
                .setKey(copied(source.key()))
                .setValue(copied(source.value()))
                .setReason(reason)
                .setExceptionClass(cause == null ? null : cause.getClass().getName())
                .setMessage((message == null ? String.valueOf(cause) : message) + omitted("key", source.key())
                        + omitted("value", source.value()))
                .setComponent(component)
                .setTimestamp(Instant.now())
                .build();
    }

    private static ByteBuffer copied(byte[] bytes) {
        return bytes == null || bytes.length > MAX_COPIED_BYTES ? null : ByteBuffer.wrap(bytes);
    }

    private static String omitted(String what, byte[] bytes) {
        return bytes == null || bytes.length <= MAX_COPIED_BYTES ? ""
                : " (" + what + " of " + bytes.length + " bytes not copied: over " + MAX_COPIED_BYTES + "; read it at the source offset)";
    }
}
