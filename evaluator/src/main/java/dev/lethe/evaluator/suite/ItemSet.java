package dev.lethe.evaluator.suite;

import dev.lethe.schemas.MetricPolarity;
import java.security.MessageDigest;

/**
 * The items of one suite element in their fixed order; a scorer receives a {@link #slice} per shard.
 * Other item kinds (e.g. multiple-choice text for an LLM scorer) implement this next to {@link ImageItems}.
 */
public interface ItemSet {

    /** Number of items. */
    int size();

    /** Items {@code [from, to)} in the same order. */
    ItemSet slice(int from, int to);

    /** Feeds the items' exact content into {@code digest}; part of the suite version. */
    void digest(MessageDigest digest);

    /**
     * What a set bit of a shard's per-item bitset means, in lm-evaluation-harness's metric names; carried to
     * {@code ShardResult.metric}. Accuracy unless the item kind says otherwise.
     */
    default String metric() {
        return "acc";
    }

    /** Which direction of the share of set bits is better; carried to {@code ShardResult.polarity}. */
    default MetricPolarity polarity() {
        return MetricPolarity.HIGHER_IS_BETTER;
    }

    /**
     * The chance level of the whole element in percent of correct/n: the expected score of a model answering at
     * random (100/classes, 100/choices, the majority-class share of a binary element, 0 for exact match, 50 for a bias
     * share); carried to {@code ShardResult.chancePct}. Null when the item kind cannot tell.
     */
    default Double chancePct() {
        return null;
    }
}
