package dev.lethe.aggregator.metrics;

import static dev.lethe.aggregator.metrics.Cells.RUN;
import static dev.lethe.aggregator.metrics.Cells.T0;
import static dev.lethe.aggregator.metrics.Cells.bits;
import static dev.lethe.aggregator.metrics.Cells.counts;
import static dev.lethe.aggregator.metrics.Cells.find;
import static dev.lethe.aggregator.metrics.Cells.pct;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lethe.schemas.AlertRule;
import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The worked examples WE-1 ... WE-13 of METRICS-RESEARCH.md §5, each to 1e-4. */
class WorkedExamplesTest {

    private static final Offset<Double> TOL = within(1e-4);

    private static List<ForgettingMetric> trajectory(String benchmark, String category, double... scores) {
        List<ScoreCell> cells = new ArrayList<>();
        for (int stage = 0; stage < scores.length; stage++) {
            cells.add(pct(stage, benchmark, category, scores[stage]));
        }
        return RunMetrics.compute(ScoreMatrix.of(RUN, cells));
    }

    @Test
    void shouldGiveRunningFgOf14_1667WhenOneElementDropsFrom40To30(/* WE-1 */) {
        List<ForgettingMetric> records = trajectory("e", "reasoning", 40, 38, 35, 30);

        ForgettingMetric last = find(records, MetricScope.ELEMENT, 3, "reasoning", "e");
        assertThat(last.getFgPct()).isCloseTo(14.1667, TOL);
        assertThat(last.getFinalDropPct()).isCloseTo(25.0, TOL);
        assertThat(last.getStagesCovered()).isEqualTo(3);
        assertThat(find(records, MetricScope.ELEMENT, 1, "reasoning", "e").getFgPct()).isCloseTo(5.0, TOL);
        assertThat(find(records, MetricScope.ELEMENT, 0, "reasoning", "e").getFgPct()).isNull();
    }

    @Test
    void shouldAverageRatiosNotMeansWhenACategoryHasTwoElements(/* WE-2 */) {
        List<ScoreCell> cells = new ArrayList<>();
        double[] e1 = {50, 45, 40, 40};
        double[] e2 = {80, 80, 72, 64};
        for (int s = 0; s < 4; s++) {
            cells.add(pct(s, "e1", "dk", e1[s]));
            cells.add(pct(s, "e2", "dk", e2[s]));
        }
        List<ForgettingMetric> records = RunMetrics.compute(ScoreMatrix.of(RUN, cells));

        ForgettingMetric category = find(records, MetricScope.CATEGORY, 3, "dk", null);
        assertThat(category.getFgPct()).isCloseTo(13.3333, TOL);
        assertThat(category.getFinalDropPct()).isCloseTo(20.0, TOL);
        assertThat(category.getBaselineScore()).isCloseTo(65.0, TOL);
        assertThat(category.getScore()).isCloseTo(52.0, TOL);
        assertThat(category.getElementsCovered()).isEqualTo(2);
        assertThat(category.getN()).isEqualTo(20_000);
        assertThat(find(records, MetricScope.ELEMENT, 3, "dk", "e1").getFgPct()).isCloseTo(16.6667, TOL);
        assertThat(find(records, MetricScope.ELEMENT, 3, "dk", "e2").getFgPct()).isCloseTo(10.0, TOL);
        // MODEL averages over categories: one category here
        assertThat(find(records, MetricScope.MODEL, 3, null, null).getFgPct()).isCloseTo(13.3333, TOL);
    }

    @Test
    void shouldLetFgExceedTheFinalDropWhenTheTrajectoryIsNotMonotone(/* WE-3 */) {
        ForgettingMetric last = find(trajectory("e", "rc", 50, 30, 45, 48), MetricScope.ELEMENT, 3, "rc", "e");

        assertThat(last.getFgPct()).isCloseTo(18.0, TOL);
        assertThat(last.getFinalDropPct()).isCloseTo(4.0, TOL);
        assertThat(last.getMaxForgettingPp()).isCloseTo(2.0, TOL); // max(50, 30, 45) - 48
        assertThat(last.getDeltaPrevPp()).isCloseTo(3.0, TOL);
    }

