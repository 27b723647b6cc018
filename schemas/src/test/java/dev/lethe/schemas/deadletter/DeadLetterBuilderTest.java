package dev.lethe.schemas.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeadLetterBuilderTest {

    private static final int MAX_REQUEST_SIZE = DeadLetterBuilder.DEFAULT_MAX_REQUEST_SIZE;
    private final DeadLetterBuilder builder = new DeadLetterBuilder(MAX_REQUEST_SIZE);

    private DeadLetter build(byte[] key, byte[] value, String message) {
        return builder.build(new DeadLetterBuilder.Source("lethe.checkpoints", 3, 42L, key, value),
                DeadLetterReason.VALIDATION, message, new IllegalStateException("boom"), "planner", Instant.EPOCH);
    }

    /** What the producer checks against max.request.size: key, value (Avro body + 5-byte wire header) and record overhead. */
    private static long producedSize(byte[] sourceKey, DeadLetter letter) throws Exception {
        byte[] recordKey = DeadLetterBuilder.recordKey(sourceKey);
        return (recordKey == null ? 0 : recordKey.length) + letter.toByteBuffer().remaining() + 5 + 100;
    }

    @Test
    void shouldCopyKeyAndValueWhenTheyAreSmall() {
        byte[] key = "c/m".getBytes(StandardCharsets.UTF_8);
        byte[] value = {1, 2, 3};

        DeadLetter letter = build(key, value, "bad");

        assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap(key));
        assertThat(letter.getValue()).isEqualTo(ByteBuffer.wrap(value));
        assertThat(letter.getMessage()).isEqualTo("bad");
        assertThat(letter.getPartition()).isEqualTo(3);
        assertThat(letter.getOffset()).isEqualTo(42L);
        assertThat(letter.getExceptionClass()).isEqualTo(IllegalStateException.class.getName());
        assertThat(DeadLetterBuilder.recordKey(key)).isEqualTo(key);
    }

    @Test
    void shouldAlwaysFitUnderMaxRequestSizeWhateverTheKeyValueAndMessageHold() throws Exception {
        int[] sizes = {0, 1025, 512 * 1024, 900 * 1024, MAX_REQUEST_SIZE - 200, MAX_REQUEST_SIZE};
        String longMessage = "\u20ac".repeat(200_000); // 3 UTF-8 bytes a char
        for (int keySize : sizes) {
            for (int valueSize : sizes) {
                byte[] key = new byte[keySize];
                byte[] value = new byte[valueSize];
                DeadLetter letter = build(key, value, longMessage);

                assertThat(producedSize(key, letter)).as("key %d, value %d", keySize, valueSize).isLessThanOrEqualTo(MAX_REQUEST_SIZE);
                long copied = (letter.getKey() == null ? 0 : letter.getKey().remaining())
                        + (letter.getValue() == null ? 0 : letter.getValue().remaining());
                assertThat(copied).isLessThanOrEqualTo(builder.copyBudget());
            }
        }
    }

    @Test
    void shouldCopyTheValueFirstAndSayWhatWasLeftOnTheSourceTopicWhenBothDoNotFit() {
        byte[] key = new byte[512 * 1024];
        byte[] value = new byte[600 * 1024];

        DeadLetter letter = build(key, value, "unknown suite x");

        assertThat(letter.getValue()).isEqualTo(ByteBuffer.wrap(value));
        assertThat(letter.getKey()).isNull();
        assertThat(letter.getMessage()).startsWith("unknown suite x")
                .contains("key of " + key.length + " bytes not copied").doesNotContain("value of");
    }

    @Test
    void shouldWriteUnderTheKeysSha256WhenTheSourceKeyIsLong() {
        byte[] key = new byte[512 * 1024];

        byte[] recordKey = DeadLetterBuilder.recordKey(key);

        assertThat(new String(recordKey, StandardCharsets.UTF_8)).matches("sha256:[0-9a-f]{64}");
        assertThat(DeadLetterBuilder.recordKeyText(null)).isNull();
    }

    @Test
    void shouldTakeTheBudgetFromTheProducersMaxRequestSize() {
        assertThat(DeadLetterBuilder.forProducer(Map.of()).copyBudget()).isEqualTo(MAX_REQUEST_SIZE - DeadLetterBuilder.HEADROOM);
        assertThat(DeadLetterBuilder.forProducer(Map.of("max.request.size", "2097152")).copyBudget())
                .isEqualTo(2097152 - DeadLetterBuilder.HEADROOM);
    }
}
