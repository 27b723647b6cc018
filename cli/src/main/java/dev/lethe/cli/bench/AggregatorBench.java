package dev.lethe.cli.bench;

import dev.lethe.aggregator.app.AggregatorApp;
import dev.lethe.aggregator.app.AggregatorConfig;
import dev.lethe.aggregator.topology.AggregatorTopology;
import dev.lethe.cli.support.GroupProbe;
import dev.lethe.embedded.LetheTopicsAdmin;
import dev.lethe.schemas.CheckpointPlan;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.json.MetricKeys;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.topics.RecordKeys;
import dev.lethe.schemas.topics.Topic;
import dev.lethe.schemas.topics.Topics;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * raw_consumer_records_per_s, aggregator_records_per_s and aggregator_state_bytes_per_model_run: N synthetic
 * ShardResults (20 stages x 16 benchmarks per model run) are written to lethe.shard-results in ONE transaction
 * while the aggregator (exactly_once_v2, read_committed) already runs idle, so all N become readable at the commit
 * and the clock starts there; it stops when the last output record of the aggregator is readable. That pass is
 * timed warm: the same records first go through warm-up passes, each on its own topics and by its own application,
 * because in a fresh JVM the JIT compiler takes more CPU than the aggregator during the first pass, on the cores the
 * broker also needs, while the reference pass-through runs last with its code compiled. A plain KafkaConsumer with
 * the same Avro deserializer then reads the same N records. The state size is read from the changelog topics
 * (latest value per key, as compaction keeps them) and from RocksDB's files.
 */
final class AggregatorBench {

    static final String APPLICATION_ID = "lethe-bench-aggregator";
    static final String PREFIX = "bench-agg.";
    static final String WARMUP_PREFIX = "bench-agg-warmup-";
    private static final List<String> STORES = List.of(AggregatorTopology.SHARD_STORE, AggregatorTopology.RUN_SUMMARIES,
            AggregatorTopology.RUN_SERIES, AggregatorTopology.RUN_CELLS, AggregatorTopology.RUN_STAGES,
            AggregatorTopology.FAMILY_STORE);

    /** What this benchmark measured. */
    record Result(long records, int runs, Double rawRecordsPerS, List<Double> rawRuns, Double aggregatorRecordsPerS,
                  List<Double> aggregatorMeasuredRecordsPerS, double aggregatorSeconds, long outputRecords,
                  long finalOutputRecords, long changelogLatestBytes, long changelogTotalBytes,
                  Map<String, Long> latestBytesByStore, long rocksDbSstBytes, long stateDirBytes,
                  Double streamsPassThroughRecordsPerS, List<Double> streamsPassThroughMeasuredRecordsPerS,
                  List<Double> warmupRecordsPerS, List<Double> warmupAmplifications, double jitSecondsMeasured) {

        /** Forgetting records emitted over the final records (distinct keys): 1 when each is published once. */
        Double outputAmplification() {
            return finalOutputRecords == 0 ? null : (double) outputRecords / finalOutputRecords;
        }

        Double stateBytesPerRun() {
            return (double) changelogLatestBytes / runs;
        }
    }

    /** What one pass of the aggregator measured; the state figures only for the measured pass. */
    private record Pass(List<ProducerRecord<byte[], byte[]>> input, long plans, int runsInState, double seconds, long outputs,
                        long finalRecords, double jitSeconds, String cpu, long latestBytes, long totalBytes,
                        Map<String, Long> byStore, long sstBytes, long stateDirBytes) {

        double amplification() {
            return finalRecords == 0 ? Double.NaN : (double) outputs / finalRecords;
        }
    }

    /** Warm-up passes beyond the minimum stop once the JIT compiled for less than this share of a pass's time. */
    private static final double JIT_QUIET_SHARE = 0.25;
    /** At most this many warm-up passes, quiet or not: the measured pass then says how much the JIT still compiled. */
    private static final int MAX_WARMUPS = 12;
    /**
     * Measured passes of the aggregator and of the reference, each on fresh topics: the figures are their medians. One
     * pass of a second or less moved by a fifth from run to run (runs L and M), more than most changes it was to judge.
     */
    static final int MEASURED_PASSES = 3;

    private final ClusterConfig base;
    private final ClusterConfig cluster;
    private final Path workDir;
    private final BenchLog log;
    private final long brokerPid;

