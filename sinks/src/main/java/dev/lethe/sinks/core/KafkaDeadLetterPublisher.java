package dev.lethe.sinks.core;

import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.deadletter.DeadLetterBuilder;
import dev.lethe.schemas.topics.Topic;
import dev.lethe.schemas.topics.Topics;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes DeadLetters to {@code <source topic>-dlq} with an idempotent producer, waiting for each acknowledgement. A
 * failed write (broker away) is logged with its cause and retried with a growing pause until it succeeds, so no dead
 * letter is skipped; the shared {@link DeadLetterBuilder} makes sure no record can make its own dead letter too large
 * to ever succeed.
 */
public final class KafkaDeadLetterPublisher implements DeadLetterPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaDeadLetterPublisher.class);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration FIRST_RETRY = Duration.ofMillis(200);
    private static final Duration LONGEST_RETRY = Duration.ofSeconds(10);

    private final Producer<String, DeadLetter> producer;
    private final Topics topics;
    private final PipelineStats stats;
    private final String component;
    private final DeadLetterBuilder builder;
    private volatile boolean retrying = true;

    public KafkaDeadLetterPublisher(Producer<String, DeadLetter> producer, Topics topics, PipelineStats stats, String component,
                                    DeadLetterBuilder builder) {
        this.producer = producer;
        this.topics = topics;
        this.stats = stats;
        this.component = component;
        this.builder = builder;
    }

    @Override
    public void publish(SourceRecord source, DeadLetterReason reason, Throwable error, String message) {
        DeadLetter letter = DeadLetterPublisher.toDeadLetter(source, reason, error, message, component, builder);
        String key = DeadLetterBuilder.recordKeyText(source.key());
        // counted as a dead letter whether or not the write succeeds: the record was refused either way
        stats.recordDeadLetter(source.topic());
        String dlq = dlqOf(source.topic()).name();
        Duration pause = FIRST_RETRY;
        while (true) {
            Throwable failure;
            try {
                producer.send(new ProducerRecord<>(dlq, key, letter)).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                LOG.warn("dead-lettered {}[{}]@{} to {}: {} {}", source.topic(), source.partition(), source.offset(), dlq,
                        reason, letter.getMessage());
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = e;
            } catch (ExecutionException e) {
                failure = e.getCause();
            } catch (TimeoutException | RuntimeException e) {
                failure = e;
            }
            stats.recordDeadLetterFailure();
            if (!retrying || Thread.currentThread().isInterrupted()) {
                throw new DeadLetterNotWrittenException("the dead letter of " + source.topic() + "[" + source.partition() + "]@"
                        + source.offset() + " was not written to " + dlq + " before the sink stopped", failure);
            }
            LOG.error("could not write the dead letter of {}[{}]@{} to {} ({}); retrying in {} ms", source.topic(),
                    source.partition(), source.offset(), dlq, failure, pause.toMillis());
            sleep(pause);
            pause = pause.multipliedBy(2).compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : pause.multipliedBy(2);
        }
    }

    @Override
    public void stopRetrying() {
        retrying = false;
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Topic<DeadLetter> dlqOf(String sourceTopic) {
        for (Topic<?> topic : topics.main()) {
            if (topic.name().equals(sourceTopic)) {
                return topics.dlq(topic);
            }
        }
        throw new IllegalArgumentException("not a Lethe topic: " + sourceTopic);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
