package dev.lethe.sinks.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.topics.Topic;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.sinks.core.DaemonThreads;
import dev.lethe.sinks.core.GroupLag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's health beyond the metric and alert topics, for the dashboard: checkpoints announced on
 * {@code lethe.checkpoints}, dead letters by queue and reason (every {@code -dlq} topic), and the lag of the planner,
 * evaluator and aggregator groups. Reads with its own group-less consumer from the beginning, on its own thread.
 */
public final class PipelineProbe implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineProbe.class);
    private static final Duration LAG_INTERVAL = Duration.ofSeconds(2);

    private final ClusterConfig cluster;
    private final Map<String, String> groups;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Set<String> checkpoints = new HashSet<>();
    private final Map<String, Map<String, Long>> deadLetters = new TreeMap<>();
    private final Map<String, Long> lags = new LinkedHashMap<>();
    private long undecodable;
    private Thread thread;

    /** @param groups what to call each consumer group on the page (label -> group id), in display order */
    public PipelineProbe(ClusterConfig cluster, Map<String, String> groups) {
        this.cluster = cluster;
        this.groups = new LinkedHashMap<>(groups);
    }

    /** The groups of a deployment under its default names: planner, evaluators, aggregator. */
    public static PipelineProbe defaults(ClusterConfig cluster) {
        Map<String, String> groups = new LinkedHashMap<>();
        for (String part : List.of("planner", "evaluators", "aggregator")) {
            groups.put(part, cluster.deploymentName(part));
        }
        return new PipelineProbe(cluster, groups);
    }

    public synchronized PipelineProbe start() {
        if (thread == null) {
            thread = DaemonThreads.named("lethe-dashboard-probe").newThread(this::run);
            thread.start();
        }
        return this;
    }

    /** What the page shows: {@code checkpointsAnnounced}, {@code deadLetters} (queue -> reason -> count), {@code groupLag}. */
    public synchronized ObjectNode snapshot() {
        ObjectNode node = RecordJson.mapper().createObjectNode();
        node.put("checkpointsAnnounced", checkpoints.size());
        ObjectNode dl = node.putObject("deadLetters");
        deadLetters.forEach((topic, reasons) -> {
            ObjectNode perReason = dl.putObject(topic);
            reasons.forEach(perReason::put);
        });
        node.put("undecodable", undecodable);
        ObjectNode lag = node.putObject("groupLag");
        lags.forEach(lag::put);
        return node;
    }

    private void run() {
        Topics topics = cluster.topics();
        Deserializer<CheckpointReady> checkpointValues = AvroSerdes.forTopic(topics.checkpoints(), cluster).deserializer();
        Deserializer<DeadLetter> deadLetterValues = AvroSerdes.forTopic(topics.dlq(topics.checkpoints()), cluster).deserializer();
        Map<String, Object> props = new HashMap<>(cluster.clientProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, cluster.deploymentName("dashboard-probe"));
        List<String> names = new ArrayList<>(List.of(topics.checkpoints().name()));
        topics.main().forEach(t -> names.add(topics.dlq(t).name()));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             Admin admin = Admin.create(cluster.clientProperties())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String name : names) {
                consumer.partitionsFor(name, Duration.ofSeconds(30))
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long nextLag = 0;
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    count(r, checkpointValues, deadLetterValues, topics.checkpoints());
                }
                if (System.nanoTime() >= nextLag) {
                    Map<String, Long> now = new LinkedHashMap<>();
                    for (var g : groups.entrySet()) {
                        now.put(g.getKey(), GroupLag.of(admin, g.getValue()));
                    }
                    synchronized (this) {
                        lags.clear();
                        lags.putAll(now);
                    }
                    nextLag = System.nanoTime() + LAG_INTERVAL.toNanos();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the page keeps its last figures; the metric and alert views are not affected
            LOG.warn("dashboard pipeline probe stopped: {}", e.toString());
        }
    }

    private void count(ConsumerRecord<byte[], byte[]> r, Deserializer<CheckpointReady> checkpointValues,
                       Deserializer<DeadLetter> deadLetterValues, Topic<CheckpointReady> checkpointTopic) {
        try {
            if (r.topic().equals(checkpointTopic.name())) {
                CheckpointReady c = checkpointValues.deserialize(r.topic(), r.value());
                synchronized (this) {
                    checkpoints.add(c.getCheckpointId());
                }
            } else {
                DeadLetter d = deadLetterValues.deserialize(r.topic(), r.value());
                synchronized (this) {
                    deadLetters.computeIfAbsent(r.topic(), t -> new TreeMap<>()).merge(String.valueOf(d.getReason()), 1L, Long::sum);
                }
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                undecodable++; // a record nobody can read is the consumers' business (their own DLQ), not the page's
            }
        }
    }

    @Override
    public void close() {
        running.set(false);
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(Duration.ofSeconds(5).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
