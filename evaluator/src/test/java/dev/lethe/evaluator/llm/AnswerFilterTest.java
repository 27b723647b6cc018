package dev.lethe.evaluator.llm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * GSM8K answer extraction and exact match as lm-evaluation-harness's gsm8k task (v3.0) computes them: the strict
 * {@code #### (\-?[0-9\.\,]+)} first match, the flexible {@code (-?[$0-9.,]{2,})|(-?[0-9]+)} last match, and the
 * {@code regexes_to_ignore} normalisation of both sides.
 */
class AnswerFilterTest {

    static final String TARGET_18 = "Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.\nShe makes 9 * 2 = $<<9*2=18>>18 every day.\n#### 18";

    @Test
    void shouldTakeTheFirstHashAnswerWhenMatchingStrictly() {
        assertThat(AnswerFilter.STRICT_MATCH.extract(" She makes 9 * 2 = $18.\n#### 18")).isEqualTo("18");
        assertThat(AnswerFilter.STRICT_MATCH.extract("#### 3 and later #### 4")).isEqualTo("3");
        assertThat(AnswerFilter.STRICT_MATCH.extract("#### -5")).isEqualTo("-5");
        assertThat(AnswerFilter.STRICT_MATCH.extract("#### 1,234.5 dollars")).isEqualTo("1,234.5");
    }

    @Test
    void shouldFallBackToInvalidWhenNoHashAnswerIsThere() {
        assertThat(AnswerFilter.STRICT_MATCH.extract("The answer is 18.")).isEqualTo("[invalid]");
        assertThat(AnswerFilter.STRICT_MATCH.extract("####18")).isEqualTo("[invalid]");
        assertThat(AnswerFilter.FLEXIBLE_EXTRACT.extract("no digits at all")).isEqualTo("[invalid]");
    }

    @Test
    void shouldTakeTheLastNumberAndItsFirstNonEmptyGroupWhenExtractingFlexibly() {
        assertThat(AnswerFilter.FLEXIBLE_EXTRACT.extract("9 * 2 = 18, so the answer is 18.")).isEqualTo("18.");
        assertThat(AnswerFilter.FLEXIBLE_EXTRACT.extract("He pays $1,200.")).isEqualTo("$1,200.");
        // a single digit only matches the second alternative
        assertThat(AnswerFilter.FLEXIBLE_EXTRACT.extract("12 apples, then x = 7")).isEqualTo("7");
        assertThat(AnswerFilter.FLEXIBLE_EXTRACT.extract("#### 5 ... then 7 more")).isEqualTo("7");
        assertThat(AnswerFilter.FLEXIBLE_EXTRACT.extract("it fell by -3")).isEqualTo("-3");
    }

    @Test
    void shouldMatchAfterRemovingCommasDollarsTheSolutionAndAFinalDotWhenComparing() {
        assertThat(ExactMatch.gsm8k("18", TARGET_18)).isTrue();
        assertThat(ExactMatch.gsm8k("18.", TARGET_18)).isTrue();
        assertThat(ExactMatch.gsm8k("$18", TARGET_18)).isTrue();
        assertThat(ExactMatch.gsm8k("[invalid]", TARGET_18)).isFalse();
        assertThat(ExactMatch.gsm8k("1,200", "so 1200\n#### 1,200")).isTrue();
        assertThat(ExactMatch.gsm8k("$1,200.", "#### 1200")).isTrue();
        // not numeric equality: "18.0" is not "18", as in the harness
        assertThat(ExactMatch.gsm8k("18.0", TARGET_18)).isFalse();
        // Python's $ also matches before a final newline
        assertThat(ExactMatch.normalise("18.\n")).isEqualTo("18\n");
    }

    @Test
    void shouldCutAtTheFirstStopSequenceBeforeExtractingWhenTheServerDidNotStop() {
        GenerativeItems items = new GenerativeItems(java.util.List.of(new GenerativeItem("g/0", "", "Question: q\nAnswer:", TARGET_18)),
                AnswerFilter.STRICT_MATCH, java.util.List.of("Question:", "</s>", "<|im_end|>"), 256);
        assertThat(items.judge(0, " 9 * 2 = 18\n#### 18\n\nQuestion: next\nAnswer: #### 99")).isTrue();
        assertThat(items.judge(0, " no answer here\n\nQuestion: next\nAnswer: #### 18")).isFalse();
        GenerativeItems flexible = new GenerativeItems(items.items(), AnswerFilter.FLEXIBLE_EXTRACT, items.until(), 256);
        assertThat(flexible.judge(0, " The answer is 18.</s>Question: 99")).isTrue();
    }
}