    @Test
    void shouldReproduceThePapersFinalOnlyDropsButNotItsFgWhenOnlyEndpointsAreKnown(/* WE-4 */) {
        assertThat(finalDrop(59.15, 49.24)).isCloseTo(16.7540, TOL);
        assertThat(finalDrop(48.79, 33.05)).isCloseTo(32.2607, TOL);
        assertThat(finalDrop(33.08, 25.61)).isCloseTo(22.5816, TOL);
        assertThat(finalDrop(27.19, 23.84)).isCloseTo(12.3207, TOL);
        // with intermediate stages that forgot less, FG is below the final-only drop, as in the paper (13.62 < 16.754)
        ForgettingMetric staged = find(trajectory("hellaswag", "reasoning", 59.15, 57.00, 54.00, 49.24),
                MetricScope.ELEMENT, 3, "reasoning", "hellaswag");
        assertThat(staged.getFinalDropPct()).isCloseTo(16.7540, TOL);
        assertThat(staged.getFgPct()).isLessThan(staged.getFinalDropPct() - 1);
    }

    private static double finalDrop(double r0, double rLast) {
        return find(trajectory("e", "c", r0, rLast), MetricScope.ELEMENT, 1, "c", "e").getFinalDropPct();
    }

    /** WE-5's R (rows = after task i, in percent) with a 10% stage-0 baseline, one task element per stage. */
    private static ScoreMatrix gemMatrix() {
        double[][] r = {{10, 10, 10}, {90, 20, 15}, {70, 85, 30}, {60, 75, 80}};
        List<ScoreCell> cells = new ArrayList<>();
        for (int s = 0; s < r.length; s++) {
            for (int t = 0; t < 3; t++) {
                cells.add(pct(s, "task-" + (t + 1), RunMetrics.TASK_CATEGORY, r[s][t]));
            }
        }
        return ScoreMatrix.of(RUN, cells);
    }

    @Test
    void shouldComputeGemAccAndBwtWhenTheSuiteHasTaskElements(/* WE-5 */) {
        List<ForgettingMetric> records = RunMetrics.compute(gemMatrix());

        ForgettingMetric model = find(records, MetricScope.MODEL, 3, null, null);
        assertThat(model.getAccPct()).isCloseTo(71.6667, TOL);
        assertThat(model.getBwtPp()).isCloseTo(-20.0, TOL);
        // the task category is excluded from the MODEL averages, so only GEM fields are set
        assertThat(model.getFgPct()).isNull();
        assertThat(find(records, MetricScope.MODEL, 2, null, null).getAccPct()).isCloseTo(77.5, TOL);
        assertThat(find(records, MetricScope.MODEL, 1, null, null).getBwtPp()).isNull();
    }

    @Test
    void shouldTakeTheMaxOverEarlierStagesWhenComputingChaudhryForgetting(/* WE-6 */) {
        List<ForgettingMetric> records = RunMetrics.compute(gemMatrix());
        // F_2 = 0.90 - 0.70; F_3 = mean(max(0.90, 0.70) - 0.60, 0.85 - 0.75), in pp
        assertThat(find(records, MetricScope.ELEMENT, 2, "task", "task-1").getMaxForgettingPp()).isCloseTo(20.0, TOL);
        double f3 = (find(records, MetricScope.ELEMENT, 3, "task", "task-1").getMaxForgettingPp()
                + find(records, MetricScope.ELEMENT, 3, "task", "task-2").getMaxForgettingPp()) / 2;
        assertThat(f3).isCloseTo(20.0, TOL);
        // max vs first: 80 (after task 1), 90, 70 gives Chaudhry 20, not GEM's 10
        ForgettingMetric column = find(trajectory("t1", "task", 10, 80, 90, 70), MetricScope.ELEMENT, 3, "task", "t1");
        assertThat(column.getMaxForgettingPp()).isCloseTo(20.0, TOL);
    }

