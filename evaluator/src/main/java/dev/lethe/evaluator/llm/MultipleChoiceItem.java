package dev.lethe.evaluator.llm;

import java.util.List;

/**
 * One multiple-choice question as an LLM scores it: the context (a shared few-shot prefix followed by this item's
 * own query) and the choices, each scored as the continuation {@code targetDelimiter + choice}.
 *
 * @param id      stable item id (e.g. {@code abstract_algebra/0}); not part of the scoring
 * @param prefix  the k-shot prompt piece shared by many items (description and solved examples), may be empty;
 *                kept apart so thousands of MMLU items share one string instead of a copy each
 * @param query   this item's own prompt text, appended to {@code prefix}; the context may be empty (CrowS-Pairs scores
 *                whole sentences, as the harness's {@code doc_to_text: ""})
 * @param choices the answer strings without the leading delimiter (lm-evaluation-harness {@code doc_to_choice})
 * @param gold    index of the correct choice
 */
public record MultipleChoiceItem(String id, String prefix, String query, List<String> choices, int gold) {

    public MultipleChoiceItem {
        prefix = prefix == null ? "" : prefix;
        if (query == null) {
            throw new IllegalArgumentException("item " + id + " has no query/context");
        }
        choices = List.copyOf(choices);
        if (choices.size() < 2) {
            throw new IllegalArgumentException("item " + id + " needs at least 2 choices, has " + choices.size());
        }
        for (String c : choices) {
            // acc_norm divides by the choice's length
            if (c.isEmpty()) {
                throw new IllegalArgumentException("item " + id + " has an empty choice");
            }
        }
        if (gold < 0 || gold >= choices.size()) {
            throw new IllegalArgumentException("item " + id + " has gold " + gold + " outside its " + choices.size() + " choices");
        }
    }

    /** The full context the continuations are conditioned on. */
    public String context() {
        return prefix + query;
    }
}