    /** {@code brokerPid}: the broker's process on this machine, for the CPU it spends on each pass (0: none). */
    AggregatorBench(ClusterConfig base, Path workDir, BenchLog log, long brokerPid) {
        this.base = base;
        this.brokerPid = brokerPid;
        this.cluster = base.withTopicPrefix(PREFIX);
        this.workDir = workDir;
        this.log = log;
    }

    Result run(long wantedRecords, int warmups, int rawRepetitions) throws Exception {
        ShardResultFixture fixture = ShardResultFixture.forRecords(wantedRecords);
        long records = fixture.records();
        log.say("aggregator: %d shard results (%d model runs x 21 stages x 16 benchmarks x 4 shards)", records, fixture.runs());
        List<Double> warmupRates = new ArrayList<>();
        // amplification depends on the order the records happen to be processed in: each pass shows its spread
        List<Double> warmupAmplifications = new ArrayList<>();
        Pass warm = null;
        for (int k = 1; k <= MAX_WARMUPS && (k <= warmups || !jitQuiet(warm.jitSeconds(), warm.seconds())); k++) {
            warm = pass(base.withTopicPrefix(WARMUP_PREFIX + k + "."), APPLICATION_ID + "-warmup-" + k,
                    workDir.resolve("aggregator-warmup-" + k), fixture, false);
            warmupRates.add(records / warm.seconds());
            warmupAmplifications.add(Double.isNaN(warm.amplification()) ? null : warm.amplification());
            log.say("aggregator warm-up pass %d (at least %d): %.2f s = %.0f records/s (x%.2f outputs; JIT compiling %.1f s"
                    + " meanwhile; CPU to the catch-up: %s)", k, warmups, warm.seconds(), records / warm.seconds(), warm.amplification(),
                    warm.jitSeconds(), warm.cpu());
        }
        List<Pass> measuredPasses = new ArrayList<>();
        for (int k = 1; k <= MEASURED_PASSES; k++) {
            measuredPasses.add(pass(k == 1 ? cluster : base.withTopicPrefix("bench-agg-" + k + "."),
                    k == 1 ? APPLICATION_ID : APPLICATION_ID + "-" + k, workDir.resolve("aggregator-state-" + k), fixture, true));
        }
        List<Double> measuredRates = measuredPasses.stream().map(p -> p.seconds() > 0 ? records / p.seconds() : null).toList();
        Pass measured = measuredPasses.stream().sorted(Comparator.comparingDouble(Pass::seconds)).toList()
                .get(MEASURED_PASSES / 2);
        Double aggregatorRate = measured.seconds() > 0 ? records / measured.seconds() : null;
        log.say("aggregator: %d shard results (and %d plan records) to the last of %d output records (%d final: x%.2f) in"
                + " %.2f s = %.0f records/s, the median of %d measured passes (%s records/s; JIT compiling %.1f s in the"
                + " median one)", records, measured.plans(), measured.outputs(), measured.finalRecords(),
                measured.amplification(), measured.seconds(), aggregatorRate, MEASURED_PASSES, rates(measuredRates),
                measured.jitSeconds());
        Topic<ShardResult> source = cluster.topics().shardResults();

        // short passes are noisy: at least rawRepetitions, and on until 2 s of reading
        List<Double> raw = new ArrayList<>();
        double readSeconds = 0;
        while (raw.size() < rawRepetitions || readSeconds < 2 && raw.size() < 50) {
            double rate = rawConsumer(source, records);
            raw.add(rate);
            readSeconds += records / rate;
        }
        Double rawRate = Stats.median(raw);
        log.say("raw consumer: %.0f records/s (median of %d passes)", rawRate, raw.size());
        Double ceiling = null;
        List<Double> referenceRates = List.of();
        try {
            // warm-up passes on their own topics, by the aggregator's rule: its code compiled before it is timed
            List<String> warmRates = new ArrayList<>();
            StreamsCeilingBench.Pass warmReference = null;
            for (int k = 1; k <= MAX_WARMUPS && (k == 1 || !jitQuiet(warmReference.jitSeconds(), warmReference.seconds())); k++) {
                warmReference = new StreamsCeilingBench(base, StreamsCeilingBench.PREFIX_WARMUP + k + ".", workDir, brokerPid)
                        .run(measured.input(), false);
                warmRates.add(String.format("%.0f (JIT %.2f s)", warmReference.recordsPerS(), warmReference.jitSeconds()));
            }
            List<StreamsCeilingBench.Pass> references = new ArrayList<>();
            for (int k = 1; k <= MEASURED_PASSES; k++) {
                String prefix = k == 1 ? StreamsCeilingBench.PREFIX : "bench-ceiling-" + k + ".";
                references.add(new StreamsCeilingBench(base, prefix, workDir, brokerPid).run(measured.input(), true));
            }
            referenceRates = references.stream().map(StreamsCeilingBench.Pass::recordsPerS).toList();
            StreamsCeilingBench.Pass reference = references.stream()
                    .sorted(Comparator.comparingDouble(StreamsCeilingBench.Pass::recordsPerS)).toList().get(MEASURED_PASSES / 2);
            ceiling = reference.recordsPerS();
            log.say("reference: a stateless exactly_once_v2 Streams pass-through decoding the same records: %.0f records/s,"
                    + " the median of %d measured passes (%s), JIT compiling %.2f s in the median one (warm-up passes: %s)",
                    ceiling, MEASURED_PASSES, rates(referenceRates), reference.jitSeconds(), String.join(", ", warmRates));
            log.say("reference: CPU from the input commit to its catch-up, the median pass: %s", reference.cpu());
        } catch (Exception e) {
            log.say("reference Streams pass-through failed: %s", e);
        }
        log.say("aggregator state: %d bytes per model run (changelogs, latest value per key: %s), RocksDB files %d bytes",
                measured.latestBytes() / measured.runsInState(), measured.byStore(), measured.sstBytes());
        // the state holds the primer's runs too
        return new Result(records, measured.runsInState(), rawRate, raw, aggregatorRate, measuredRates, measured.seconds(),
                measured.outputs(), measured.finalRecords(), measured.latestBytes(), measured.totalBytes(), measured.byStore(),
                measured.sstBytes(), measured.stateDirBytes(), ceiling, referenceRates, warmupRates, warmupAmplifications,
                measured.jitSeconds());
    }

