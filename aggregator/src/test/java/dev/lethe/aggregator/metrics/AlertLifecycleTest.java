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
import dev.lethe.schemas.AlertState;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Alerts as a function of the data: waiting for the true previous stage, withdrawal, exact thresholds, GEM. */
class AlertLifecycleTest {

    /** n items, the first {@code correct} right: consecutive stages of such cells differ only in items that were right. */
    private static ScoreCell firstRight(int stage, String benchmark, int n, int correct) {
        boolean[] items = new boolean[n];
        for (int i = 0; i < correct; i++) {
            items[i] = true;
        }
        return new ScoreCell(stage, stage == 0 ? null : "task-" + stage, benchmark, "dk", n, correct, bits(items),
                T0.plusSeconds(stage));
    }

    /** Feeds cells in the given order; the latest state per alertId. */
    private static Map<String, KnowledgeLossAlert> feed(IncrementalRun run, List<ScoreCell> cells, List<KnowledgeLossAlert> log) {
        Map<String, KnowledgeLossAlert> latest = new LinkedHashMap<>();
        for (ScoreCell cell : cells) {
            for (KnowledgeLossAlert alert : run.score(cell, "v1", T0).alerts()) {
                latest.put(alert.getAlertId(), alert);
                log.add(alert);
            }
        }
        return latest;
    }

    // the chaos run's example: 92.2 at stage 0, 56.7 at stage 1, 62.8 at stage 2 (of 1000 items)
    private static final List<ScoreCell> STAGE_TWO_BEFORE_ONE = List.of(
            firstRight(0, "digits", 1000, 922), firstRight(2, "digits", 1000, 628), firstRight(1, "digits", 1000, 567));

    private static final AlertConfig DROPS_ONLY = AlertConfig.defaults().withMaxFgPct(100);

    @Test
    void shouldRaiseNothingWhenStageTwoArrivesBeforeStageOneAndTheStagesWereAnnounced() {
        IncrementalRun run = new IncrementalRun(RUN, RunStore.inMemory(), DROPS_ONLY);
        for (int stage = 0; stage <= 2; stage++) {
            run.planned(stage, "digits", "dk", "v1", T0);
        }
        List<KnowledgeLossAlert> log = new ArrayList<>();
        Map<String, KnowledgeLossAlert> latest = feed(run, STAGE_TWO_BEFORE_ONE, log);

        // stage 2 waits for stage 1 instead of comparing with stage 0; stage 1's own drop from stage 0 is real
        assertThat(log).extracting(KnowledgeLossAlert::getStage).containsOnly(1);
        assertThat(latest.values()).singleElement().satisfies(a -> {
            assertThat(a.getStage()).isEqualTo(1);
            assertThat(a.getPreviousStage()).isEqualTo(0);
            assertThat(a.getState()).isEqualTo(AlertState.FIRING);
        });
    }

    @Test
    void shouldResolveTheFalseDropWhenStageOneArrivesLateWithoutAPlan() {
        IncrementalRun run = new IncrementalRun(RUN, RunStore.inMemory(), DROPS_ONLY);
        List<KnowledgeLossAlert> log = new ArrayList<>();
        Map<String, KnowledgeLossAlert> latest = feed(run, STAGE_TWO_BEFORE_ONE, log);

        // scores alone: stage 2 is first compared with stage 0 (a CRITICAL page), then withdrawn once stage 1 is in
        KnowledgeLossAlert early = log.get(0);
        assertThat(early.getStage()).isEqualTo(2);
        assertThat(early.getPreviousStage()).isEqualTo(0);
        assertThat(early.getSeverity()).isEqualTo(AlertSeverity.CRITICAL);
        KnowledgeLossAlert stageTwo = latest.get(early.getAlertId());
        assertThat(stageTwo.getState()).isEqualTo(AlertState.RESOLVED);
        assertThat(stageTwo.getResolution()).contains("against stage 1");
        // what stays firing is exactly what the final data raises
        assertThat(latest.values().stream().filter(a -> a.getState() == AlertState.FIRING).toList())
                .isEqualTo(KnowledgeLossRules.evaluate(ScoreMatrix.of(RUN, STAGE_TWO_BEFORE_ONE), DROPS_ONLY));
    }

