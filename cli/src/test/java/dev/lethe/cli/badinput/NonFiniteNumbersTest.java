package dev.lethe.cli.badinput;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.aggregator.metrics.AlertConfig;
import dev.lethe.aggregator.metrics.MetricsReport;
import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.ScoreCell;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.MetricScope;
import dev.lethe.schemas.json.RecordJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** NaN scores: Lethe never computes a non-finite metric, and never writes one into JSON when it is handed one. */
class NonFiniteNumbersTest {

    @Test
    void shouldGiveNullRelativeForgettingNotNaNWhenTheBaselineScoreIsZero() {
        RunKey run = new RunKey("nan", "mlp", "m");
        Instant t = Instant.ofEpochMilli(1_700_000_000_000L);
        List<Map.Entry<RunKey, ScoreCell>> cells = List.of(
                Map.entry(run, new ScoreCell(0, null, "e1", "c", 10, 0, null, t)), // R0 = 0: (R0 - Rk) / R0 is 0/0
                Map.entry(run, new ScoreCell(1, "t1", "e1", "c", 10, 0, null, t)),
                Map.entry(run, new ScoreCell(2, "t2", "e1", "c", 10, 3, null, t)));

        List<ForgettingMetric> metrics = MetricsReport.of(MetricsReport.matrices(cells), AlertConfig.defaults()).metrics();

        assertThat(metrics).isNotEmpty();
        assertThat(metrics).filteredOn(m -> m.getScope() == MetricScope.ELEMENT && m.getStage() >= 1).hasSize(2)
                .allSatisfy(m -> {
                    assertThat(m.getFgPct()).isNull();
                    assertThat(m.getFinalDropPct()).isNull();
                });
        assertThat(metrics).allSatisfy(m -> assertThat(doubles(m)).allSatisfy(d -> assertThat(d).isFinite()));
    }

    @Test
    void shouldWriteNullWhenAForgettingMetricFromAHostileProducerHoldsNaNOrInfinity() throws Exception {
        ForgettingMetric hostile = ForgettingMetric.newBuilder()
                .setCampaign("nan").setFamily("mlp").setModel("m").setStage(1).setTask("t1").setScope(MetricScope.MODEL)
                .setCategory(null).setBenchmark(null).setBaselineScore(Double.NaN).setScore(Double.POSITIVE_INFINITY)
                .setFgPct(Double.NaN).setFinalDropPct(Double.NEGATIVE_INFINITY).setMaxForgettingPp(1.5)
                .setDeltaPrevPp(null).setStderrPp(null).setN(10).setStagesCovered(1)
                .setUpdatedAt(Instant.ofEpochMilli(1_700_000_000_000L)).build();

        String json = RecordJson.toJson(hostile);
        JsonNode node = RecordJson.mapper().readTree(json); // strict JSON: a bare NaN would not parse

        assertThat(json).doesNotContain("NaN").doesNotContain("Infinity");
        assertThat(node.get("fgPct").isNull()).isTrue();
        assertThat(node.get("baselineScore").isNull()).isTrue();
        assertThat(node.get("score").isNull()).isTrue();
        assertThat(node.get("finalDropPct").isNull()).isTrue();
        assertThat(node.get("maxForgettingPp").asDouble()).isEqualTo(1.5);
    }

    private static List<Double> doubles(ForgettingMetric m) {
        List<Double> values = new ArrayList<>();
        for (Schema.Field f : m.getSchema().getFields()) {
            if (m.get(f.pos()) instanceof Double d) {
                values.add(d);
            }
        }
        return values;
    }
}
