package dev.lethe.cli.bench;

import dev.lethe.cli.support.GroupProbe;
import dev.lethe.embedded.LetheTopicsAdmin;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.topics.Topics;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * A reference point for aggregator_records_per_s (reported under details, not a table field): the cheapest
 * Kafka Streams application of the same shape, exactly_once_v2 with the aggregator's commit interval, that
 * decodes each ShardResult with the same Avro deserializer and writes one small record per input. No state, no
 * repartition. It tells how much of the gap to the raw consumer any exactly-once Streams topology pays here.
 */
final class StreamsCeilingBench {

    static final String PREFIX = "bench-ceiling.";
    /** Warm-up pass k runs on the topics of this prefix + k + ".". */
    static final String PREFIX_WARMUP = "bench-ceiling-warmup-";

    private final ClusterConfig cluster;
    private final String applicationId;
    private final Path workDir;
    private final long brokerPid;

    /**
     * What one pass measured: its rate and time, the JIT's compiling time meanwhile, and the CPU it used until the
     * application caught up ({@link CpuUse}).
     */
    record Pass(double recordsPerS, double seconds, double jitSeconds, String cpu) {
    }

    /**
     * A pass on the topics of {@code prefix}, by an application named after it (lethe-bench-ceiling...);
     * {@code brokerPid} as for {@link CpuUse#now}.
     */
    StreamsCeilingBench(ClusterConfig base, String prefix, Path workDir, long brokerPid) {
        this.cluster = base.withTopicPrefix(prefix);
        this.brokerPid = brokerPid;
        this.applicationId = "lethe-" + prefix.substring(0, prefix.length() - 1);
        this.workDir = workDir;
    }

    /**
     * Records per second from the commit of the input transaction to the last output readable. {@code primed}: the
     * same records go through once first, untimed, so the timed ones meet topics that hold data (as the aggregator's
     * measured pass is primed).
     */
    Pass run(List<ProducerRecord<byte[], byte[]>> input, boolean primed) throws Exception {
        Topics topics = cluster.topics();
        LetheTopicsAdmin.createAll(cluster, topics);
        String source = topics.shardResults().name();
        String sink = topics.benchmarkScores().name(); // any topic of the bench prefix: it receives only counts
        Deserializer<ShardResult> deserializer = AvroSerdes.forTopic(topics.shardResults(), cluster).deserializer();
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(source, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .mapValues(v -> Integer.toString(deserializer.deserialize(source, v).getN()))
                .to(sink, Produced.with(Serdes.ByteArray(), Serdes.String()));
        Properties props = new Properties();
        props.putAll(cluster.clientProperties());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.STATE_DIR_CONFIG, workDir.resolve(applicationId + "-state").toString());
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        List<ProducerRecord<byte[], byte[]>> retargeted = input.stream()
                .map(r -> new ProducerRecord<>(source, r.key(), r.value())).toList();
        try (Admin admin = Admin.create(cluster.clientProperties());
             TopicWatcher<Void> outputs = new TopicWatcher<>(cluster, sink, null, false);
             KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            streams.start();
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (streams.state() != KafkaStreams.State.RUNNING) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the reference Streams app did not reach RUNNING in 2 minutes");
                }
                Thread.sleep(50);
            }
            if (primed) {
                FixtureTransaction.publish(cluster, applicationId + "-primer", retargeted);
                if (!new GroupProbe(admin).awaitCaughtUp(applicationId, Duration.ofMinutes(5))) {
                    throw new IllegalStateException("the reference Streams app did not catch up with its primer in 5 minutes");
                }
                outputs.awaitQuiet(Duration.ofMillis(500), Duration.ofMinutes(1));
            }
            long expected = input.size() * (primed ? 2L : 1L);
            CpuUse before = CpuUse.now(brokerPid);
            long jitBefore = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
            long start = FixtureTransaction.publish(cluster, applicationId + "-fixture", retargeted);
            if (!new GroupProbe(admin).awaitCaughtUp(applicationId, Duration.ofMinutes(5))) {
                throw new IllegalStateException("the reference Streams app did not catch up in 5 minutes");
            }
            String cpu = CpuUse.now(brokerPid).since(before);
            outputs.awaitQuiet(Duration.ofMillis(500), Duration.ofMinutes(1));
            if (outputs.count() < expected) {
                throw new IllegalStateException("the reference Streams app wrote " + outputs.count() + " of " + expected);
            }
            double seconds = (outputs.lastNanos() - start) / 1e9;
            double jitSeconds = (ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jitBefore) / 1e3;
            return new Pass(input.size() / seconds, seconds, jitSeconds, cpu);
        } finally {
            deserializer.close();
        }
    }

}