    @Test
    void shouldResolveAnFgCrossingRaisedOnAPartialCategoryWhenTheRestArrives() {
        AlertConfig config = AlertConfig.defaults().withMinDropPp(100); // FG crossings only
        IncrementalRun run = new IncrementalRun(RUN, RunStore.inMemory(), config);
        List<KnowledgeLossAlert> log = new ArrayList<>();
        Map<String, KnowledgeLossAlert> latest = feed(run, List.of(counts(0, "e", "c", 100, 80),
                counts(0, "f", "c", 100, 80), counts(1, "e", "c", 100, 60)), log);
        assertThat(latest.values()).singleElement().satisfies(a -> {
            assertThat(a.getRule()).isEqualTo(AlertRule.FG_THRESHOLD);
            assertThat(a.getFgPct()).isCloseTo(25.0, within(1e-9)); // e alone
            assertThat(a.getState()).isEqualTo(AlertState.FIRING);
        });

        latest = feed(run, List.of(counts(1, "f", "c", 100, 80)), log); // the category is mean(25, 0) = 12.5 < 15
        assertThat(latest.values()).singleElement().satisfies(a -> {
            assertThat(a.getState()).isEqualTo(AlertState.RESOLVED);
            assertThat(a.getResolution()).contains("12.50 %");
        });
    }

    @Test
    void shouldFireExactlyAtTheMinimumDropWhenFloatingPointSubtractionFallsShort() {
        // 333 -> 313 of 1000: a 2.0 pp drop, but 33.3 - 31.3 = 1.9999999999999964 in doubles; b = 20, c = 0
        assertThat(33.3 - 31.3).isLessThan(2.0);
        DropOutcome drop = DropOutcome.of(firstRight(0, "e", 1000, 333), firstRight(1, "e", 1000, 313));
        assertThat(drop.b()).isEqualTo(20);
        assertThat(drop.c()).isEqualTo(0);
        assertThat(drop.pValue()).isCloseTo(1.9e-6, within(1e-7));
        assertThat(drop.fires(AlertConfig.defaults(), 1)).isTrue();
        assertThat(drop.critical(AlertConfig.defaults())).isFalse();
        // one item less is below the minimum
        assertThat(DropOutcome.of(firstRight(0, "e", 1000, 333), firstRight(1, "e", 1000, 314))
                .fires(AlertConfig.defaults(), 1)).isFalse();
    }

    @Test
    void shouldCrossTheFgThresholdAtEqualityWhenTheMeanOfRatiosFallsShortInFloatingPoint() {
        // 140 -> 119 of 1000 is an FG of exactly 15 %, but (14.0 - 11.9) / 14.0 * 100 = 14.999999999999996 in doubles
        assertThat((14.0 - 11.9) / 14.0 * 100).isLessThan(15.0);
        AlertConfig fgOnly = AlertConfig.defaults().withMinDropPp(100);
        IncrementalRun run = new IncrementalRun(RUN, RunStore.inMemory(), fgOnly);
        Map<String, KnowledgeLossAlert> latest = feed(run, List.of(counts(0, "e", "c", 1000, 140),
                counts(1, "e", "c", 1000, 119)), new ArrayList<>());
        assertThat(latest.values()).singleElement().satisfies(a -> {
            assertThat(a.getRule()).isEqualTo(AlertRule.FG_THRESHOLD);
            assertThat(a.getFgPct()).isCloseTo(15.0, within(1e-9));
        });
        // one item more at stage 1 (FG 14.29 %) stays below it
        IncrementalRun below = new IncrementalRun(RUN, RunStore.inMemory(), fgOnly);
        assertThat(feed(below, List.of(counts(0, "e", "c", 1000, 140), counts(1, "e", "c", 1000, 120)), new ArrayList<>()))
                .isEmpty();
    }

