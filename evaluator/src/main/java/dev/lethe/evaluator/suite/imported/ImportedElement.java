package dev.lethe.evaluator.suite.imported;

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
 */
public record ImportedElement(String benchmark, String category, int shardSize, ChoiceMetric metric, String targetDelimiter,
                              List<ImportedItem> items, Map<String, String> fewshot, String source) {

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
     * One item line of an element's JSON Lines file: {@code {"id", "fewshot"?, "query", "choices", "gold"}}. The context
     * is the few-shot prefix named by {@code fewshot} (if any) followed by {@code query}.
     */
    public record ImportedItem(String id, String fewshot, String query, List<String> choices, int gold) {

        public ImportedItem {
            choices = List.copyOf(choices);
        }
    }
}
