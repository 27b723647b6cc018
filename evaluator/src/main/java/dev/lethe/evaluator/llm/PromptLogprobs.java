package dev.lethe.evaluator.llm;

import dev.lethe.evaluator.scoring.ScoringException;

/**
 * The echoed prompt's per-token log-probabilities of one completions choice ({@code logprobs.token_logprobs} and
 * {@code logprobs.text_offset}; the first token's log-probability is null), and the continuation's log-likelihood
 * read from them the way lm-evaluation-harness's completions models do.
 */
record PromptLogprobs(Double[] tokenLogprobs, int[] textOffsets) {

    public PromptLogprobs {
        if (tokenLogprobs.length != textOffsets.length) {
            throw new ScoringException("logprobs has " + tokenLogprobs.length + " token_logprobs but " + textOffsets.length + " text_offset");
        }
    }

    /**
     * The summed log-probability of the tokens that start at or after character {@code contextChars} and before
     * {@code promptChars} (both in code points, like the server's Python {@code text_offset}). The first bound is the
     * harness's ({@code while offsets[idx] < context_length: idx += 1}); the second drops any generated token, so
     * servers that ignore {@code max_tokens: 0} and generate one (as the harness's {@code max_tokens: 1}) give the same sum.
     */
    public double continuationLogLikelihood(int contextChars, int promptChars) {
        int from = 0;
        while (from < textOffsets.length && textOffsets[from] < contextChars) {
            from++;
        }
        int to = from;
        while (to < textOffsets.length && textOffsets[to] < promptChars) {
            to++;
        }
        if (from == to) {
            throw new ScoringException("no token of the echoed prompt starts inside the continuation (chars " + contextChars + ".."
                    + promptChars + "): the server merged it into a context token, or did not echo the prompt");
        }
        double sum = 0;
        for (int i = from; i < to; i++) {
            Double lp = tokenLogprobs[i];
            if (i == 0 && lp == null && to > 1) {
                // the prompt's first token has no conditional probability; it is inside the continuation only when the
                // context is empty (CrowS-Pairs scores whole sentences), and a server that prepends BOS scores it instead
                continue;
            }
            if (lp == null || lp.isNaN() || lp > 1e-9) {
                throw new ScoringException("continuation token " + i + " has log-probability " + lp);
            }
            sum += lp;
        }
        return sum;
    }
}
