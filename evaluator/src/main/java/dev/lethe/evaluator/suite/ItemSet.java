package dev.lethe.evaluator.suite;

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
}
