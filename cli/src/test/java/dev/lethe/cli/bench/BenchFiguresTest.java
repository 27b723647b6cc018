package dev.lethe.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.cli.LetheMain;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.bits.ItemBits;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pure parts of lethe bench: the arithmetic, the overhead accounting, the input fixture and the JSON shape. */
class BenchFiguresTest {

    @Test
    void shouldTakeNearestRankPercentilesWhenSamplesAreFew() {
        List<Double> samples = List.of(500.0, 100.0, 400.0, 200.0, 300.0);
        assertThat(Stats.percentile(samples, 50)).isEqualTo(300.0);
        assertThat(Stats.percentile(samples, 99)).isEqualTo(500.0); // never an interpolated, unmeasured value
        assertThat(Stats.percentile(samples, 20)).isEqualTo(100.0);
        assertThat(Stats.percentile(List.of(), 50)).isNull();
        assertThatThrownBy(() -> Stats.percentile(samples, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldAverageTheMiddleTwoWhenTheMedianHasAnEvenCount() {
        assertThat(Stats.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
        assertThat(Stats.median(List.of(7L, 1L, 3L))).isEqualTo(3.0);
        assertThat(Stats.median(List.of())).isNull();
    }

    @Test
    void shouldGiveNoRatioWhenTheDenominatorIsMissingOrZero() {
        assertThat(Stats.ratio(3.0, 12.0)).isEqualTo(0.25);
        assertThat(Stats.ratio(3.0, 0.0)).isNull();
        assertThat(Stats.ratio(null, 2.0)).isNull();
        assertThat(Stats.ratio(3.0, null)).isNull();
        assertThat(Stats.perSecond(500, 250_000_000L)).isEqualTo(2000.0);
        assertThat(Stats.perSecond(500, 0)).isNull();
    }

    @Test
    void shouldSubtractTheBatchsLaterScoringWhenShardsShareOneCommit() {
        long ms = 1_000_000L;
        List<ShardOverhead.Event> timeline = List.of(
                new ShardOverhead.Started("a", 0), new ShardOverhead.Started("b", 12 * ms),
                new ShardOverhead.Committed(30 * ms),
                new ShardOverhead.Started("c", 40 * ms), new ShardOverhead.Committed(55 * ms));
        ShardOverhead.Result r = ShardOverhead.compute(timeline, Map.of("a", 10L, "b", 10L, "c", 5L));
        // a: 30 ms to the commit minus its own and b's scoring; b: 18 - 10; c: 15 - 5
        assertThat(r.perShardMs()).containsExactly(10.0, 8.0, 10.0);
        // per batch: (30 - 20) / 2 and (15 - 5) / 1
        assertThat(r.perBatchMs()).containsExactly(5.0, 10.0);
        // from the last shard's start to the commit, minus its scoring: 18 - 10 and 15 - 5
        assertThat(r.tailMs()).containsExactly(8.0, 10.0);
        assertThat(r.batches()).isEqualTo(2);
    }

    @Test
    void shouldCountOnlyTheLastAttemptWhenAnAbandonedBatchIsPolledAgain() {
        long ms = 1_000_000L;
        List<ShardOverhead.Event> timeline = List.of(
                new ShardOverhead.Started("a", 0), // abandoned (a rebalance): no commit
                new ShardOverhead.Started("a", 100 * ms), new ShardOverhead.Committed(110 * ms),
                new ShardOverhead.Started("x", 200 * ms), new ShardOverhead.Committed(210 * ms)); // x's time unknown
        ShardOverhead.Result r = ShardOverhead.compute(timeline, Map.of("a", 4L));
        assertThat(r.perShardMs()).containsExactly(6.0);
        assertThat(r.batches()).isEqualTo(1);
    }

    @Test
    void shouldShapeTheFixtureLikeTheMetricTableWhenRecordsAreAsked() {
        ShardResultFixture fixture = ShardResultFixture.forRecords(3_000);
        assertThat(fixture.stages()).isEqualTo(20);
        assertThat(fixture.benchmarks()).isEqualTo(16);
        assertThat(fixture.recordsPerRun()).isEqualTo(21 * 16 * 4);
        assertThat(fixture.runs()).isEqualTo(3); // 3000 / 1344 rounded up to whole model runs
        assertThat(fixture.records()).isEqualTo(3 * 1344L).isGreaterThanOrEqualTo(3_000);

        List<ShardResult> all = new ArrayList<>();
        for (int s = 0; s <= fixture.stages(); s++) {
            all.addAll(fixture.stage(s));
        }
        assertThat(all).hasSize((int) fixture.records());
        Set<String> taskIds = new HashSet<>();
        for (ShardResult r : all) {
            assertThat(taskIds.add(r.getTaskId())).as("task ids are unique").isTrue();
            byte[] bits = toArray(r.getItemBits());
            assertThat(ItemBits.count(bits, r.getN())).isEqualTo(r.getCorrect());
            assertThat(r.getItemEnd() - r.getItemStart()).isEqualTo(r.getN());
            assertThat(ShardResultFixture.key(r)).isEqualTo(r.getCampaign() + "/" + r.getModel());
            assertThat(r.getTask() == null).isEqualTo(r.getStage() == 0);
        }
        // deterministic, and accuracy falls with the stage (there is forgetting to compute)
        assertThat(fixture.result(1, 5, 3, 2)).isEqualTo(fixture.result(1, 5, 3, 2));
        double early = all.stream().filter(r -> r.getStage() == 0).mapToInt(ShardResult::getCorrect).average().orElseThrow();
        double late = all.stream().filter(r -> r.getStage() == 20).mapToInt(ShardResult::getCorrect).average().orElseThrow();
        assertThat(late).isLessThan(early);
    }

    @Test
    void shouldWriteEveryTableFieldAndTheGoalsWhenSomeFiguresAreMissing() throws Exception {
        BenchReport report = new BenchReport(Map.of("cores", 2), Map.of("records", 1000));
        report.set("aggregator_vs_raw_ratio", 0.31234);
        report.set("aggregator_vs_streams_ceiling", 0.61234);
        report.set("e2e_latency_ms_p99", 1200.0);
        report.set("evaluator_scaling_4_workers", Double.NaN);
        report.detail("scaling", new ScalingBench.Run(4, 128, 8.0, 16.0, java.util.Map.of("w-0", 32L), 20.0));
        assertThatThrownBy(() -> report.set("no_such_field", 1.0)).isInstanceOf(IllegalArgumentException.class);

        JsonNode json = new ObjectMapper().readTree(report.toJsonText());
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertThat(names.subList(0, BenchReport.FIELDS.size())).containsExactlyElementsOf(BenchReport.FIELDS);
        assertThat(names).contains("machine", "goals", "settings", "details");
        assertThat(json.get("aggregator_vs_raw_ratio").isNumber()).isTrue();
        assertThat(json.get("aggregator_vs_raw_ratio").asDouble()).isCloseTo(0.312, within(1e-9));
        assertThat(json.get("raw_dl4j_items_per_s").isNull()).isTrue();
        assertThat(json.get("evaluator_scaling_4_workers").isNull()).isTrue(); // NaN is not a JSON number
        assertThat(json.get("machine").get("cores").asInt()).isEqualTo(2);
        assertThat(json.at("/goals/aggregator_vs_streams_ceiling/met").asBoolean()).isTrue();
        assertThat(json.at("/goals/aggregator_vs_streams_ceiling/goal").asText()).isEqualTo(">= 0.5");
        assertThat(json.at("/goals/llm_scorer_vs_raw_client/met").asBoolean()).isFalse(); // not measured
        assertThat(json.at("/goals/e2e_latency_ms_p99/met").asBoolean()).isFalse();
        assertThat(json.at("/goals/evaluator_scaling_4_workers/met").asBoolean()).isFalse();
        assertThat(json.at("/details/scaling/shardsPerS").asDouble()).isEqualTo(16.0);
        assertThat(report.table()).hasSize(BenchReport.FIELDS.size())
                .anySatisfy(line -> assertThat(line).startsWith("e2e_latency_ms_p99").contains("MISSED"));
    }

    @Test
    void shouldExitWithUsageWhenOptionsAreOutOfRange() {
        assertThat(LetheMain.run("bench", "--records", "5")).isEqualTo(2);
        assertThat(LetheMain.run("bench", "--only", "aggregator,nonsense")).isEqualTo(2);
        assertThat(LetheMain.run("bench", "--data-dir", "/definitely/not/here")).isEqualTo(2);
    }

    private static byte[] toArray(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