    /**
     * One timed pass: the fixture's records (with the planner's plans) written in one transaction to fresh
     * topics while a fresh aggregator application already runs idle; from that commit to its last output readable.
     * Nothing else reads the pass's topics meanwhile: every consumer costs the broker CPU the pass needs (three watchers
     * of the topology's hops took a third of the broker's CPU in run L).
     *
     * <p>The measured pass is primed: the same records under another campaign go through first, untimed, so the timed
     * records meet topics that already hold data, as a running aggregator's do. On fresh topics every partition's
     * first writes fault in the broker's memory-mapped index files (about 85 major page faults for the aggregator's
     * some 40 partitions against 12 for the pass-through's, each a blocking disk access on this machine), and the
     * aggregator's exactly-once commits waited for them: half of its pass in run L. The measured pass also reads the
     * changelogs.
     */
    private Pass pass(ClusterConfig passCluster, String applicationId, Path stateDir, ShardResultFixture fixture,
                      boolean measured) throws Exception {
        Topics topics = passCluster.topics();
        LetheTopicsAdmin.createAll(passCluster, topics);
        List<ProducerRecord<byte[], byte[]>> input = serialize(passCluster, fixture, topics.shardResults());
        List<ProducerRecord<byte[], byte[]>> withPlans = withPlans(passCluster, fixture, input);
        ShardResultFixture primer = fixture.withCampaign(ShardResultFixture.CAMPAIGN + "-primer");
        List<ProducerRecord<byte[], byte[]>> priming = !measured ? List.of()
                : withPlans(passCluster, primer, serialize(passCluster, primer, topics.shardResults()));
        AggregatorConfig config = AggregatorConfig.defaults(passCluster).withApplicationId(applicationId)
                .withStateDir(stateDir).withHttp(AggregatorConfig.DEFAULT_HTTP_HOST, -1).validated();
        double seconds;
        long outputs;
        long finalRecords;
        long jitMillis;
        String cpu;
        long[] bytes = {0, 0};
        Map<String, Long> byStore = new LinkedHashMap<>();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        try (Admin admin = Admin.create(passCluster.clientProperties());
             TopicWatcher<ForgettingMetric> forgetting = new TopicWatcher<>(passCluster, topics.forgetting().name(),
                     AvroSerdes.forTopic(topics.forgetting(), passCluster).deserializer(), true)) {
            AggregatorApp app = AggregatorApp.start(config);
            try {
                if (!app.awaitRunning(Duration.ofMinutes(2))) {
                    throw new IllegalStateException("the aggregator did not reach RUNNING within 2 minutes");
                }
                long primed = 0;
                if (!priming.isEmpty()) {
                    FixtureTransaction.publish(passCluster, "lethe-bench-primer-" + applicationId, priming);
                    if (!new GroupProbe(admin).awaitCaughtUp(applicationId, Duration.ofMinutes(10))) {
                        throw new IllegalStateException("the aggregator did not consume its priming records within 10 minutes");
                    }
                    forgetting.awaitQuiet(Duration.ofSeconds(1), Duration.ofMinutes(2));
                    primed = forgetting.count();
                }
                long jitBefore = jit.getTotalCompilationTime();
                StreamThreadTime threadBefore = StreamThreadTime.of(app.streams());
                CpuUse cpuBefore = CpuUse.now(brokerPid);
                long start = FixtureTransaction.publish(passCluster, "lethe-bench-fixture-" + applicationId, withPlans);
                if (!new GroupProbe(admin).awaitCaughtUp(applicationId, Duration.ofMinutes(10))) {
                    throw new IllegalStateException("the aggregator did not consume " + input.size() + " records within 10 minutes");
                }
                // at the catch-up, before the wait for quiet outputs: the pass's own work, not the idle time after it
                cpu = CpuUse.now(brokerPid).since(cpuBefore);
                String thread = StreamThreadTime.of(app.streams()).since(threadBefore);
                forgetting.awaitQuiet(Duration.ofSeconds(1), Duration.ofMinutes(2));
                jitMillis = jit.getTotalCompilationTime() - jitBefore;
                seconds = (forgetting.lastNanos() - start) / 1e9;
                outputs = forgetting.count() - primed;
                List<TopicWatcher.Arrival<ForgettingMetric>> all = forgetting.arrivals();
                List<TopicWatcher.Arrival<ForgettingMetric>> timed = all.subList((int) primed, all.size());
                finalRecords = timed.stream().map(a -> MetricKeys.of(a.value())).distinct().count();
                if (measured) {
                    log.say("aggregator (%s): output records readable (s after the input commit) at each tenth: %s",
                            applicationId, tenths(timed, start));
                    bytes = changelogBytes(passCluster, applicationId, byStore);
                    log.say("aggregator (%s): stream thread from the input commit to its catch-up: %s", applicationId, thread);
                    log.say("aggregator (%s): CPU from the input commit to its catch-up: %s", applicationId, cpu);
                }
            } finally {
                app.close(); // flushes RocksDB, so the files below hold the whole state
            }
        }
        int runsInState = fixture.runs() * (priming.isEmpty() ? 1 : 2);
        return new Pass(input, withPlans.size() - input.size(), runsInState, seconds, outputs, finalRecords, jitMillis / 1e3, cpu, bytes[0],
                bytes[1], byStore, sizeOf(stateDir, true), sizeOf(stateDir, false));
    }

