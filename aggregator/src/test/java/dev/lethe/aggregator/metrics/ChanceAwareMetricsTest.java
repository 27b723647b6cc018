package dev.lethe.aggregator.metrics;

import static dev.lethe.aggregator.metrics.Cells.RUN;
import static dev.lethe.aggregator.metrics.Cells.T0;
import static dev.lethe.aggregator.metrics.Cells.find;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lethe.schemas.AlertRule;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chance-aware metrics of docs/METRICS.md ("Chance"): chance-normalised FG and FG_THRESHOLD's noise-of-chance rule. */
class ChanceAwareMetricsTest {

    private static ScoreCell cell(int stage, String element, String category, int n, int correct, Double chancePct) {
        return new ScoreCell(stage, stage == 0 ? null : "task-" + stage, element, category, n, correct, null,
                T0.plusSeconds(stage), chancePct);
    }

    private static ScoreCell cell(int stage, String element, int n, boolean[] items, Double chancePct) {
        int correct = 0;
        for (boolean item : items) {
            correct += item ? 1 : 0;
        }
        return new ScoreCell(stage, stage == 0 ? null : "task-" + stage, element, "reading-comprehension", n, correct,
                Cells.bits(items), T0.plusSeconds(stage), chancePct);
    }

    private static FinalRun run(List<ScoreCell> cells) {
        return FinalRun.of(ScoreMatrix.of(RUN, cells), AlertConfig.defaults());
    }

    private static List<KnowledgeLossAlert> fgAlerts(FinalRun run) {
        return run.alerts().stream().filter(a -> a.getRule() == AlertRule.FG_THRESHOLD).toList();
    }

    /** The review case: 13 items, all discordant, 8 right -> wrong and 5 wrong -> right (McNemar p = 0.581). */
    private static List<ScoreCell> reviewCase(Double chancePct) {
        boolean[] before = new boolean[13];
        boolean[] after = new boolean[13];
        for (int i = 0; i < 13; i++) {
            before[i] = i < 8;
            after[i] = i >= 8;
        }
        return List.of(cell(0, "boolq-mini", 13, before, chancePct), cell(1, "boolq-mini", 13, after, chancePct));
    }

    @Test
    void shouldNotFireFgThresholdWhenTheElementIsWithinNoiseOfChance() {
        // a binary element (chance 50 %) at 8/13 = 61.5 %: P(X >= 8 | 13, 1/2) = 2380/8192 = 0.29, within noise of
        // chance; it falls to 5/13 = 38.5 %, FG 37.5 % >= 15 %, on a drop McNemar calls noise (p = 0.581)
        FinalRun atChance = run(reviewCase(50.0));

        DropOutcome drop = KnowledgeLossRules.test(ScoreMatrix.of(RUN, reviewCase(50.0)), 1, "boolq-mini");
        assertThat(drop.b()).isEqualTo(8);
        assertThat(drop.c()).isEqualTo(5);
        assertThat(drop.pValue()).isCloseTo(0.581, within(0.001));
        ForgettingMetric element = find(atChance.metrics(), MetricScope.ELEMENT, 1, "reading-comprehension", "boolq-mini");
        assertThat(element.getFgPct()).isCloseTo(37.5, within(1e-9));
        assertThat(element.getChancePValue()).isCloseTo(2380.0 / 8192, within(1e-12));
        assertThat(fgAlerts(atChance)).as("the element is within noise of chance").isEmpty();
        // the same scores without a known chance level fire as before: the rule, not the data, makes the difference
        assertThat(fgAlerts(run(reviewCase(null)))).singleElement()
                .satisfies(a -> assertThat(a.getFgPct()).isCloseTo(37.5, within(1e-9)));
    }

    @Test
    void shouldFireFgThresholdWhenTheBaselineIsClearlyAboveChance() {
        // four choices (chance 25 %): 8/13 is above chance at P(X >= 8 | 13, 1/4) = 0.0057 < alpha 0.01, so the loss
        // counts; the paired drop alert stays silent (p = 0.581), FG_THRESHOLD is the descriptive rule
        FinalRun run = run(reviewCase(25.0));

        assertThat(find(run.metrics(), MetricScope.ELEMENT, 0, "reading-comprehension", "boolq-mini").getChancePValue())
                .isCloseTo(0.005649, within(0.000001));
        assertThat(fgAlerts(run)).hasSize(1);
    }

