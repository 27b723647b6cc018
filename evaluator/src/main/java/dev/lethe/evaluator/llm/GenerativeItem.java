package dev.lethe.evaluator.llm;

/**
 * One generative (exact-match) problem: the prompt (a shared few-shot prefix followed by this item's query) and the
 * reference the filtered response is compared with.
 *
 * @param id     stable item id (e.g. {@code gsm8k/17}); not part of the scoring
 * @param prefix the k-shot prompt piece shared by all items, may be empty
 * @param query  this item's own prompt text, e.g. {@code "Question: ...\nAnswer:"}
 * @param target the reference (for GSM8K the full solution ending in {@code #### <number>}, as the harness's
 *               {@code doc_to_target})
 */
public record GenerativeItem(String id, String prefix, String query, String target) {

    public GenerativeItem {
        prefix = prefix == null ? "" : prefix;
        if (query == null || query.isEmpty()) {
            throw new IllegalArgumentException("item " + id + " has no query");
        }
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("item " + id + " has no target");
        }
    }

    /** The whole prompt sent to the model. */
    public String prompt() {
        return prefix + query;
    }
}
