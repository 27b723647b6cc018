package dev.lethe.aggregator.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.schemas.registry.SchemaRegistryException;
import dev.lethe.schemas.serde.AvroSerdeException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class StreamThreadFailuresTest {

    @Test
    void shouldReplaceTheThreadOnceTheRegistryAnswersWhenTheFailureIsTransient() {
        AtomicInteger probes = new AtomicInteger();
        StreamThreadFailures handler = new StreamThreadFailures(() -> probes.incrementAndGet() >= 3, Duration.ofMillis(1),
                Duration.ofMinutes(1));
        StreamsException registryDown = new StreamsException("Exception caught in process", new AvroSerdeException(
                "cannot fetch schema id 3", new SchemaRegistryException(503, SchemaRegistryException.UNAVAILABLE, "down", "http://r")));

        assertThat(handler.handle(registryDown)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(probes).hasValue(3);
    }

    @Test
    void shouldReplaceTheThreadAfterTheMaximumWaitWhenTheRegistryStaysDown() {
        StreamThreadFailures handler = new StreamThreadFailures(() -> false, Duration.ofMillis(1), Duration.ofMillis(20));

        assertThat(handler.handle(new StreamsException(new org.apache.kafka.common.errors.NotEnoughReplicasException("1 in sync"))))
                .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }

    @Test
    void shouldReplaceTheThreadAtOnceWhenItsTransactionalProducerCannotGoOn() {
        AtomicInteger probes = new AtomicInteger();
        StreamThreadFailures handler = new StreamThreadFailures(() -> probes.incrementAndGet() > 100, Duration.ofMillis(1),
                Duration.ofMinutes(1));
        // what a commit throws when the broker aborted the transaction while the thread was cut off (KAFKA-19690)
        StreamsException commitFailed = new StreamsException("Error encountered trying to commit a transaction",
                new org.apache.kafka.common.errors.InvalidTxnStateException("The producer attempted a transactional operation in an invalid state"));

        assertThat(handler.handle(commitFailed)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(probes).as("no registry wait: the registry is not what failed").hasValue(0);
    }

    @Test
    void shouldStopTheInstanceWhenTheFailureIsABug() {
        StreamThreadFailures handler = new StreamThreadFailures(() -> true, Duration.ofMillis(1), Duration.ofMinutes(1));

        assertThat(handler.handle(new StreamsException(new IllegalStateException("a bug"))))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }
}
