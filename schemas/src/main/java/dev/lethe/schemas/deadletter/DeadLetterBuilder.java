package dev.lethe.schemas.deadletter;

import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

/**
 * Builds every component's {@link DeadLetter} (planner, workers, aggregator, sinks) so that it always fits under the
 * producer's {@code max.request.size}, whatever the refused record holds. A dead letter too large to write would
 * make its own write fail: in a transaction the batch aborts and is retried forever, stalling the partition (a
 * 512 KiB key, copied once into the dead letter and once as its record key, did exactly that).
 *
 * <p>The rule: the copies of the source key and value share one budget, {@code max.request.size} minus
 * {@link #HEADROOM}; the value is copied first (it is what a person needs to replay the record), then the key if it
 * still fits; each is copied whole or not at all, and the message says what was left on the source topic. The
 * message is cut at {@link #MAX_MESSAGE_CHARS}. The record key a dead letter is written under is the source key when
 * it is at most {@link #MAX_RECORD_KEY_BYTES}, else {@code sha256:<hex>} of it.
 */
public final class DeadLetterBuilder {

    /** Kafka's default producer {@code max.request.size}. */
    public static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;
    /** Room for the coordinates, message, record key and Kafka's record and batch overhead. */
    public static final int HEADROOM = 64 * 1024;
    /** Longest message kept (at most 3 UTF-8 bytes a char: 24 KiB, inside the headroom). */
    public static final int MAX_MESSAGE_CHARS = 8 * 1024;
    /** Longest source key used as the dead letter's own record key. */
    public static final int MAX_RECORD_KEY_BYTES = 1024;

    /** Where the refused record was read and what it held. */
    public record Source(String topic, int partition, long offset, byte[] key, byte[] value) {
    }

    private final int copyBudget;

    /** A builder for a producer whose {@code max.request.size} is {@code maxRequestSize}. */
    public DeadLetterBuilder(int maxRequestSize) {
        this.copyBudget = Math.max(0, maxRequestSize - HEADROOM);
    }

    /** A builder for a producer configured with {@code properties} (Kafka's 1 MiB when {@code max.request.size} is unset). */
    public static DeadLetterBuilder forProducer(Map<String, ?> properties) {
        Object configured = properties.get("max.request.size");
        int maxRequestSize = configured == null ? DEFAULT_MAX_REQUEST_SIZE : Integer.parseInt(configured.toString().trim());
        return new DeadLetterBuilder(maxRequestSize);
    }

    /** Bytes of source key and value one dead letter may copy, together. */
    public int copyBudget() {
        return copyBudget;
    }

    public DeadLetter build(Source source, DeadLetterReason reason, String message, Throwable cause, String component,
                            Instant at) {
        byte[] value = source.value();
        byte[] key = source.key();
        boolean copyValue = value != null && value.length <= copyBudget;
        int left = copyBudget - (copyValue ? value.length : 0);
        boolean copyKey = key != null && key.length <= left;
        String text = message == null ? String.valueOf(cause) : message;
        if (text.length() > MAX_MESSAGE_CHARS) {
            text = text.substring(0, MAX_MESSAGE_CHARS) + "... (" + (text.length() - MAX_MESSAGE_CHARS) + " chars cut)";
        }
        return DeadLetter.newBuilder()
                .setSourceTopic(source.topic())
                .setPartition(source.partition())
                .setOffset(source.offset())
                .setKey(copyKey ? ByteBuffer.wrap(key) : null)
                .setValue(copyValue ? ByteBuffer.wrap(value) : null)
                .setReason(reason)
                .setExceptionClass(cause == null ? null : cause.getClass().getName())
                .setMessage(text + (copyValue ? "" : omitted("value", value)) + (copyKey ? "" : omitted("key", key)))
                .setComponent(component)
                .setTimestamp(at)
                .build();
    }

    /** The key to write a dead letter under: the source key when short, else {@code sha256:<hex>} of it. */
    public static byte[] recordKey(byte[] sourceKey) {
        if (sourceKey == null || sourceKey.length <= MAX_RECORD_KEY_BYTES) {
            return sourceKey;
        }
        return ("sha256:" + HexFormat.of().formatHex(sha256(sourceKey))).getBytes(StandardCharsets.UTF_8);
    }

    /** {@link #recordKey(byte[])} for components whose dead-letter producer takes String keys. */
    public static String recordKeyText(byte[] sourceKey) {
        byte[] key = recordKey(sourceKey);
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    private String omitted(String what, byte[] bytes) {
        return bytes == null ? "" : " (" + what + " of " + bytes.length + " bytes not copied: key and value copies share "
                + copyBudget + " bytes under max.request.size; read it at the source offset)";
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
