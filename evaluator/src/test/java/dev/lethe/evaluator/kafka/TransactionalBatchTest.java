package dev.lethe.evaluator.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RoundRobinPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TransactionalBatchTest {

    static final TopicPartition P0 = new TopicPartition("lethe.eval-tasks", 0);
    static final TopicPartition P1 = new TopicPartition("lethe.eval-tasks", 1);

    MockProducer<byte[], byte[]> producer;
    MockConsumer<byte[], byte[]> consumer;
    List<ConsumerRecord<byte[], byte[]>> batch;
    List<ProducerRecord<byte[], byte[]>> outputs;

    @BeforeEach
    void setUp() {
        producer = new MockProducer<>(false, new RoundRobinPartitioner(), new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions();
        consumer = new MockConsumer<>("earliest");
        consumer.assign(List.of(P0, P1));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        batch = List.of(record(P0, 5), record(P0, 6), record(P1, 9));
        outputs = List.of(new ProducerRecord<>("lethe.shard-results", "k".getBytes(), "v".getBytes()));
    }

    static ConsumerRecord<byte[], byte[]> record(TopicPartition tp, long offset) {
        return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, new byte[0], new byte[0]);
    }

    @Test
    void shouldCommitOutputsAndOffsetsPastTheBatchInOneTransaction() {
        boolean committed = TransactionalBatch.commit(producer, consumer, batch, outputs);

        assertThat(committed).isTrue();
        assertThat(producer.transactionCommitted()).isTrue();
        assertThat(producer.history()).hasSize(1);
        assertThat(producer.consumerGroupOffsetsHistory()).hasSize(1);
        Map<TopicPartition, OffsetAndMetadata> offsets = producer.consumerGroupOffsetsHistory().get(0).values().iterator().next();
        assertThat(offsets).containsEntry(P0, new OffsetAndMetadata(7)).containsEntry(P1, new OffsetAndMetadata(10));
    }

    @Test
    void shouldAbortAndRewindToBatchStartWhenTheCommitFails() {
        consumer.seek(P0, 7);
        consumer.seek(P1, 10);
        producer.commitTransactionException = new CommitFailedException("stale generation");

        boolean committed = TransactionalBatch.commit(producer, consumer, batch, outputs);

        assertThat(committed).isFalse();
        assertThat(producer.transactionAborted()).isTrue();
        assertThat(producer.history()).isEmpty();
        assertThat(consumer.position(P0)).isEqualTo(5);
        assertThat(consumer.position(P1)).isEqualTo(9);
    }

    @Test
    void shouldReportFatalWhenTheProducerIsFenced() {
        producer.commitTransactionException = new ProducerFencedException("newer incarnation");

        assertThatThrownBy(() -> TransactionalBatch.commit(producer, consumer, batch, outputs))
                .isInstanceOf(TransactionalBatch.FatalProducerException.class);
    }
}
