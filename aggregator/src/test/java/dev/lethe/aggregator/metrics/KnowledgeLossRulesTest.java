package dev.lethe.aggregator.metrics;

import static dev.lethe.aggregator.metrics.Cells.RUN;
import static dev.lethe.aggregator.metrics.Cells.T0;
import static dev.lethe.aggregator.metrics.Cells.counts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lethe.schemas.AlertRule;
import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.KnowledgeLossAlert;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KnowledgeLossRulesTest {

    private static List<KnowledgeLossAlert> alerts(List<ScoreCell> cells, AlertConfig config) {
        ScoreMatrix matrix = ScoreMatrix.of(RUN, cells);
        return KnowledgeLossRules.evaluate(matrix, config);
    }

    @Test
    void shouldRaiseCriticalUnpairedDropWhenALargeDropIsSignificant() {
        List<KnowledgeLossAlert> alerts = alerts(List.of(counts(0, "e", "c", 1000, 800), counts(1, "e", "c", 1000, 650)),
                AlertConfig.defaults().withMaxFgPct(100));

        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.getRule()).isEqualTo(AlertRule.UNPAIRED_DROP);
            assertThat(a.getSeverity()).isEqualTo(AlertSeverity.CRITICAL);
            assertThat(a.getDropPp()).isCloseTo(15.0, within(1e-9));
            assertThat(a.getPreviousStage()).isEqualTo(0);
            assertThat(a.getB()).isNull();
        });
    }

    @Test
    void shouldNotAlertWhenTheDropIsSignificantButBelowTheMinimum() {
        // 10,000 items: 1.5 pp is highly significant but below minDropPp = 2
        assertThat(alerts(List.of(counts(0, "e", "c", 100_000, 80_000), counts(1, "e", "c", 100_000, 78_500)),
                AlertConfig.defaults())).isEmpty();
    }

    @Test
    void shouldNotAlertWhenBonferroniOverTheSuitesElementsRaisesTheBar() {
        // p ~ 0.0047: below alpha 0.01 alone, above 0.01 / 4 with three more elements in the suite
        List<ScoreCell> one = List.of(counts(0, "e", "c", 1000, 700), counts(1, "e", "c", 1000, 643));
        assertThat(alerts(one, AlertConfig.defaults())).hasSize(1);
        List<ScoreCell> four = new ArrayList<>(one);
        for (String other : List.of("x", "y", "z")) {
            four.add(counts(0, other, "c", 1000, 700));
            four.add(counts(1, other, "c", 1000, 700));
        }
        assertThat(alerts(four, AlertConfig.defaults())).isEmpty();
    }

    @Test
    void shouldRaiseFgThresholdOnceWhenTheCategoryFgCrossesUpward() {
        List<ScoreCell> cells = List.of(counts(0, "e", "c", 100, 80), counts(1, "e", "c", 100, 78),
                counts(2, "e", "c", 100, 60), counts(3, "e", "c", 100, 50));
        // fg: stage1 2.5, stage2 (2.5+25)/2 = 13.75, stage3 (2.5+25+37.5)/3 = 21.67 -> crossing at 3 only
        List<KnowledgeLossAlert> fg = alerts(cells, AlertConfig.defaults().withMinDropPp(100)).stream()
                .filter(a -> a.getRule() == AlertRule.FG_THRESHOLD).toList();

        assertThat(fg).singleElement().satisfies(a -> {
            assertThat(a.getStage()).isEqualTo(3);
            assertThat(a.getPreviousStage()).isEqualTo(2);
            assertThat(a.getFgPct()).isCloseTo(21.6667, within(1e-4));
            assertThat(a.getCategory()).isEqualTo("c");
            assertThat(a.getAlertId()).isEqualTo("camp/mlp-a/stage-3/category:c/FG_THRESHOLD");
        });
    }

    @Test
    void shouldNotRaiseFgThresholdWhenAPlannedElementOfTheCategoryIsStillAwaited() {
        AlertConfig config = AlertConfig.defaults().withMinDropPp(100);
        IncrementalRun run = new IncrementalRun(RUN, RunStore.inMemory(), config);
        List<KnowledgeLossAlert> raised = new ArrayList<>();
        for (int stage = 0; stage <= 1; stage++) {
            run.planned(stage, "e", "c", "v1", T0);
            run.planned(stage, "f", "c", "v1", T0);
        }
        for (ScoreCell cell : List.of(counts(0, "e", "c", 100, 80), counts(0, "f", "c", 100, 80), counts(1, "e", "c", 100, 40))) {
            raised.addAll(run.score(cell, "v1", T0).alerts());
        }
        assertThat(raised).as("f is awaited at stage 1: e alone would give fg 50").isEmpty();

        raised.addAll(run.score(counts(1, "f", "c", 100, 76), "v1", T0).alerts()); // complete: fg = mean(50, 5) = 27.5
        assertThat(raised).singleElement().satisfies(a -> {
            assertThat(a.getRule()).isEqualTo(AlertRule.FG_THRESHOLD);
            assertThat(a.getFgPct()).isCloseTo(27.5, within(1e-9));
        });
        // scores alone (lethe metrics) are the complete data: the same cells without f at stage 1 give fg 50
        assertThat(alerts(List.of(counts(0, "e", "c", 100, 80), counts(0, "f", "c", 100, 80), counts(1, "e", "c", 100, 40)),
                config)).singleElement().satisfies(a -> assertThat(a.getFgPct()).isCloseTo(50.0, within(1e-9)));
    }

    @Test
    void shouldNameTheKeyWhenAThresholdIsInvalid() {
        assertThatThrownBy(() -> AlertConfig.defaults().withAlpha(0)).hasMessageContaining("alert.alpha");
        assertThatThrownBy(() -> AlertConfig.defaults().withMinDropPp(-1)).hasMessageContaining("alert.min-drop-pp");
        assertThatThrownBy(() -> AlertConfig.defaults().withMaxFgPct(Double.NaN)).hasMessageContaining("alert.max-fg-pct");
    }

    @Test
    void shouldAgreeWithTheBinomialSumWhenBPlusCIsLarge() {
        assertThat(Statistics.mcnemarExactP(0, 0)).isEqualTo(1.0);
        assertThat(Statistics.mcnemarExactP(10, 10)).isEqualTo(1.0);
        assertThat(Statistics.mcnemarExactP(5000, 4700)).isBetween(0.002, 0.003); // z ~ 3.05 -> p ~ 0.0023
        assertThat(Statistics.mcnemarExactP(20000, 0)).isEqualTo(0.0);
    }
}
