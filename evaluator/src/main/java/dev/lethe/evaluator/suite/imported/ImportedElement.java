package dev.lethe.evaluator.suite.imported;

import dev.lethe.evaluator.llm.AnswerFilter;
import dev.lethe.evaluator.llm.ChoiceMetric;
import java.util.List;
import java.util.Map;

/**
 * One benchmark element as an importer produces it, before it is written to a suite directory: its items (each
 * possibly referring to a shared k-shot prefix by key) and the prefixes.
 *
 * @param benchmark       element name, e.g. {@code mmlu-stem}
 * @param category        {@code domain-knowledge}, {@code reasoning}, ...
 * @param shardSize       items per shard
 * @param metric          how items are judged
 * @param targetDelimiter put between context and each choice (lm-evaluation-harness default {@code " "})
 * @param items           the items in their fixed order
 * @param fewshot         k-shot prompt prefixes by key (e.g. MMLU subject), empty for 0-shot elements
 * @param source          where the items came from (informational)
 * @param generation      null for a multiple-choice (log-likelihood) element; for a generative element how it is
 *                        generated and judged (then {@code metric} and {@code targetDelimiter} are unused and each item
 *                        has a {@code target} instead of choices)
 */
record ImportedElement(String benchmark, String category, int shardSize, ChoiceMetric metric, String targetDelimiter,
                              List<ImportedItem> items, Map<String, String> fewshot, String source, Generation generation) {

    /** A multiple-choice element. */
    public ImportedElement(String benchmark, String category, int shardSize, ChoiceMetric metric, String targetDelimiter,
                           List<ImportedItem> items, Map<String, String> fewshot, String source) {
        this(benchmark, category, shardSize, metric, targetDelimiter, items, fewshot, source, null);
    }

    public ImportedElement {
        items = List.copyOf(items);
        fewshot = Map.copyOf(fewshot);
        for (ImportedItem item : items) {
            if (item.fewshot() != null && !fewshot.containsKey(item.fewshot())) {
                throw new IllegalArgumentException("item " + item.id() + " refers to unknown few-shot prefix " + item.fewshot());
            }
        }
    }

    /**
     * How a generative element's answers are produced and judged.
     *
     * @param filter    the answer extraction (strict-match or flexible-extract)
     * @param until     stop sequences
     * @param maxTokens {@code max_tokens} per generation
     */
    public record Generation(AnswerFilter filter, List<String> until, int maxTokens) {

        public Generation {
            until = List.copyOf(until);
        }
    }

    /**
     * One item line of an element's JSON Lines file: {@code {"id", "fewshot"?, "query", "choices", "gold"}}, or for a
     * generative element {@code {"id", "fewshot"?, "query", "target"}}. The context is the few-shot prefix named by
     * {@code fewshot} (if any) followed by {@code query}.
     */
    public record ImportedItem(String id, String fewshot, String query, List<String> choices, int gold, String target) {

        /** A multiple-choice item. */
        public ImportedItem(String id, String fewshot, String query, List<String> choices, int gold) {
            this(id, fewshot, query, choices, gold, null);
        }

        /** A generative item. */
        public static ImportedItem generative(String id, String fewshot, String query, String target) {
            return new ImportedItem(id, fewshot, query, List.of(), -1, target);
        }

        public ImportedItem {
            choices = List.copyOf(choices);
        }
    }
}
