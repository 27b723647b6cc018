package dev.lethe.evaluator.llm;

import dev.lethe.evaluator.suite.ItemSet;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Generative exact-match items of one suite element (GSM8K) with how they are generated and judged: greedy decoding
 * up to {@code maxTokens}, stopped at the {@code until} sequences, the answer taken by {@code filter} and compared by
 * {@link ExactMatch}. The digest covers every prompt and target and these settings, so any change is a new suite version.
 *
 * @param items     the items in their fixed order
 * @param filter    strict-match or flexible-extract; the element's metric is {@code exact_match,<filter>}
 * @param until     stop sequences (sent as {@code stop}, at most 4 as the OpenAI API allows, and cut locally as well)
 * @param maxTokens {@code max_tokens} of each generation (the harness's default {@code max_gen_toks} is 256)
 */
public record GenerativeItems(List<GenerativeItem> items, AnswerFilter filter, List<String> until, int maxTokens) implements ItemSet {

    /** lm-evaluation-harness's default {@code max_gen_toks}. */
    public static final int DEFAULT_MAX_TOKENS = 256;
    /** The OpenAI API's limit on stop sequences. */
    public static final int MAX_STOP_SEQUENCES = 4;

    public GenerativeItems {
        items = List.copyOf(items);
        until = List.copyOf(until);
        if (filter == null) {
            throw new IllegalArgumentException("answer filter is required");
        }
        if (until.size() > MAX_STOP_SEQUENCES || until.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("at most " + MAX_STOP_SEQUENCES + " non-empty stop sequences, got " + until);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max tokens must be >= 1, got " + maxTokens);
        }
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public GenerativeItems slice(int from, int to) {
        return new GenerativeItems(items.subList(from, to), filter, until, maxTokens);
    }

    public GenerativeItem get(int i) {
        return items.get(i);
    }

    /** Exact match of a free-form answer: guessing is (practically) never right. */
    @Override
    public Double chancePct() {
        return 0.0;
    }

    @Override
    public String metric() {
        return "exact_match," + filter.id();
    }

    /** The response cut at the first stop sequence, as a server honouring {@code stop} returns it. */
    public String truncate(String response) {
        int cut = response.length();
        for (String stop : until) {
            int at = response.indexOf(stop);
            if (at >= 0 && at < cut) {
                cut = at;
            }
        }
        return response.substring(0, cut);
    }

    /** Whether {@code response} (raw, as generated) answers item {@code i} correctly. */
    public boolean judge(int i, String response) {
        return ExactMatch.gsm8k(filter.extract(truncate(response)), items.get(i).target());
    }

    @Override
    public void digest(MessageDigest digest) {
        digest.update("generative 1\n".getBytes(StandardCharsets.UTF_8));
        MultipleChoiceItems.text(digest, filter.id());
        digest.update(ByteBuffer.allocate(8).putInt(maxTokens).putInt(until.size()).array());
        until.forEach(s -> MultipleChoiceItems.text(digest, s));
        digest.update(ByteBuffer.allocate(4).putInt(items.size()).array());
        for (GenerativeItem item : items) {
            MultipleChoiceItems.text(digest, item.prompt());
            MultipleChoiceItems.text(digest, item.target());
        }
    }
}
