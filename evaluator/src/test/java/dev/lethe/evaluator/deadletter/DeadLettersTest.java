package dev.lethe.evaluator.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.deadletter.DeadLetterBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    private static final Serializer<DeadLetter> AVRO = (topic, letter) -> {
        try {
            ByteBuffer body = letter.toByteBuffer();
            byte[] bytes = new byte[body.remaining()];
            body.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    };

    private final DeadLetters deadLetters = new DeadLetters(new DeadLetterBuilder(DeadLetterBuilder.DEFAULT_MAX_REQUEST_SIZE),
            "lethe.checkpoints-dlq", "planner", AVRO);

    @Test
    void shouldCopyKeyAndValueWhenTheyAreSmall() {
        byte[] key = "c/m".getBytes(StandardCharsets.UTF_8);
        byte[] value = {1, 2, 3};

        ProducerRecord<byte[], byte[]> record = deadLetters.record(new ConsumerRecord<>("lethe.checkpoints", 2, 7L, key, value),
                DeadLetterReason.VALIDATION, "bad", null);
        DeadLetter letter = deadLetters.letter(new ConsumerRecord<>("lethe.checkpoints", 2, 7L, key, value), DeadLetterReason.VALIDATION, "bad", null);

        assertThat(record.topic()).isEqualTo("lethe.checkpoints-dlq");
        assertThat(record.key()).isEqualTo(key);
        assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap(key));
        assertThat(letter.getValue()).isEqualTo(ByteBuffer.wrap(value));
        assertThat(letter.getComponent()).isEqualTo("planner");
        assertThat(letter.getPartition()).isEqualTo(2);
        assertThat(letter.getOffset()).isEqualTo(7L);
    }

    @Test
    void shouldProduceARecordUnderMaxRequestSizeWhenTheKeyIs512KiB() {
        // issue 14, case 4: the key was copied twice (record key and DeadLetter.key) and the record exceeded 1 MiB
        byte[] key = new byte[512 * 1024];
        byte[] value = new byte[600 * 1024];

        ProducerRecord<byte[], byte[]> record = deadLetters.record(new ConsumerRecord<>("lethe.checkpoints", 0, 3L, key, value),
                DeadLetterReason.DESERIALIZATION, "undecodable", null);

        assertThat(record.key().length + record.value().length + 5 + 100).isLessThanOrEqualTo(DeadLetterBuilder.DEFAULT_MAX_REQUEST_SIZE);
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).startsWith("sha256:");
    }
}