    @Test
    void shouldBeCriticalExactlyAtTheCriticalDropWhenFloatingPointSubtractionFallsShort() {
        // 164 -> 64 of 1000 is a 10.0 pp drop; 16.4 - 6.4 = 9.999999999999998 in doubles
        assertThat(16.4 - 6.4).isLessThan(10.0);
        DropOutcome drop = DropOutcome.of(firstRight(0, "e", 1000, 164), firstRight(1, "e", 1000, 64));
        assertThat(drop.critical(AlertConfig.defaults())).isTrue();
        assertThat(DropOutcome.of(firstRight(0, "e", 1000, 164), firstRight(1, "e", 1000, 65))
                .critical(AlertConfig.defaults())).isFalse();
    }

    @Test
    void shouldCountARetrainedTaskOnceAtItsLatestTrainingWhenComputingGemAndChaudhry() {
        // tasks trained: stage 1 A, stage 2 B, stage 3 A again
        List<ScoreCell> cells = new ArrayList<>();
        double[][] r = {{10, 10}, {90, 20}, {60, 85}, {95, 70}}; // [stage][A, B]
        String[] trained = {null, "A", "B", "A"};
        for (int s = 0; s < r.length; s++) {
            for (int t = 0; t < 2; t++) {
                ScoreCell cell = pct(s, t == 0 ? "A" : "B", RunMetrics.TASK_CATEGORY, r[s][t]);
                cells.add(new ScoreCell(s, trained[s], cell.benchmark(), cell.category(), cell.n(), cell.correct(), null,
                        cell.updatedAt()));
            }
        }
        List<ForgettingMetric> records = RunMetrics.compute(ScoreMatrix.of(RUN, cells));
        ForgettingMetric model = find(records, MetricScope.MODEL, 3, null, null);
        // ACC: distinct tasks A and B at stage 3, A not counted twice
        assertThat(model.getAccPct()).isCloseTo((95 + 70) / 2.0, within(1e-9));
        // BWT: only B was last trained before stage 3 (A's latest training is stage 3 itself): 70 - 85
        assertThat(model.getBwtPp()).isCloseTo(-15.0, within(1e-9));
        // Chaudhry's F: B's maximum forgetting at stage 3, max(10, 20, 85) - 70
        assertThat(model.getAvgForgettingPp()).isCloseTo(15.0, within(1e-9));
        // at stage 2, A (trained at 1) is the task learned before: F = 90 - 60, BWT = 60 - 90
        ForgettingMetric two = find(records, MetricScope.MODEL, 2, null, null);
        assertThat(two.getAvgForgettingPp()).isCloseTo(30.0, within(1e-9));
        assertThat(two.getBwtPp()).isCloseTo(-30.0, within(1e-9));
    }

    @Test
    void shouldTakeBwtFromTheLatestTrainingAndChaudhrysMaximumFromEveryEarlierStageAfterARetraining() {
        // tasks trained: stage 1 A, stage 2 B, stage 3 A again, stage 4 B again; A peaked at stage 1, before its retraining
        List<ScoreCell> cells = new ArrayList<>();
        double[][] r = {{10, 10}, {90, 20}, {60, 85}, {80, 70}, {50, 65}}; // [stage][A, B]
        String[] trained = {null, "A", "B", "A", "B"};
        for (int s = 0; s < r.length; s++) {
            for (int t = 0; t < 2; t++) {
                ScoreCell cell = pct(s, t == 0 ? "A" : "B", RunMetrics.TASK_CATEGORY, r[s][t]);
                cells.add(new ScoreCell(s, trained[s], cell.benchmark(), cell.category(), cell.n(), cell.correct(), null,
                        cell.updatedAt()));
            }
        }
        ForgettingMetric four = find(RunMetrics.compute(ScoreMatrix.of(RUN, cells)), MetricScope.MODEL, 4, null, null);
        assertThat(four.getAccPct()).isCloseTo((50 + 65) / 2.0, within(1e-9));
        // only A was last trained before stage 4, at stage 3: 50 - 80 (from its first training it would be 50 - 90)
        assertThat(four.getBwtPp()).isCloseTo(-30.0, within(1e-9));
        // Chaudhry's maximum over every earlier stage, its peak before the retraining included: 90 - 50 (not 80 - 50)
        assertThat(four.getAvgForgettingPp()).isCloseTo(40.0, within(1e-9));
    }
}
