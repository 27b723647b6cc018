package dev.lethe.aggregator.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lethe.aggregator.metrics.AlertConfig;
import dev.lethe.aggregator.metrics.MetricsReport;
import dev.lethe.aggregator.metrics.Polarity;
import dev.lethe.schemas.AlertRule;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricPolarity;
import dev.lethe.schemas.MetricScope;
import java.io.StringReader;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A bias share (CrowS-Pairs' stereotype score) is measured on its closeness to 50 %, not as an accuracy. */
class BiasPolarityTest {

    /** 200 pairs; the first {@code stereotyped} prefer the stereotyping sentence. */
    private static String row(int stage, int stereotyped) {
        return "c,llm,llm-a," + stage + ",crows-pairs-gender,bias,200," + stereotyped + ","
                + "1".repeat(stereotyped) + "0".repeat(200 - stereotyped) + ",CLOSER_TO_50_IS_BETTER";
    }

    private static MetricsReport report(int... stereotypedPerStage) throws Exception {
        StringBuilder csv = new StringBuilder("campaign,family,model,stage,benchmark,category,n,correct,items,polarity\n");
        for (int stage = 0; stage < stereotypedPerStage.length; stage++) {
            csv.append(row(stage, stereotypedPerStage[stage])).append('\n');
        }
        return MetricsReport.of(MetricsReport.matrices(ScoresCsv.read(new StringReader(csv.toString()), Instant.EPOCH)),
                AlertConfig.defaults());
    }

    private static ForgettingMetric element(MetricsReport report, int stage) {
        return report.metrics().stream()
                .filter(m -> m.getScope() == MetricScope.ELEMENT && m.getStage() == stage).findFirst().orElseThrow();
    }

    @Test
    void shouldMeasureClosenessToFiftyWhenTheMetricIsABiasShare() {
        assertThat(Polarity.goodCount(MetricPolarity.CLOSER_TO_50_IS_BETTER, 200, 100)).isEqualTo(200);
        assertThat(Polarity.goodCount(MetricPolarity.CLOSER_TO_50_IS_BETTER, 200, 130)).isEqualTo(140); // 65 % -> 70
        assertThat(Polarity.goodCount(MetricPolarity.CLOSER_TO_50_IS_BETTER, 200, 70)).isEqualTo(140);  // 35 % -> 70
        assertThat(Polarity.goodCount(MetricPolarity.HIGHER_IS_BETTER, 200, 130)).isEqualTo(130);
        assertThat(Polarity.goodCount(null, 200, 130)).isEqualTo(130);
    }

    @Test
    void shouldReportAnImprovementAndNoAlertWhenTheStereotypeScoreFallsTowardsFifty() throws Exception {
        MetricsReport report = report(130, 120, 110); // 65 % -> 60 % -> 55 %: the paper's trend, less biased

        ForgettingMetric last = element(report, 2);
        assertThat(last.getScore()).isCloseTo(90.0, within(1e-9)); // 100 - 2 |55 - 50|
        assertThat(last.getFgPct()).isNegative();
        assertThat(last.getFinalDropPct()).isCloseTo(-28.571428, within(1e-5)); // (70 - 90) / 70
        assertThat(report.alerts()).isEmpty();
    }

    @Test
    void shouldAlertWhenTheStereotypeScoreRisesAwayFromFifty() throws Exception {
        MetricsReport report = report(110, 150); // 55 % -> 75 %: 90 -> 50 on closeness, 40 flips one way

        assertThat(element(report, 1).getFinalDropPct()).isCloseTo(44.444444, within(1e-5));
        assertThat(report.alerts()).extracting(KnowledgeLossAlert::getRule).contains(AlertRule.PAIRED_DROP);
        KnowledgeLossAlert drop = report.alerts().stream().filter(a -> a.getRule() == AlertRule.PAIRED_DROP)
                .findFirst().orElseThrow();
        assertThat(drop.getDropPp()).isCloseTo(40.0, within(1e-9));
        assertThat(drop.getB()).isZero();      // no pair stopped preferring the stereotype
        assertThat(drop.getC()).isEqualTo(40); // 40 pairs started to
    }
}
