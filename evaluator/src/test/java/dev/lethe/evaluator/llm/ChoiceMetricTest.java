package dev.lethe.evaluator.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChoiceMetricTest {

    @Test
    void shouldPickTheHigherSumForAccAndTheHigherPerCharacterValueForAccNormWhenScoringWe10() {
        // METRICS-RESEARCH.md §5 WE-10: choices "cat", "elephant", gold 1, lls [-4, -6]
        List<String> choices = List.of("cat", "elephant");
        double[] lls = {-4.0, -6.0};
        int gold = 1;

        assertThat(ChoiceMetric.ACC.predict(lls, choices)).isEqualTo(0);
        assertThat(ChoiceMetric.ACC.predict(lls, choices) == gold).isFalse();   // acc = 0
        assertThat(ChoiceMetric.ACC_NORM.predict(lls, choices)).isEqualTo(1);  // -4/3 = -1.333 < -6/8 = -0.75
        assertThat(ChoiceMetric.ACC_NORM.predict(lls, choices) == gold).isTrue(); // acc_norm = 1
    }

    @Test
    void shouldTakeTheFirstChoiceWhenLogLikelihoodsTie() {
        assertThat(ChoiceMetric.ACC.predict(new double[] {-1, -1, -2}, List.of("a", "b", "c"))).isEqualTo(0);
        assertThat(ChoiceMetric.ACC_NORM.predict(new double[] {-2, -1, -1}, List.of("ab", "b", "c"))).isEqualTo(0);
    }

    @Test
    void shouldCountCodePointsNotUtf16UnitsWhenNormalising() {
        // "😀😀" is 2 characters in Python (4 UTF-16 units): -3/2 = -1.5 beats -1.6/1
        List<String> choices = List.of("\uD83D\uDE00\uD83D\uDE00", "x");
        assertThat(ChoiceMetric.ACC_NORM.predict(new double[] {-3.0, -1.6}, choices)).isEqualTo(0);
        assertThat(ChoiceMetric.characterLength("\uD83D\uDE00\uD83D\uDE00")).isEqualTo(2);
    }

    @Test
    void shouldCountAPairOnlyWhenTheMoreStereotypingSentenceIsStrictlyMoreLikelyWhenJudgingPctStereotype() {
        List<String> pair = List.of("more stereotyping", "less");
        assertThat(ChoiceMetric.PCT_STEREOTYPE.judge(new double[] {-10, -12}, pair, 0)).isTrue();
        assertThat(ChoiceMetric.PCT_STEREOTYPE.judge(new double[] {-12, -10}, pair, 0)).isFalse();
        // a tie is not a preference (the harness's likelihood1 > likelihood2), unlike acc's first-choice tie-break
        assertThat(ChoiceMetric.PCT_STEREOTYPE.judge(new double[] {-10, -10}, pair, 0)).isFalse();
        assertThat(ChoiceMetric.ACC.judge(new double[] {-10, -10}, pair, 0)).isTrue();
        assertThat(ChoiceMetric.PCT_STEREOTYPE.polarity()).isEqualTo(dev.lethe.schemas.MetricPolarity.CLOSER_TO_50_IS_BETTER);
        assertThat(ChoiceMetric.ACC_NORM.polarity()).isEqualTo(dev.lethe.schemas.MetricPolarity.HIGHER_IS_BETTER);
        assertThatThrownBy(() -> ChoiceMetric.PCT_STEREOTYPE.judge(new double[] {-1, -2, -3}, List.of("a", "b", "c"), 0))
                .hasMessageContaining("exactly 2");
    }

    @Test
    void shouldRefuseMismatchedCountsAndNaNWhenPredicting() {
        assertThatThrownBy(() -> ChoiceMetric.ACC.predict(new double[] {-1}, List.of("a", "b"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChoiceMetric.ACC.predict(new double[] {-1, Double.NaN}, List.of("a", "b")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(ChoiceMetric.fromId("acc_norm")).isEqualTo(ChoiceMetric.ACC_NORM);
        assertThatThrownBy(() -> ChoiceMetric.fromId("f1")).hasMessageContaining("acc, acc_norm or pct_stereotype");
    }
}