    @Test
    void shouldJudgeTheCategoryOnItsElementsAboveChanceWhenOneIsAtChance() {
        // e: 1000 items, 4 choices, 27 % at stage 0 (P(X >= 270 | 1000, 1/4) = 0.08: noise), 18 % at stage 1: FG 33 %
        // f: 1000 items, 4 choices, 80 % -> 72 %: FG 10 %; the CATEGORY fgPct is 21.7 %, the judged FG is f's 10 %
        List<ScoreCell> cells = List.of(cell(0, "e", "dk", 1000, 270, 25.0), cell(1, "e", "dk", 1000, 180, 25.0),
                cell(0, "f", "dk", 1000, 800, 25.0), cell(1, "f", "dk", 1000, 720, 25.0));
        FinalRun run = run(cells);

        ForgettingMetric category = find(run.metrics(), MetricScope.CATEGORY, 1, "dk", null);
        assertThat(category.getFgPct()).isCloseTo((90.0 / 270 * 100 + 10) / 2, within(1e-9));
        assertThat(fgAlerts(run)).isEmpty();
        // with f forgetting more, the crossing is f's own FG
        List<ScoreCell> more = new ArrayList<>(cells.subList(0, 3));
        more.add(cell(1, "f", "dk", 1000, 600, 25.0));
        assertThat(fgAlerts(run(more))).singleElement()
                .satisfies(a -> assertThat(a.getFgPct()).isCloseTo(25.0, within(1e-9)));
    }

    @Test
    void shouldMeasureTheShareOfTheMarginAboveChanceLostWhenChanceIsKnown() {
        // 4 choices: 55 % -> 40 % -> 25 %: Luo's FG (27.27 + 54.55)/2 = 40.9 %; of the 30 pp above chance, 15 pp then
        // all 30 pp were lost: (50 + 100)/2 = 75 %
        List<ScoreCell> cells = List.of(cell(0, "mmlu", "dk", 100, 55, 25.0), cell(1, "mmlu", "dk", 100, 40, 25.0),
                cell(2, "mmlu", "dk", 100, 25, 25.0), cell(0, "gsm8k", "dk", 100, 40, 0.0), cell(1, "gsm8k", "dk", 100, 30, 0.0),
                cell(2, "gsm8k", "dk", 100, 20, 0.0));
        List<ForgettingMetric> records = run(cells).metrics();

        ForgettingMetric mmlu1 = find(records, MetricScope.ELEMENT, 1, "dk", "mmlu");
        assertThat(mmlu1.getChancePct()).isEqualTo(25.0);
        assertThat(mmlu1.getChanceNormalisedFgPct()).isCloseTo(50.0, within(1e-9));
        ForgettingMetric mmlu2 = find(records, MetricScope.ELEMENT, 2, "dk", "mmlu");
        assertThat(mmlu2.getFgPct()).isCloseTo((15.0 / 55 + 30.0 / 55) / 2 * 100, within(1e-9));
        assertThat(mmlu2.getChanceNormalisedFgPct()).isCloseTo(75.0, within(1e-9));
        // exact match (chance 0): the margin is the whole score, so the normalised FG is Luo's FG
        ForgettingMetric gsm2 = find(records, MetricScope.ELEMENT, 2, "dk", "gsm8k");
        assertThat(gsm2.getChanceNormalisedFgPct()).isCloseTo(gsm2.getFgPct(), within(1e-9));
        // CATEGORY and MODEL: means of the elements' values, like fgPct
        ForgettingMetric category = find(records, MetricScope.CATEGORY, 2, "dk", null);
        assertThat(category.getChanceNormalisedFgPct()).isCloseTo((75.0 + gsm2.getFgPct()) / 2, within(1e-9));
        assertThat(category.getChancePct()).isCloseTo(12.5, within(1e-9));
        assertThat(category.getChancePValue()).isNull();
        assertThat(find(records, MetricScope.MODEL, 2, null, null).getChanceNormalisedFgPct())
                .isCloseTo(category.getChanceNormalisedFgPct(), within(1e-9));
    }

