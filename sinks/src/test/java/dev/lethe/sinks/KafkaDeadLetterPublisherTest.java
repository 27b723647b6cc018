package dev.lethe.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.deadletter.DeadLetterBuilder;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.sinks.core.DeadLetterNotWrittenException;
import dev.lethe.sinks.core.KafkaDeadLetterPublisher;
import dev.lethe.sinks.core.PipelineStats;
import dev.lethe.sinks.core.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaDeadLetterPublisherTest {

    private final Topics topics = Topics.defaults();
    private final PipelineStats stats = new PipelineStats();

    /** A producer whose first {@code failures} sends fail as if the broker were away. */
    private static MockProducer<String, DeadLetter> failingFirst(int failures) {
        AtomicInteger sends = new AtomicInteger();
        return new MockProducer<>(true, null, new StringSerializer(), (topic, letter) -> new byte[0]) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<String, DeadLetter> record, Callback callback) {
                if (sends.getAndIncrement() < failures) {
                    throw new NetworkException("broker away (send " + sends.get() + ")");
                }
                return super.send(record, callback);
            }
        };
    }

    private static SourceRecord hostile(String topic) {
        return new SourceRecord(topic, 1, 9L, new byte[512 * 1024], "v".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldRetryAFailedWriteUntilItSucceedsInsteadOfSkippingTheDeadLetter() {
        MockProducer<String, DeadLetter> producer = failingFirst(2);
        KafkaDeadLetterPublisher publisher = new KafkaDeadLetterPublisher(producer, topics, stats, "sink-test",
                new DeadLetterBuilder(DeadLetterBuilder.DEFAULT_MAX_REQUEST_SIZE));

        publisher.publish(hostile(topics.forgetting().name()), DeadLetterReason.DESERIALIZATION, null, "cannot decode");

        assertThat(producer.history()).singleElement().satisfies(r -> {
            assertThat(r.topic()).isEqualTo(topics.dlq(topics.forgetting()).name());
            assertThat(r.key()).startsWith("sha256:"); // a 512 KiB key is not copied into the record key
            assertThat(r.value().getOffset()).isEqualTo(9L);
        });
        assertThat(stats.deadLetterFailures()).isEqualTo(2);
    }

    @Test
    void shouldThrowSoTheRecordIsReadAgainWhenTheSinkStopsBeforeTheWriteSucceeds() {
        MockProducer<String, DeadLetter> producer = failingFirst(Integer.MAX_VALUE);
        KafkaDeadLetterPublisher publisher = new KafkaDeadLetterPublisher(producer, topics, stats, "sink-test",
                new DeadLetterBuilder(DeadLetterBuilder.DEFAULT_MAX_REQUEST_SIZE));
        publisher.stopRetrying();

        assertThatThrownBy(() -> publisher.publish(hostile(topics.alerts().name()), DeadLetterReason.VALIDATION, null, "bad"))
                .isInstanceOf(DeadLetterNotWrittenException.class)
                .hasMessageContaining("@9 was not written")
                .hasRootCauseInstanceOf(NetworkException.class);
        assertThat(producer.history()).isEmpty();
    }
}
