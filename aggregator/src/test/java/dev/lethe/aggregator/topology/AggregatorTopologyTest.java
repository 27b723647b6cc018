package dev.lethe.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import dev.lethe.aggregator.app.AggregatorConfig;
import dev.lethe.aggregator.metrics.AlertConfig;
import dev.lethe.aggregator.metrics.FamilyMetrics;
import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.RunMetrics;
import dev.lethe.aggregator.metrics.ScoreMatrix;
import dev.lethe.schemas.AlertRule;
import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.AlertState;
import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.CheckpointPlan;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import dev.lethe.schemas.PlannedElement;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.json.MetricKeys;
import dev.lethe.schemas.registry.InMemorySchemaRegistryClient;
import dev.lethe.schemas.topics.RecordKeys;
import dev.lethe.schemas.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AggregatorTopologyTest {

    private static final RunKey RUN = new RunKey("camp", "mlp", "mlp-a");
    private static final RunKey SIBLING = new RunKey("camp", "mlp", "mlp-b");
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final Instant WALL_CLOCK = Instant.parse("2026-03-01T00:00:00Z");

    @TempDir
    Path stateDir;

    private final Topics topics = Topics.defaults();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> shardInput;
    private TestOutputTopic<String, BenchmarkScore> scores;
    private TestOutputTopic<String, ForgettingMetric> forgetting;
    private TestOutputTopic<String, KnowledgeLossAlert> alerts;
    private TestOutputTopic<String, DeadLetter> dlq;
    private Serializer<ShardResult> shardSerializer;
    private AggregatorSerdes serdes;
    private long clock;

    @BeforeEach
    void start() {
        AggregatorConfig config = AggregatorConfig.defaults(ClusterConfig.of("127.0.0.1:9092", "http://127.0.0.1:8081"));
        serdes = AggregatorSerdes.of(new InMemorySchemaRegistryClient());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "aggregator-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(AggregatorTopology.build(config, serdes), props, WALL_CLOCK);
        shardInput = driver.createInputTopic(topics.shardResults().name(), new ByteArraySerializer(), new ByteArraySerializer());
        StringDeserializer keys = new StringDeserializer();
        scores = driver.createOutputTopic(topics.benchmarkScores().name(), keys, serdes.benchmarkScore().deserializer());
        forgetting = driver.createOutputTopic(topics.forgetting().name(), keys, serdes.forgettingMetric().deserializer());
        alerts = driver.createOutputTopic(topics.alerts().name(), keys, serdes.alert().deserializer());
        dlq = driver.createOutputTopic(topics.dlq(topics.shardResults()).name(), keys, serdes.deadLetter().deserializer());
        shardSerializer = serdes.shardResult().serializer();
        clock = T0.toEpochMilli();
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** Pipes shards one second apart; returns the timestamp of the last one (the completion time). */
    private Instant send(List<ShardResult> shards) {
        for (ShardResult shard : shards) {
            clock += 1000;
            String key = RecordKeys.shardResult(shard);
            shardInput.pipeInput(key.getBytes(StandardCharsets.UTF_8),
                    shardSerializer.serialize(topics.shardResults().name(), shard), Instant.ofEpochMilli(clock));
        }
        publish();
        return Instant.ofEpochMilli(clock);
    }

    /** Pipes shards one second apart without letting a publication interval pass. */
    private void pipe(List<ShardResult> shards) {
        for (ShardResult shard : shards) {
            clock += 1000;
            shardInput.pipeInput(RecordKeys.shardResult(shard).getBytes(StandardCharsets.UTF_8),
                    shardSerializer.serialize(topics.shardResults().name(), shard), Instant.ofEpochMilli(clock));
        }
    }

    /**
     * Lets two publication intervals pass, as a running aggregator would: run records and alerts are published once per
     * commit interval, and the FAMILY records they feed at the family aggregator's next one.
     */
    private void publish() {
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        driver.advanceWallClockTime(Duration.ofSeconds(1));
    }

    private Instant send(RunKey run, int stage, String benchmark, String category, String items, int shardCount) {
        return send(Shards.of(run, stage, benchmark, category, items, shardCount));
    }

    private static List<ForgettingMetric> values(List<KeyValue<String, ForgettingMetric>> records) {
        records.forEach(r -> assertThat(r.key).isEqualTo(r.value.getFamily())); // key family
        return records.stream().map(r -> r.value).toList();
    }

    @Test
    void shouldEmitOneBenchmarkScoreAndTheRunsRecordsWhenEveryShardIsIn() {
        String before = Shards.items(10, 8);
        String after = Shards.items(10, 6);
        Instant t0 = send(RUN, 0, "e1", "dk", before, 3);
        Instant t1 = send(RUN, 1, "e1", "dk", after, 2);

        List<BenchmarkScore> assembled = scores.readValuesToList();
        assertThat(assembled).hasSize(2);
        BenchmarkScore first = assembled.get(0);
        assertThat(first.getCheckpointId()).isEqualTo("camp/mlp-a/0");
        assertThat(first.getN()).isEqualTo(10);
        assertThat(first.getCorrect()).isEqualTo(8);
        assertThat(first.getAccuracyPct()).isEqualTo(80.0);
        assertThat(first.getStderrPp()).isCloseTo(100 * Math.sqrt(0.8 * 0.2 / 9), within(1e-12));
        assertThat(first.getShardsSeen()).isEqualTo(3);
        assertThat(first.getItemBits()).isEqualTo(ByteBuffer.wrap(new byte[] {(byte) 0xff, 0x00}));
        assertThat(first.getUpdatedAt()).isEqualTo(t0);

        ScoreMatrix expected = ScoreMatrix.of(RUN, List.of(Shards.cell(0, "e1", "dk", before, t0),
                Shards.cell(1, "e1", "dk", after, t1)));
        List<ForgettingMetric> records = values(forgetting.readKeyValuesToList());
        List<ForgettingMetric> all = RunMetrics.compute(expected);
        // stage 0 on its own opens the gate (3 records); stage 1 adds its 3; then FAMILY dk at 0 and at 1
        List<ForgettingMetric> want = new ArrayList<>(all.subList(0, 3));
        want.add(FamilyMetrics.compute("camp", "mlp", "dk", 0, List.of(RunMetrics.compute(
                ScoreMatrix.of(RUN, List.of(Shards.cell(0, "e1", "dk", before, t0)))).get(1))));
        want.addAll(all.subList(3, 6));
        want.add(FamilyMetrics.compute("camp", "mlp", "dk", 1, List.of(all.get(4))));
        assertThat(records).containsExactlyElementsOf(want);
        ForgettingMetric element = records.get(4);
        assertThat(element.getScope()).isEqualTo(MetricScope.ELEMENT);
        assertThat(element.getFgPct()).isCloseTo(25.0, within(1e-12));
        assertThat(element.getDeltaPrevPp()).isCloseTo(-20.0, within(1e-12));
        assertThat(element.getUpdatedAt()).isEqualTo(t1);
        assertThat(records.get(7).getScope()).isEqualTo(MetricScope.FAMILY);
        assertThat(records.get(7).getModels()).isEqualTo(1);
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void shouldPublishWhatTheEventsOfOneIntervalChangedOnce() {
        for (int stage = 0; stage < 2; stage++) { // nothing announced: every record is publishable as soon as it changes
            pipe(Shards.of(RUN, stage, "e1", "dk", Shards.items(10, 9 - stage), 1));
            pipe(Shards.of(RUN, stage, "e2", "dk", Shards.items(10, 8 - stage), 1));
            pipe(Shards.of(RUN, stage, "e3", "rc", Shards.items(10, 7 - stage), 1));
        }
        assertThat(forgetting.isEmpty()).isTrue(); // waiting for the publication
        publish();

        List<ForgettingMetric> records = values(forgetting.readKeyValuesToList());
        // each record once, with all three elements in: 2 stages x (3 ELEMENT + 2 CATEGORY + 1 MODEL + 2 FAMILY)
        assertThat(records).hasSize(16);
        assertThat(records.stream().map(MetricKeys::of).distinct()).hasSize(16);
        assertThat(records).filteredOn(r -> r.getScope() == MetricScope.MODEL)
                .allSatisfy(r -> assertThat(r.getElementsCovered()).isEqualTo(3));

        publish(); // nothing changed since: nothing more
        assertThat(forgetting.isEmpty()).isTrue();
    }

    @Test
    void shouldEmitNothingWhenAShardIsMissing() {
        List<ShardResult> shards = Shards.of(RUN, 0, "e1", "dk", Shards.items(9, 5), 3);
        send(shards.subList(0, 2));

        assertThat(scores.isEmpty()).isTrue();
        assertThat(forgetting.isEmpty()).isTrue();

        send(shards.subList(2, 3));
        assertThat(scores.readValuesToList()).singleElement().satisfies(s -> assertThat(s.getCorrect()).isEqualTo(5));
    }

    @Test
    void shouldChangeNothingWhenShardsAreRedelivered() {
        List<ShardResult> stage0 = Shards.of(RUN, 0, "e1", "dk", Shards.items(8, 8), 2);
        List<ShardResult> stage1 = Shards.of(RUN, 1, "e1", "dk", Shards.items(8, 4), 2);
        send(List.of(stage0.get(0), stage0.get(0), stage0.get(1)));
        send(stage1);
        long scoreCount = scores.readValuesToList().size();
        long metricCount = forgetting.readValuesToList().size();
        assertThat(scoreCount).isEqualTo(2);
        assertThat(metricCount).isEqualTo(8);
        assertThat(alerts.readValuesToList()).extracting(KnowledgeLossAlert::getRule)
                .containsExactly(AlertRule.FG_THRESHOLD); // fg 50% at stage 1; the 4-item drop is not significant

        send(stage0); // a republished checkpoint's shards after completion
        send(stage1.subList(1, 2));

        assertThat(scores.isEmpty()).isTrue();
        assertThat(forgetting.isEmpty()).isTrue();
        assertThat(alerts.isEmpty()).isTrue();
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void shouldReemitTheLaterStagesWhenStageThreeArrivesBeforeStageTwo() {
        Instant t0 = send(RUN, 0, "e1", "dk", Shards.items(20, 20), 1);
        Instant t1 = send(RUN, 1, "e1", "dk", Shards.items(20, 18), 1);
        Instant t3 = send(RUN, 3, "e1", "dk", Shards.items(20, 10), 1);
        forgetting.readValuesToList();

        Instant t2 = send(RUN, 2, "e1", "dk", Shards.items(20, 16), 1);

        List<ForgettingMetric> records = values(forgetting.readKeyValuesToList());
        ScoreMatrix full = ScoreMatrix.of(RUN, List.of(Shards.cell(0, "e1", "dk", Shards.items(20, 20), t0),
                Shards.cell(1, "e1", "dk", Shards.items(20, 18), t1), Shards.cell(2, "e1", "dk", Shards.items(20, 16), t2),
                Shards.cell(3, "e1", "dk", Shards.items(20, 10), t3)));
        List<ForgettingMetric> all = RunMetrics.compute(full);
        List<ForgettingMetric> runRecords = records.stream().filter(r -> r.getScope() != MetricScope.FAMILY).toList();
        // stages 2 and 3: ELEMENT, CATEGORY, MODEL each, exactly the library's final records
        assertThat(runRecords).containsExactlyElementsOf(all.subList(6, 12));
        ForgettingMetric stage3 = runRecords.get(3);
        assertThat(stage3.getStage()).isEqualTo(3);
        assertThat(stage3.getFgPct()).isCloseTo((10 + 20 + 50) / 3.0, within(1e-12)); // K(3) = {1, 2, 3} now
        assertThat(stage3.getDeltaPrevPp()).isCloseTo(-30.0, within(1e-12)); // p(3) = 2 now
        assertThat(stage3.getStagesCovered()).isEqualTo(3);
        assertThat(stage3.getUpdatedAt()).isEqualTo(t2);
        assertThat(records.stream().filter(r -> r.getScope() == MetricScope.FAMILY).map(ForgettingMetric::getStage))
                .containsExactly(2, 3);
    }

    @Test
    void shouldHoldARunsRecordsUntilItsBaselineArrives() {
        Instant t1 = send(RUN, 1, "e1", "dk", Shards.items(10, 7), 1);
        Instant t2 = send(RUN, 2, "e1", "dk", Shards.items(10, 6), 1);
        Instant u1 = send(RUN, 1, "e2", "rc", Shards.items(10, 9), 2);
        assertThat(scores.readValuesToList()).hasSize(3);
        assertThat(forgetting.isEmpty()).isTrue();
        assertThat(alerts.isEmpty()).isTrue();

        Instant t0 = send(RUN, 0, "e1", "dk", Shards.items(10, 8), 2);

        ScoreMatrix full = ScoreMatrix.of(RUN, List.of(Shards.cell(1, "e1", "dk", Shards.items(10, 7), t1),
                Shards.cell(2, "e1", "dk", Shards.items(10, 6), t2), Shards.cell(1, "e2", "rc", Shards.items(10, 9), u1),
                Shards.cell(0, "e1", "dk", Shards.items(10, 8), t0)));
        List<ForgettingMetric> records = values(forgetting.readKeyValuesToList());
        assertThat(records.stream().filter(r -> r.getScope() != MetricScope.FAMILY).toList())
                .containsExactlyElementsOf(RunMetrics.compute(full));
        // e2 has no baseline: its element record is there with null FG, its category has no record
        ForgettingMetric e2 = records.stream().filter(r -> "e2".equals(r.getBenchmark())).findFirst().orElseThrow();
        assertThat(e2.getFgPct()).isNull();
        assertThat(e2.getElementsCovered()).isZero();
        assertThat(records.stream().filter(r -> r.getScope() == MetricScope.CATEGORY).map(ForgettingMetric::getCategory))
                .containsOnly("dk");
        assertThat(records.stream().filter(r -> r.getScope() == MetricScope.FAMILY).map(ForgettingMetric::getStage))
                .containsExactly(0, 1, 2);
    }

    @Test
    void shouldDeadLetterPoisonAndInconsistentShardsAndKeepGoing() {
        byte[] poison = {0x00, 0x00, 0x00, 0x7f, 0x01, 0x02};
        shardInput.pipeInput("camp/mlp-a/0/e1".getBytes(StandardCharsets.UTF_8), poison, T0);
        shardInput.pipeInput("k".getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8), T0);
        List<ShardResult> good = Shards.of(RUN, 0, "e1", "dk", Shards.items(6, 3), 2);
        send(good.subList(0, 1));
        send(List.of(ShardResult.newBuilder(good.get(1)).setShardCount(3).build()));
        send(List.of(ShardResult.newBuilder(good.get(1)).setSuiteVersion("v2").build()));
        send(List.of(ShardResult.newBuilder(good.get(1)).setCorrect(2).build())); // bits say 0 right, correct says 2
        ShardResult negative = ShardResult.newBuilder(good.get(1)).setStage(-1).build();
        shardInput.pipeInput("other-key".getBytes(StandardCharsets.UTF_8), // re-keyed by run, then refused there
                shardSerializer.serialize(topics.shardResults().name(), negative), T0);

        List<TestRecord<String, DeadLetter>> dead = dlq.readRecordsToList();
        assertThat(dead).extracting(r -> r.value().getReason()).containsExactly(
                DeadLetterReason.DESERIALIZATION, DeadLetterReason.DESERIALIZATION,
                DeadLetterReason.SHARD_COUNT_MISMATCH, DeadLetterReason.SUITE_VERSION_MISMATCH,
                DeadLetterReason.VALIDATION, DeadLetterReason.VALIDATION);
        DeadLetter first = dead.get(0).value();
        assertThat(first.getSourceTopic()).isEqualTo("lethe.shard-results");
        assertThat(first.getOffset()).isZero();
        assertThat(first.getPartition()).isZero();
        assertThat(first.getValue()).isEqualTo(ByteBuffer.wrap(poison));
        assertThat(first.getKey()).isEqualTo(ByteBuffer.wrap("camp/mlp-a/0/e1".getBytes(StandardCharsets.UTF_8)));
        assertThat(first.getComponent()).isEqualTo("aggregator");
        assertThat(first.getExceptionClass()).isEqualTo("dev.lethe.schemas.serde.AvroSerdeException");
        assertThat(first.getTimestamp()).isEqualTo(WALL_CLOCK);
        assertThat(dead.get(1).value().getMessage()).contains("magic byte");
        assertThat(dead.get(2).value().getMessage()).contains("shardCount 3").contains("say 2");
        assertThat(dead.get(4).value().getMessage()).contains("correct is 2");
        DeadLetter rekeyed = dead.get(5).value(); // names the record its producer wrote, not the internal topic
        assertThat(rekeyed.getMessage()).contains("negative stage -1");
        assertThat(rekeyed.getSourceTopic()).isEqualTo("lethe.shard-results");
        assertThat(rekeyed.getKey()).isEqualTo(ByteBuffer.wrap("other-key".getBytes(StandardCharsets.UTF_8)));
        assertThat(dead.get(5).key()).isEqualTo("other-key");
        assertThat(scores.isEmpty()).isTrue();

        send(good.subList(1, 2)); // the consistent shard still completes the element
        assertThat(scores.readValuesToList()).singleElement().satisfies(s -> assertThat(s.getCorrect()).isEqualTo(3));
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void shouldWaitForThePlannedPreviousStageBeforeJudgingADropWhenTheLaterStageArrivesFirst() {
        TestInputTopic<byte[], byte[]> plans = driver.createInputTopic(topics.checkpointPlans().name(), new ByteArraySerializer(),
                new ByteArraySerializer());
        for (int stage = 0; stage <= 2; stage++) { // the planner's plans, keyed by run as the planner writes them
            CheckpointPlan plan = RandomCampaign.plan(RUN, stage, List.of(new PlannedElement("e1", "dk")));
            plans.pipeInput(RecordKeys.checkpointPlan(plan).getBytes(StandardCharsets.UTF_8),
                    serdes.checkpointPlan().serializer().serialize(topics.checkpointPlans().name(), plan), T0);
        }
        send(RUN, 0, "e1", "dk", Shards.items(100, 95), 2);
        send(RUN, 2, "e1", "dk", Shards.items(100, 60), 2); // 35 pp under stage 0, but stage 1 is planned and not in
        assertThat(alerts.readValuesToList()).as("alerts before stage 1 is in")
                .noneMatch(a -> a.getRule() == AlertRule.PAIRED_DROP);

        send(RUN, 1, "e1", "dk", Shards.items(100, 40), 2); // the true previous stage: stage 2 improved on it
        assertThat(alerts.readValuesToList()).filteredOn(a -> a.getRule() == AlertRule.PAIRED_DROP)
                .extracting(KnowledgeLossAlert::getStage, KnowledgeLossAlert::getPreviousStage, KnowledgeLossAlert::getState)
                .containsExactly(tuple(1, 0, AlertState.FIRING));
    }

    @Test
    void shouldRefuseANameTooLongForTheStateAndKeepGoing() {
        send(Shards.of(RUN, 0, "e1", "dk", Shards.items(6, 3), 2)); // the run is known: a refusal would reach its state
        String huge = "x".repeat(70_000); // more than modified UTF-8 can write
        TestInputTopic<byte[], byte[]> plans = driver.createInputTopic(topics.checkpointPlans().name(), new ByteArraySerializer(),
                new ByteArraySerializer());
        CheckpointPlan plan = RandomCampaign.plan(RUN, 1, List.of(
                new PlannedElement(huge, "dk"), // skipped
                new PlannedElement("e2", "dk"))); // awaited, until its shards are refused
        plans.pipeInput(RUN.id().getBytes(StandardCharsets.UTF_8),
                serdes.checkpointPlan().serializer().serialize(topics.checkpointPlans().name(), plan), T0);
        send(Shards.of(RUN, 1, huge, "dk", Shards.items(6, 3), 2)); // dead-lettered; no refusal could be kept
        send(Shards.of(RUN, 1, "task-" + huge, "e2", "dk", Shards.items(6, 3), 2)); // dead-lettered and refused
        send(Shards.of(RUN, 1, "e1", "dk", Shards.items(6, 2), 2));

        assertThat(dlq.readValuesToList()).extracting(DeadLetter::getReason, d -> d.getMessage().contains("benchmark has 70000")
                        || d.getMessage().contains("task has 70005"))
                .containsOnly(tuple(DeadLetterReason.VALIDATION, true)).hasSize(4);
        assertThat(scores.readValuesToList()).extracting(BenchmarkScore::getBenchmark).containsExactly("e1", "e1");
        // e2 is no longer awaited: its category and the model are complete at stage 1 and published
        assertThat(forgetting.readValuesToList()).filteredOn(m -> m.getStage() == 1).extracting(ForgettingMetric::getScope)
                .contains(MetricScope.CATEGORY, MetricScope.MODEL);
    }

    @Test
    void shouldCarryTheChanceLevelFromTheShardsToTheRecordsAndDeadLetterAShardThatDisagrees() {
        List<ShardResult> baseline = Shards.of(RUN, 0, "e1", "dk", Shards.items(10, 8), 2).stream()
                .map(shard -> ShardResult.newBuilder(shard).setChancePct(25.0).build()).toList();
        send(baseline.subList(0, 1));
        send(List.of(ShardResult.newBuilder(baseline.get(1)).setChancePct(50.0).build()));
        assertThat(dlq.readValuesToList()).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo(DeadLetterReason.VALIDATION);
            assertThat(d.getMessage()).contains("chance");
        });

        send(baseline.subList(1, 2));
        send(Shards.of(RUN, 1, "e1", "dk", Shards.items(10, 5), 1).stream()
                .map(shard -> ShardResult.newBuilder(shard).setChancePct(25.0).build()).toList());

        assertThat(scores.readValuesToList()).extracting(BenchmarkScore::getChancePct).containsExactly(25.0, 25.0);
        ForgettingMetric element = values(forgetting.readKeyValuesToList()).stream()
                .filter(m -> m.getScope() == MetricScope.ELEMENT && m.getStage() == 1).findFirst().orElseThrow();
        assertThat(element.getChancePct()).isEqualTo(25.0);
        // 80 % -> 50 % with chance 25 %: 30 of the 55 pp above chance lost
        assertThat(element.getChanceNormalisedFgPct()).isCloseTo(30.0 / 55 * 100, within(1e-9));
        assertThat(element.getFgPct()).isCloseTo(37.5, within(1e-9));
    }

    @Test
    void shouldDeadLetterAScoreWhenTheRunsSuiteVersionChanges() {
        send(RUN, 0, "e1", "dk", Shards.items(4, 4), 1);
        forgetting.readValuesToList();
        scores.readValuesToList();
        List<ShardResult> other = Shards.of(RUN, 1, "e1", "dk", Shards.items(4, 2), 1);
        send(List.of(ShardResult.newBuilder(other.get(0)).setSuiteVersion("v2").build()));

        assertThat(scores.getQueueSize()).isEqualTo(1); // the element itself is complete
        assertThat(forgetting.isEmpty()).isTrue();
        DeadLetter dead = dlq.readValue();
        assertThat(dead.getReason()).isEqualTo(DeadLetterReason.SUITE_VERSION_MISMATCH);
        assertThat(dead.getMessage()).contains("suite version v2").contains("camp/mlp-a was scored with v1");
    }

    @Test
    void shouldAlertOnAPairedSignificantDropButNotOnALargeUnpairedOne() {
        // paired: 100 items, 90 right -> 60 right with b = 30, c = 0 : p = 2^-29, drop 30 pp -> CRITICAL
        Instant t0 = send(RUN, 0, "e1", "dk", Shards.items(100, 90), 2);
        Instant t1 = send(RUN, 1, "e1", "dk", Shards.items(100, 60), 2);
        // unpaired (shards of different item counts): 20 items at stage 0, 14 of 20 -> 3 of 5 ... use other n
        send(RUN, 0, "e2", "rc", Shards.items(20, 18), 1);
        send(RUN, 1, "e2", "rc", Shards.items(10, 7), 1); // 90% -> 70%: 20 pp, relative 22%, z-test p ~ 0.15

        List<TestRecord<String, KnowledgeLossAlert>> raised = alerts.readRecordsToList();
        List<KnowledgeLossAlert> drops = raised.stream().map(TestRecord::value)
                .filter(a -> a.getRule() != AlertRule.FG_THRESHOLD).toList();
        assertThat(drops).singleElement().satisfies(a -> {
            assertThat(a.getAlertId()).isEqualTo("camp/mlp-a/stage-1/e1/PAIRED_DROP");
            assertThat(a.getRule()).isEqualTo(AlertRule.PAIRED_DROP);
            assertThat(a.getSeverity()).isEqualTo(AlertSeverity.CRITICAL);
            assertThat(a.getB()).isEqualTo(30);
            assertThat(a.getC()).isZero();
            assertThat(a.getN()).isEqualTo(100);
            assertThat(a.getPValue()).isCloseTo(2 * Math.pow(0.5, 30), within(1e-15));
            assertThat(a.getDropPp()).isCloseTo(30.0, within(1e-12));
            assertThat(a.getRelativeDropPct()).isCloseTo(100.0 / 3, within(1e-12));
            assertThat(a.getPreviousStage()).isZero();
            assertThat(a.getCategory()).isEqualTo("dk");
            assertThat(a.getCreatedAt()).isEqualTo(t1);
        });
        assertThat(raised).allSatisfy(r -> assertThat(r.key()).isEqualTo("mlp"));
        // the e2 drop was tested (unpaired) and is not significant after Bonferroni over 2 elements
        assertThat(raised.stream().map(r -> r.value().getBenchmark())).doesNotContain("e2");
        assertThat(t0).isBefore(t1);
    }

    @Test
    void shouldAverageTheFamilysRunsWhenASiblingRunReports() {
        send(RUN, 0, "e1", "dk", Shards.items(10, 10), 1);
        send(RUN, 1, "e1", "dk", Shards.items(10, 8), 1);
        send(SIBLING, 0, "e1", "dk", Shards.items(10, 10), 1);
        forgetting.readValuesToList();

        send(SIBLING, 1, "e1", "dk", Shards.items(10, 6), 1);

        List<ForgettingMetric> family = forgetting.readValuesToList().stream()
                .filter(r -> r.getScope() == MetricScope.FAMILY).toList();
        assertThat(family).singleElement().satisfies(f -> {
            assertThat(f.getStage()).isEqualTo(1);
            assertThat(f.getModels()).isEqualTo(2);
            assertThat(f.getFgPct()).isCloseTo(30.0, within(1e-12)); // mean(20, 40)
            assertThat(f.getModel()).isNull();
            assertThat(f.getCategory()).isEqualTo("dk");
        });
    }

    @Test
    void shouldNameEveryNodeAndStoreWhenBuilt() {
        TopologyDescription description = AggregatorTopology.build(
                AggregatorConfig.defaults(ClusterConfig.of("127.0.0.1:9092", "http://127.0.0.1:8081")),
                AggregatorSerdes.of(new InMemorySchemaRegistryClient())).describe();

        assertThat(description.subtopologies()).hasSize(3);
        List<String> names = new ArrayList<>();
        List<String> stores = new ArrayList<>();
        description.subtopologies().forEach(sub -> sub.nodes().forEach(node -> {
            names.add(node.name());
            if (node instanceof TopologyDescription.Processor processor) {
                stores.addAll(processor.stores());
            }
        }));
        assertThat(names).noneMatch(name -> name.startsWith("KSTREAM-") || name.startsWith("KTABLE-"));
        assertThat(stores).containsExactlyInAnyOrder(AggregatorTopology.SHARD_STORE, AggregatorTopology.SHARD_STORE,
                AggregatorTopology.RUN_SUMMARIES, AggregatorTopology.RUN_SERIES, AggregatorTopology.RUN_CELLS,
                AggregatorTopology.RUN_STAGES, AggregatorTopology.RUN_PENDING, AggregatorTopology.FAMILY_STORE);
    }

    @Test
    void shouldAggregateARunInTheTaskThatReadsItsShardResults() {
        TopologyDescription description = AggregatorTopology.build(
                AggregatorConfig.defaults(ClusterConfig.of("127.0.0.1:9092", "http://127.0.0.1:8081")),
                AggregatorSerdes.of(new InMemorySchemaRegistryClient()), 5).describe();

        TopologyDescription.Subtopology runs = description.subtopologies().stream()
                .filter(sub -> sub.nodes().stream().anyMatch(node -> node.name().equals("run-aggregator")))
                .findFirst().orElseThrow();
        List<String> sources = runs.nodes().stream()
                .filter(node -> node instanceof TopologyDescription.Source)
                .flatMap(node -> ((TopologyDescription.Source) node).topicSet().stream()).toList();
        // no repartition between a run's results, its plans and its state: only the re-keyed stragglers and the
        // workers' refusals cross one
        assertThat(sources).containsExactlyInAnyOrder("lethe.shard-results", "lethe.checkpoint-plans",
                AggregatorTopology.SHARDS_BY_RUN + "-repartition", AggregatorTopology.ANNOUNCEMENTS_BY_RUN + "-repartition");
    }

    @Test
    void shouldCountShardsKeyedOtherwiseOnceReKeyedByRun() {
        List<ShardResult> shards = Shards.of(RUN, 0, "e1", "dk", Shards.items(9, 5), 3);
        send(shards.subList(0, 1));
        byte[] oldStyle = (shards.get(1).getCheckpointId() + "/e1").getBytes(StandardCharsets.UTF_8);
        shardInput.pipeInput(oldStyle, shardSerializer.serialize(topics.shardResults().name(), shards.get(1)), T0);
        shardInput.pipeInput((byte[]) null, shardSerializer.serialize(topics.shardResults().name(), shards.get(2)), T0);
        publish();

        assertThat(scores.readValuesToList()).singleElement().satisfies(s -> {
            assertThat(s.getCorrect()).isEqualTo(5);
            assertThat(s.getShardsSeen()).isEqualTo(3);
        });
        assertThat(forgetting.readValuesToList()).extracting(ForgettingMetric::getScope).contains(MetricScope.ELEMENT);
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void shouldUseTheDocumentedAlertDefaultsWhenNoneAreConfigured() {
        assertThat(AggregatorConfig.defaults(ClusterConfig.of("h:1", "http://h:2")).alerts()).isEqualTo(AlertConfig.defaults());
    }
}
