package dev.lethe.evaluator.llm;

import dev.lethe.evaluator.suite.ItemSet;
import dev.lethe.schemas.MetricPolarity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Multiple-choice text items of one suite element (MMLU, ARC, BoolQ, ...) with the element's metric and target
 * delimiter; what {@link OpenAiCompletionsScorer} scores. The digest covers exactly what is sent and judged (each
 * item's full context, choices, gold), plus the metric and delimiter, so changing any of them changes the suite
 * version.
 */
public record MultipleChoiceItems(List<MultipleChoiceItem> items, ChoiceMetric choiceMetric, String targetDelimiter) implements ItemSet {

    /** lm-evaluation-harness's default {@code target_delimiter}. */
    public static final String DEFAULT_DELIMITER = " ";

    public MultipleChoiceItems {
        items = List.copyOf(items);
        if (choiceMetric == null) {
            throw new IllegalArgumentException("metric is required");
        }
        if (targetDelimiter == null) {
            throw new IllegalArgumentException("target delimiter is required (may be empty)");
        }
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public MultipleChoiceItems slice(int from, int to) {
        return new MultipleChoiceItems(items.subList(from, to), choiceMetric, targetDelimiter);
    }

    @Override
    public String metric() {
        return choiceMetric.id();
    }

    @Override
    public MetricPolarity polarity() {
        return choiceMetric.polarity();
    }

    /**
     * A bias share: 50 % (a model preferring at random). A binary element whose items all offer the same two
     * answers (BoolQ's no/yes): the majority-class share of the gold answers, what always giving the commoner answer
     * scores. Otherwise the mean over items of 100/choices (ARC has three to five choices).
     */
    @Override
    public Double chancePct() {
        if (items.isEmpty()) {
            return null;
        }
        if (polarity() == MetricPolarity.CLOSER_TO_50_IS_BETTER) {
            return 50.0;
        }
        List<String> binary = items.get(0).choices();
        boolean sameTwoAnswers = binary.size() == 2 && items.stream().allMatch(item -> item.choices().equals(binary));
        if (sameTwoAnswers) {
            long first = items.stream().filter(item -> item.gold() == 0).count();
            return 100.0 * Math.max(first, items.size() - first) / items.size();
        }
        return 100.0 * items.stream().mapToDouble(item -> 1.0 / item.choices().size()).sum() / items.size();
    }

    public MultipleChoiceItem get(int i) {
        return items.get(i);
    }

    /** The continuation scored for choice {@code c} of item {@code i}. */
    public String continuation(int i, int c) {
        return targetDelimiter + items.get(i).choices().get(c);
    }

    @Override
    public void digest(MessageDigest digest) {
        digest.update("multiple-choice 1\n".getBytes(StandardCharsets.UTF_8));
        text(digest, choiceMetric.id());
        text(digest, targetDelimiter);
        digest.update(ByteBuffer.allocate(4).putInt(items.size()).array());
        for (MultipleChoiceItem item : items) {
            text(digest, item.context());
            digest.update(ByteBuffer.allocate(8).putInt(item.choices().size()).putInt(item.gold()).array());
            for (String choice : item.choices()) {
                text(digest, choice);
            }
        }
    }

    /** Length-prefixed UTF-8, so ("ab","c") and ("a","bc") hash differently. */
    static void text(MessageDigest digest, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        digest.update(bytes);
    }
}