    @Test
    void shouldLeaveTheChanceMetricsNullWhenChanceIsUnknownOrTheBaselineIsNotAboveIt() {
        List<ForgettingMetric> records = run(List.of(cell(0, "unknown", "dk", 100, 60, null), cell(1, "unknown", "dk", 100, 50, null),
                cell(0, "below", "dk", 100, 20, 25.0), cell(1, "below", "dk", 100, 10, 25.0),
                cell(0, "at", "dk", 100, 25, 25.0), cell(1, "at", "dk", 100, 30, 25.0))).metrics();

        ForgettingMetric unknown = find(records, MetricScope.ELEMENT, 1, "dk", "unknown");
        assertThat(unknown.getChancePct()).isNull();
        assertThat(unknown.getChanceNormalisedFgPct()).isNull();
        assertThat(unknown.getChancePValue()).isNull();
        assertThat(find(records, MetricScope.ELEMENT, 1, "dk", "below").getChanceNormalisedFgPct()).isNull();
        assertThat(find(records, MetricScope.ELEMENT, 1, "dk", "at").getChanceNormalisedFgPct()).isNull();
        assertThat(find(records, MetricScope.ELEMENT, 1, "dk", "at").getChancePValue()).isGreaterThan(0.4);
        assertThat(find(records, MetricScope.CATEGORY, 1, "dk", null).getChanceNormalisedFgPct()).isNull();
    }

    @Test
    void shouldMatchTheExactBinomialSumWhenComputingTheUpperTail() {
        assertThat(Statistics.binomialUpperTail(13, 8, 0.5)).isCloseTo(2380.0 / 8192, within(1e-15));
        assertThat(Statistics.binomialUpperTail(13, 0, 0.25)).isEqualTo(1.0);
        assertThat(Statistics.binomialUpperTail(13, 1, 0.0)).isEqualTo(0.0);
        assertThat(Statistics.binomialUpperTail(13, 13, 1.0)).isEqualTo(1.0);
        for (int k : new int[] {1, 30, 50, 51, 70, 140, 200}) {
            assertThat(Statistics.binomialUpperTail(200, k, 0.25)).as("k = %d", k)
                    .isCloseTo(exactUpperTail(200, k, 1, 4), within(1e-12));
        }
        // MMLU-sized: 14,042 items, 27.4 % right under chance 25 % is far beyond noise, 25.3 % is not
        assertThat(Statistics.binomialUpperTail(14_042, 3850, 0.25)).isLessThan(1e-9);
        assertThat(Statistics.binomialUpperTail(14_042, 3553, 0.25)).isBetween(0.1, 0.5);
        assertThatThrownBy(() -> Statistics.binomialUpperTail(10, 11, 0.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseAChanceLevelOutsideZeroToHundredWhenACellIsBuilt() {
        assertThatThrownBy(() -> cell(0, "e", "dk", 10, 5, 101.0)).hasMessageContaining("chance level");
        assertThatThrownBy(() -> cell(0, "e", "dk", 10, 5, Double.NaN)).hasMessageContaining("chance level");
    }

    /** P(X >= k), X ~ Binomial(n, num/den), in exact rational arithmetic. */
    private static double exactUpperTail(int n, int k, int num, int den) {
        BigInteger sum = BigInteger.ZERO;
        BigInteger choose = BigInteger.ONE; // C(n, i)
        for (int i = 0; i <= n; i++) {
            if (i >= k) {
                sum = sum.add(choose.multiply(BigInteger.valueOf(num).pow(i)).multiply(BigInteger.valueOf(den - num).pow(n - i)));
            }
            choose = choose.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1));
        }
        return new BigDecimal(sum).divide(new BigDecimal(BigInteger.valueOf(den).pow(n)), MathContext.DECIMAL64).doubleValue();
    }
}
