package dev.lethe.evaluator.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits one consume-process-produce batch atomically: the outputs and the consumer offsets past the batch go in
 * one Kafka transaction ({@code sendOffsetsToTransaction} with the group metadata, so a fenced or stale member
 * cannot commit). On failure the transaction is aborted and the consumer rewound to the batch start, so the
 * batch is processed again: nothing is lost and, read_committed, nothing is counted twice.
 */
public final class TransactionalBatch {

    /** The producer can no longer be used (fenced by a newer instance with the same transactional.id, ...). */
    public static final class FatalProducerException extends RuntimeException {
        public FatalProducerException(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(TransactionalBatch.class);

    private TransactionalBatch() {
    }

    /** Offsets just past the last record of each partition in {@code batch}. */
    public static Map<TopicPartition, OffsetAndMetadata> nextOffsets(List<ConsumerRecord<byte[], byte[]>> batch) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : batch) {
            offsets.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        return offsets;
    }

    /** First offset of each partition in {@code batch}: where to rewind to. */
    public static Map<TopicPartition, Long> firstOffsets(List<ConsumerRecord<byte[], byte[]>> batch) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : batch) {
            offsets.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
        }
        return offsets;
    }

    /**
     * Sends {@code outputs} and commits the batch's offsets in one transaction.
     *
     * @return true when committed; false when aborted (the consumer is then rewound to the batch start)
     * @throws FatalProducerException when the producer must be closed
     */
    public static boolean commit(Producer<byte[], byte[]> producer, Consumer<byte[], byte[]> consumer,
                                 List<ConsumerRecord<byte[], byte[]>> batch, List<ProducerRecord<byte[], byte[]>> outputs) {
        try {
            producer.beginTransaction();
            for (ProducerRecord<byte[], byte[]> out : outputs) {
                producer.send(out);
            }
            producer.sendOffsetsToTransaction(nextOffsets(batch), consumer.groupMetadata());
            producer.commitTransaction();
            return true;
        } catch (ProducerFencedException | InvalidProducerEpochException | OutOfOrderSequenceException
                 | AuthorizationException | UnsupportedVersionException e) {
            throw new FatalProducerException(e);
        } catch (KafkaException e) {
            // the cause must be visible: an abort that repeats for the same reason is a stalled partition
            LOG.warn("transaction of {} consumed records aborted, they will be processed again: {}", batch.size(),
                    e.getCause() == null ? e.toString() : e + " (cause: " + e.getCause() + ")");
            try {
                producer.abortTransaction();
            } catch (ProducerFencedException | InvalidProducerEpochException fatal) {
                throw new FatalProducerException(fatal);
            } catch (KafkaException abortFailed) {
                throw new FatalProducerException(abortFailed);
            }
            rewind(consumer, batch);
            return false;
        }
    }

    /** Seeks every still-assigned partition of {@code batch} back to the batch's first offset. */
    public static void rewind(Consumer<byte[], byte[]> consumer, List<ConsumerRecord<byte[], byte[]>> batch) {
        Set<TopicPartition> assigned = consumer.assignment();
        firstOffsets(batch).forEach((tp, offset) -> {
            if (assigned.contains(tp)) {
                consumer.seek(tp, offset);
            }
        });
    }
}
