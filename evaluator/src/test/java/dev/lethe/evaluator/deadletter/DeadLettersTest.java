package dev.lethe.evaluator.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    @Test
    void shouldCopyKeyAndValueWhenTheyAreSmall() {
        byte[] key = "c/m".getBytes(StandardCharsets.UTF_8);
        byte[] value = {1, 2, 3};
        DeadLetter letter = DeadLetters.of(new ConsumerRecord<>("lethe.checkpoints", 2, 7L, key, value),
                DeadLetterReason.VALIDATION, "bad", null, "planner");

        assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap(key));
        assertThat(letter.getValue()).isEqualTo(ByteBuffer.wrap(value));
        assertThat(letter.getMessage()).isEqualTo("bad");
        assertThat(letter.getPartition()).isEqualTo(2);
        assertThat(letter.getOffset()).isEqualTo(7L);
    }

    @Test
    void shouldLeaveAValueOverTheCapOnTheSourceTopicAndSaySoWhenItIsHuge() {
        byte[] value = new byte[DeadLetters.MAX_COPIED_BYTES + 1];
        DeadLetter letter = DeadLetters.of(new ConsumerRecord<>("lethe.checkpoints", 0, 3L, new byte[] {'k'}, value),
                DeadLetterReason.UNKNOWN_SUITE, "unknown suite x", null, "planner");

        assertThat(letter.getValue()).isNull();
        assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap(new byte[] {'k'}));
        assertThat(letter.getMessage()).startsWith("unknown suite x")
                .contains("value of " + value.length + " bytes not copied");
        assertThat(letter.getOffset()).isEqualTo(3L);
    }
}