    @Test
    void shouldKeepTheJointReferenceOutOfTheRecordsWhenIntransigenceIsAsked(/* WE-7 */) {
        // Intransigence I_3 = a*_3 - a_{3,3} needs a jointly trained reference model, which no Lethe topic
        // carries; the continual side a_{3,3} is the ELEMENT score of the stage's own task.
        ForgettingMetric own = find(RunMetrics.compute(gemMatrix()), MetricScope.ELEMENT, 3, "task", "task-3");
        assertThat(95.0 - own.getScore()).isCloseTo(15.0, TOL);
    }

    @Test
    void shouldMatchAvalanchesStreamBwtButEmitNullNotZeroBeforeTheSecondTask(/* WE-8 */) {
        List<ForgettingMetric> records = RunMetrics.compute(gemMatrix());
        // Avalanche emits StreamForgetting 0.0 after exp 0: Lethe has no value yet (null, never 0)
        assertThat(find(records, MetricScope.MODEL, 1, null, null).getBwtPp()).isNull();
        // after exp 1: Stream forgetting 0.20 = -BWT
        assertThat(find(records, MetricScope.MODEL, 2, null, null).getBwtPp()).isCloseTo(-20.0, TOL);
        // after exp 2: StreamBWT -0.20; Exp000 = 90 - 60 = 30, Exp001 = 85 - 75 = 10
        assertThat(find(records, MetricScope.MODEL, 3, null, null).getBwtPp()).isCloseTo(-20.0, TOL);
        assertThat(find(records, MetricScope.ELEMENT, 1, "task", "task-1").getScore()
                - find(records, MetricScope.ELEMENT, 3, "task", "task-1").getScore()).isCloseTo(30.0, TOL);
    }

    @Test
    void shouldGiveTracesGeneralDeltaAsTheCategoryDeltaWhenOneStageFollowsTheBase(/* WE-9 */) {
        double[] base = {46.56, 26.08, 40.23, 23.47, 70.55, 76.22};
        double[] after = {46.43, 3.49, 30.11, 33.23, 77.89, 76.50};
        List<ScoreCell> cells = new ArrayList<>();
        for (int i = 0; i < base.length; i++) {
            cells.add(pct(0, "g" + i, "general", base[i]));
            cells.add(pct(1, "g" + i, "general", after[i]));
        }
        ForgettingMetric category = find(RunMetrics.compute(ScoreMatrix.of(RUN, cells)), MetricScope.CATEGORY, 1, "general", null);

        assertThat(category.getDeltaPrevPp()).isCloseTo(-2.576667, TOL);
    }

    @Test
    void shouldLeaveAnswerNormalisationToTheScorerWhenCountingCorrectItems(/* WE-10 */) {
        // acc vs acc_norm decides which items are correct (the evaluator's scorer); the library only sees the
        // counts. WE-10's item is wrong under acc and right under acc_norm: one item, two different cells.
        ScoreCell acc = counts(1, "e", "c", 1, 0);
        ScoreCell accNorm = counts(1, "e", "c", 1, 1);
        assertThat(acc.accuracyPct()).isEqualTo(0.0);
        assertThat(accNorm.accuracyPct()).isEqualTo(100.0);
    }

