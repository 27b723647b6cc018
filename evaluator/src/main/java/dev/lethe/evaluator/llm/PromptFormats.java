package dev.lethe.evaluator.llm;

import java.util.List;

/**
 * The prompt templates of lm-evaluation-harness (v0.4 task YAMLs) for the imported benchmarks, so a score here means
 * what the harness's score means: MMLU ({@code mmlu/default}: description header, {@code question.strip()}, lettered
 * choices, {@code "Answer:"}, continuations {@code " A"}..{@code " D"}, solved dev examples joined by a blank line),
 * ARC ({@code "Question: q\nAnswer:"}, continuations the choice texts) and BoolQ ({@code super_glue/boolq}:
 * {@code "passage\nQuestion: q?\nAnswer:"}, continuations {@code " no"}/{@code " yes"}).
 */
public final class PromptFormats {

    /** MMLU's answer choices, scored as {@code " A"} .. {@code " D"}. */
    public static final List<String> MMLU_CHOICES = List.of("A", "B", "C", "D");
    /** BoolQ's choices; gold 1 = true = "yes". */
    public static final List<String> BOOLQ_CHOICES = List.of("no", "yes");
    /** lm-evaluation-harness's {@code fewshot_delimiter}. */
    public static final String FEWSHOT_DELIMITER = "\n\n";

    private PromptFormats() {
    }

    /** {@code "The following are multiple choice questions (with answers) about abstract algebra.\n\n"}. */
    public static String mmluDescription(String subject) {
        return "The following are multiple choice questions (with answers) about " + subject.replace('_', ' ') + ".\n\n";
    }

    /** An MMLU question as the harness renders it, ending in {@code "Answer:"}. */
    public static String mmluQuery(String question, List<String> choices) {
        if (choices.size() != MMLU_CHOICES.size()) {
            throw new IllegalArgumentException("an MMLU question has 4 choices, got " + choices.size());
        }
        StringBuilder sb = new StringBuilder(question.strip());
        for (int i = 0; i < choices.size(); i++) {
            sb.append('\n').append(MMLU_CHOICES.get(i)).append(". ").append(choices.get(i));
        }
        return sb.append("\nAnswer:").toString();
    }

    /** A solved example: the query, the target delimiter and the gold choice ({@code "...Answer: B"}). */
    public static String solved(String query, String goldChoice) {
        return query + MultipleChoiceItems.DEFAULT_DELIMITER + goldChoice;
    }

    /**
     * The k-shot prefix every query of a subject is appended to: description, then the solved examples each followed
     * by the few-shot delimiter (the harness joins description + examples + query this way).
     */
    public static String fewshotPrefix(String description, List<String> solvedExamples) {
        StringBuilder sb = new StringBuilder(description);
        for (String example : solvedExamples) {
            sb.append(example).append(FEWSHOT_DELIMITER);
        }
        return sb.toString();
    }

    /** ARC (easy and challenge). */
    public static String arcQuery(String question) {
        return "Question: " + question + "\nAnswer:";
    }

    /** BoolQ; the harness appends the question mark the dataset's questions lack. */
    public static String boolqQuery(String passage, String question) {
        return passage + "\nQuestion: " + question + "?\nAnswer:";
    }
}
