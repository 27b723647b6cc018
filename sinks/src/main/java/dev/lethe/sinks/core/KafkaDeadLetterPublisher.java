package dev.lethe.sinks.core;

import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.topics.Topic;
import dev.lethe.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes DeadLetters to {@code <source topic>-dlq} with an idempotent producer, waiting for each acknowledgement. */
public final class KafkaDeadLetterPublisher implements DeadLetterPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaDeadLetterPublisher.class);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final Producer<String, DeadLetter> producer;
    private final Topics topics;
    private final PipelineStats stats;
    private final String component;

    public KafkaDeadLetterPublisher(Producer<String, DeadLetter> producer, Topics topics, PipelineStats stats, String component) {
        this.producer = producer;
        this.topics = topics;
        this.stats = stats;
        this.component = component;
    }

    @Override
    public void publish(SourceRecord source, DeadLetterReason reason, Throwable error, String message) {
        DeadLetter letter = DeadLetterPublisher.toDeadLetter(source, reason, error, message, component);
        String key = source.key() == null ? null : new String(source.key(), StandardCharsets.UTF_8);
        // counted as a dead letter whether or not the write succeeds: the record was refused either way
        stats.recordDeadLetter(source.topic());
        String dlq = source.topic() + Topics.DLQ_SUFFIX;
        try {
            dlq = dlqOf(source.topic()).name();
            producer.send(new ProducerRecord<>(dlq, key, letter)).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.warn("dead-lettered {}[{}]@{} to {}: {} {}", source.topic(), source.partition(), source.offset(), dlq,
                    reason, letter.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(source, dlq, e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            failed(source, dlq, e instanceof ExecutionException ? e.getCause() : e);
        }
    }

    private void failed(SourceRecord source, String dlq, Throwable e) {
        stats.recordDeadLetterFailure();
        LOG.error("could not write the dead letter of {}[{}]@{} to {}", source.topic(), source.partition(), source.offset(),
                dlq, e);
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
