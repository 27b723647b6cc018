package dev.lethe.cli.bench;

import dev.lethe.schemas.config.ClusterConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Notes when each committed record of one topic becomes readable: a group-less read_committed consumer on a thread
 * of its own, stamping every record with {@link System#nanoTime()} on arrival. With a deserializer it keeps the
 * decoded values; without one (bulk outputs) only keys, counts and arrival times, to stay cheap.
 */
final class TopicWatcher<V> implements AutoCloseable {

    /** One record as it arrived. */
    record Arrival<V>(String key, V value, long nanos) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Deserializer<V> deserializer;
    private final String topic;
    private final boolean keep;
    private final List<Arrival<V>> arrivals = new ArrayList<>();
    private final Thread thread;
    private long count;
    private long lastNanos;
    private volatile boolean running = true;
    private volatile Throwable failure;

    /**
     * @param deserializer decodes values, or null to keep none
     * @param keep         keep every arrival (false: only the count and the last arrival time)
     * @param topic        the topic's name, from the Topics registry
     */
    TopicWatcher(ClusterConfig cluster, String topic, Deserializer<V> deserializer, boolean keep) {
        Map<String, Object> props = new HashMap<>(cluster.clientProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "lethe-bench-watch-" + topic);
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.deserializer = deserializer;
        this.topic = topic;
        this.keep = keep;
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(this::loop, "lethe-bench-watch-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (running) {
                var records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                long now = System.nanoTime();
                List<Arrival<V>> batch = keep ? new ArrayList<>(records.count()) : List.of();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (keep) {
                        String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                        V value = deserializer == null ? null : deserializer.deserialize(topic, r.headers(), r.value());
                        batch.add(new Arrival<>(key, value, now));
                    }
                }
                synchronized (this) {
                    arrivals.addAll(batch);
                    count += records.count();
                    lastNanos = now;
                    notifyAll();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    String topic() {
        return topic;
    }

    synchronized long count() {
        return count;
    }

    /** nanoTime of the latest arrival, 0 before any. */
    synchronized long lastNanos() {
        return lastNanos;
    }

    synchronized List<Arrival<V>> arrivals() {
        return List.copyOf(arrivals);
    }

    /** Arrivals matching {@code match}, as of now. */
    synchronized List<Arrival<V>> arrivals(Predicate<Arrival<V>> match) {
        return arrivals.stream().filter(match).toList();
    }

    /** Waits until at least {@code n} kept arrivals match; false on timeout. */
    synchronized boolean await(Predicate<Arrival<V>> match, long n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (arrivals.stream().filter(match).count() < n) {
            check();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, Math.min(100, left / 1_000_000)));
        }
        return true;
    }

    /** Waits until nothing has arrived for {@code quiet}; false when records keep coming past the timeout. */
    boolean awaitQuiet(Duration quiet, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            check();
            long last = lastNanos();
            if (System.nanoTime() - last >= quiet.toNanos()) {
                return true;
            }
            Thread.sleep(Math.max(1, quiet.toMillis() / 5));
        }
        return false;
    }

    private void check() {
        if (failure != null) {
            throw new IllegalStateException("watching " + topic + " failed: " + failure, failure);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