    private static String rates(List<Double> perSecond) {
        return perSecond.stream().map(r -> r == null ? "n/a" : String.format("%.0f", r)).collect(Collectors.joining(", "));
    }

    private static boolean jitQuiet(double jitSeconds, double passSeconds) {
        return jitSeconds < JIT_QUIET_SHARE * passSeconds;
    }

    /** When each tenth of the outputs was readable: where a slow start or a long tail shows. */
    private static String tenths(List<? extends TopicWatcher.Arrival<?>> arrivals, long start) {
        StringBuilder out = new StringBuilder();
        for (int tenth = 1; tenth <= 10 && !arrivals.isEmpty(); tenth++) {
            long nanos = arrivals.get(Math.max(0, arrivals.size() * tenth / 10 - 1)).nanos();
            out.append(String.format(tenth == 1 ? "%.2f" : " %.2f", (nanos - start) / 1e9));
        }
        return out.toString();
    }

    private static List<ProducerRecord<byte[], byte[]>> serialize(ClusterConfig cluster, ShardResultFixture fixture,
                                                                  Topic<ShardResult> topic) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>((int) fixture.records());
        try (Serializer<ShardResult> serializer = AvroSerdes.forTopic(topic, cluster).serializer()) {
            for (int stage = 0; stage <= fixture.stages(); stage++) {
                for (ShardResult r : fixture.stage(stage)) {
                    out.add(new ProducerRecord<>(topic.name(), ShardResultFixture.key(r).getBytes(StandardCharsets.UTF_8),
                            serializer.serialize(topic.name(), r)));
                }
            }
        }
        return out;
    }


    /**
     * The shard results with the planner's plans in front of each stage (one CheckpointPlan per checkpoint, keyed by
     * run), as the pipeline produces them: the aggregator waits for planned scores before publishing a record.
     */
    private static List<ProducerRecord<byte[], byte[]>> withPlans(ClusterConfig cluster, ShardResultFixture fixture,
                                                                  List<ProducerRecord<byte[], byte[]>> shardRecords) {
        Topic<CheckpointPlan> plans = cluster.topics().checkpointPlans();
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(shardRecords.size() * 65 / 64);
        int perStage = shardRecords.size() / (fixture.stages() + 1);
        try (Serializer<CheckpointPlan> serializer = AvroSerdes.forTopic(plans, cluster).serializer()) {
            for (int stage = 0; stage <= fixture.stages(); stage++) {
                for (CheckpointPlan plan : fixture.plans(stage)) {
                    out.add(new ProducerRecord<>(plans.name(), RecordKeys.checkpointPlan(plan).getBytes(StandardCharsets.UTF_8),
                            serializer.serialize(plans.name(), plan)));
                }
                out.addAll(shardRecords.subList(stage * perStage, (stage + 1) * perStage));
            }
        }
        return out;
    }

    /** One pass of a plain consumer with the Avro deserializer over the N records; records per second. */
    private double rawConsumer(Topic<ShardResult> topic, long records) {
        Map<String, Object> props = new HashMap<>(cluster.clientProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "lethe-bench-raw");
        Deserializer<ShardResult> deserializer = AvroSerdes.forTopic(topic, cluster).deserializer();
        try (KafkaConsumer<String, ShardResult> consumer = new KafkaConsumer<>(props, new StringDeserializer(), deserializer)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long start = System.nanoTime();
            long seen = 0;
            long items = 0;
            long deadline = start + Duration.ofMinutes(5).toNanos();
            while (seen < records) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("raw consumer read only " + seen + " of " + records + " records");
                }
                for (ConsumerRecord<String, ShardResult> r : consumer.poll(Duration.ofMillis(200))) {
                    seen++;
                    items += r.value().getN(); // touch the decoded value, as any consumer would
                }
            }
            long nanos = System.nanoTime() - start;
            if (items <= 0) {
                throw new IllegalStateException("raw consumer decoded no items");
            }
            return seen * 1e9 / nanos;
        }
    }

    /** {latest value per key, all records} bytes (key + value) over the three changelog topics; per store into byStore. */
    private static long[] changelogBytes(ClusterConfig cluster, String applicationId, Map<String, Long> byStore) {
        Map<String, Object> props = new HashMap<>(cluster.clientProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        long latest = 0;
        long total = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (String store : STORES) {
                String changelog = applicationId + "-" + store + "-changelog";
                List<TopicPartition> partitions = consumer.partitionsFor(changelog, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
                Map<String, Integer> sizes = new LinkedHashMap<>();
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("could not read changelog " + changelog + " to its end in 2 minutes");
                    }
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        int size = (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
                        total += size;
                        String key = r.partition() + "/" + new String(r.key(), StandardCharsets.ISO_8859_1);
                        if (r.value() == null) {
                            sizes.remove(key);
                        } else {
                            sizes.put(key, size);
                        }
                    }
                }
                long storeBytes = sizes.values().stream().mapToLong(Integer::longValue).sum();
                byStore.put(store, storeBytes);
                latest += storeBytes;
            }
        }
        return new long[] {latest, total};
    }

    private static long sizeOf(Path dir, boolean sstOnly) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !sstOnly || p.getFileName().toString().endsWith(".sst"))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
    }

}
