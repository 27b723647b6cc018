package dev.lethe.cli.bench;

import dev.lethe.schemas.config.ClusterConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes a benchmark's input in one producer transaction, so every record becomes readable at the same instant:
 * the commit. The throughput benchmarks time from just before that commit.
 */
final class FixtureTransaction {

    private FixtureTransaction() {
    }

    /** Sends everything, flushes, commits; returns the nanoTime just before the commit. */
    static long publish(ClusterConfig cluster, String transactionalId, List<ProducerRecord<byte[], byte[]>> input) {
        Map<String, Object> props = new HashMap<>(cluster.clientProperties());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 300_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            input.forEach(producer::send);
            producer.flush();
            long start = System.nanoTime();
            producer.commitTransaction();
            return start;
        }
    }
}
