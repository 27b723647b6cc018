package dev.lethe.aggregator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeadLetterWriteFailuresTest {

    private final AtomicLong counter = new AtomicLong();
    private final DeadLetterWriteFailures handler = new DeadLetterWriteFailures();

    @BeforeEach
    void configure() {
        handler.configure(Map.of(DeadLetterWriteFailures.DLQ_TOPIC, "lethe.shard-results-dlq", DeadLetterWriteFailures.COUNTER, counter));
    }

    @Test
    void shouldCountAndResumeWhenOnlyADeadLetterCannotBeWritten() {

        ProductionExceptionHandler.Response dlq = handler.handleError(null,
                new ProducerRecord<>("lethe.shard-results-dlq", new byte[1], new byte[1]), new RecordTooLargeException("big"));
        ProductionExceptionHandler.Response metrics = handler.handleError(null,
                new ProducerRecord<>("lethe.forgetting", new byte[1], new byte[1]), new RecordTooLargeException("big"));

        assertThat(dlq.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
        assertThat(metrics.result()).isEqualTo(ProductionExceptionHandler.Result.FAIL);
        assertThat(counter.get()).isEqualTo(1);
        assertThat(handler.failures()).isEqualTo(1);
    }

    @Test
    void shouldRetryNotSkipWhenADeadLetterWriteFailsBecauseTheBrokerIsAway() {

        ProductionExceptionHandler.Response dlq = handler.handleError(null,
                new ProducerRecord<>("lethe.shard-results-dlq", new byte[1], new byte[1]), new TimeoutException("broker away"));

        assertThat(dlq.result()).isEqualTo(ProductionExceptionHandler.Result.RETRY);
        assertThat(counter.get()).isZero();
    }
}