    @Test
    void shouldUseLmEvalsStderrAndTheMacroMeanWhenGroupingElements(/* WE-11 */) {
        assertThat(Statistics.stderrPp(1000, 600)).isCloseTo(1.54997, TOL);
        List<ScoreCell> cells = List.of(
                counts(0, "a", "grp", 100, 50), counts(0, "b", "grp", 300, 210),
                counts(1, "a", "grp", 100, 50), counts(1, "b", "grp", 300, 210));
        List<ForgettingMetric> records = RunMetrics.compute(ScoreMatrix.of(RUN, cells));

        assertThat(find(records, MetricScope.ELEMENT, 1, "grp", "a").getStderrPp()).isCloseTo(5.02519, TOL);
        assertThat(find(records, MetricScope.ELEMENT, 1, "grp", "b").getStderrPp()).isCloseTo(2.65017, TOL);
        ForgettingMetric group = find(records, MetricScope.CATEGORY, 1, "grp", null);
        assertThat(group.getScore()).isCloseTo(60.0, TOL); // macro (weight_by_size=False), not the micro 65.0
        // the standard error of a mean of independent scores, sqrt(sum se^2)/k (not lm-eval's pooled 2.35109)
        assertThat(group.getStderrPp()).isCloseTo(2.840596, TOL);
        assertThat(group.getN()).isEqualTo(400);
    }

    @Test
    void shouldNotAlertWhenTheDropIsOnlyTestedUnpaired(/* WE-12 */) {
        assertThat(Statistics.twoProportionStandardError(300, 500, 275, 500)).isCloseTo(0.0312650, TOL);
        assertThat(Statistics.twoProportionZ(300, 500, 275, 500)).isCloseTo(1.5992, TOL);
        assertThat(Statistics.twoProportionP(300, 500, 275, 500)).isCloseTo(0.1098, TOL);

        ScoreMatrix matrix = ScoreMatrix.of(RUN, List.of(counts(0, "e", "c", 500, 300), counts(1, "e", "c", 500, 275)));
        DropOutcome test = KnowledgeLossRules.test(matrix, 1, "e");
        assertThat(test.rule()).isEqualTo(AlertRule.UNPAIRED_DROP);
        assertThat(test.pValue()).isCloseTo(0.1098, TOL);
        assertThat(test.dropPp()).isCloseTo(5.0, TOL);
        assertThat(KnowledgeLossRules.evaluate(matrix, AlertConfig.defaults())).isEmpty();
    }

    @Test
    void shouldRaisePairedDropWhenMcNemarRejectsOnTheSameItems(/* WE-13 */) {
        assertThat(Statistics.mcnemarExactP(45, 20)).isCloseTo(0.00263, TOL);
        assertThat(Statistics.mcnemarChiSquare(45, 20)).isCloseTo(9.6154, TOL);

        boolean[] before = new boolean[500];
        boolean[] after = new boolean[500];
        // items 0..254 right both times, 255..299 right then wrong (b = 45), 300..319 wrong then right (c = 20)
        for (int i = 0; i < 500; i++) {
            before[i] = i < 300;
            after[i] = i < 255 || i >= 300 && i < 320;
        }
        ScoreMatrix matrix = ScoreMatrix.of(RUN, List.of(
                new ScoreCell(0, null, "e", "c", 500, 300, bits(before), T0),
                new ScoreCell(1, "task-1", "e", "c", 500, 275, bits(after), T0.plusSeconds(5))));
        List<KnowledgeLossAlert> alerts = KnowledgeLossRules.evaluate(matrix, AlertConfig.defaults());

        assertThat(alerts).hasSize(1);
        KnowledgeLossAlert alert = alerts.get(0);
        assertThat(alert.getRule()).isEqualTo(AlertRule.PAIRED_DROP);
        assertThat(alert.getSeverity()).isEqualTo(AlertSeverity.WARNING);
        assertThat(alert.getB()).isEqualTo(45);
        assertThat(alert.getC()).isEqualTo(20);
        assertThat(alert.getPValue()).isCloseTo(0.00263, TOL);
        assertThat(alert.getDropPp()).isCloseTo(5.0, TOL);
        assertThat(alert.getRelativeDropPct()).isCloseTo(8.3333, TOL);
        assertThat(alert.getAlertId()).isEqualTo("camp/mlp-a/stage-1/e/PAIRED_DROP");
        assertThat(alert.getCreatedAt()).isEqualTo(T0.plusSeconds(5));
    }
}
