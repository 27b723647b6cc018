package dev.lethe.aggregator.app;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams' production exception handler for the aggregator: a DeadLetter whose write failed for a transient reason
 * (broker away, leader moving: a {@link RetriableException}) is retried with its cause logged, never skipped; one
 * that can never be written (too large, unserializable) is logged and counted, and processing goes on; a failed
 * write to any other topic fails the task so exactly-once retries it.
 */
public final class DeadLetterWriteFailures implements ProductionExceptionHandler {

    /** Streams config key naming the DLQ topic this handler lets pass. */
    public static final String DLQ_TOPIC = "lethe.aggregator.dlq.topic";
    /** Streams config key holding the {@link AtomicLong} the failures are counted in. */
    public static final String COUNTER = "lethe.aggregator.dlq.failures";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterWriteFailures.class);

    private String dlqTopic;
    private AtomicLong failures = new AtomicLong();

    @Override
    public void configure(Map<String, ?> configs) {
        Object topic = configs.get(DLQ_TOPIC);
        dlqTopic = topic == null ? null : topic.toString();
        if (configs.get(COUNTER) instanceof AtomicLong counter) {
            failures = counter;
        }
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RetriableException && isDlq(record.topic())) {
            LOG.warn("cannot write a dead letter to {} yet, retrying: {}", record.topic(), exception.toString());
            return Response.retry();
        }
        return decide(record.topic(), exception);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                             SerializationExceptionOrigin origin) {
        return decide(record.topic(), exception);
    }

    private Response decide(String topic, Exception exception) {
        if (isDlq(topic)) {
            long count = failures.incrementAndGet();
            LOG.error("cannot write a dead letter to {} ({} failed so far); the bad record is skipped: {}", topic, count,
                    exception.toString());
            return Response.resume();
        }
        return Response.fail();
    }

    private boolean isDlq(String topic) {
        return topic != null && topic.equals(dlqTopic);
    }

    long failures() {
        return failures.get();
    }
}
