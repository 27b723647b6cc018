package dev.lethe.evaluator.suite;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One benchmark of a suite: its name, category, items in a fixed order and shard size. Shard {@code k} holds
 * items {@code [k * shardSize, min(n, (k + 1) * shardSize))}, so per-item bitsets line up across stages.
 *
 * @param benchmark   benchmark name (for {@code task} elements: the stage's task name, e.g. {@code perm-2})
 * @param category    {@code domain-knowledge}, {@code robustness}, {@code task}, ...
 * @param items       the items, in their fixed order
 * @param shardSize   items per shard (the last shard may be smaller)
 * @param itemsSha256 content hash of the items (part of the suite manifest)
 */
public record SuiteElement(String benchmark, String category, ItemSet items, int shardSize, String itemsSha256) {

    public SuiteElement {
        if (benchmark == null || benchmark.isBlank() || benchmark.contains("/") || benchmark.matches(".*\\s.*")) {
            throw new IllegalArgumentException("benchmark name must be non-blank without '/' or spaces, got '" + benchmark + "'");
        }
        if (category == null || category.isBlank() || category.matches(".*\\s.*")) {
            throw new IllegalArgumentException("category must be non-blank without spaces, got '" + category + "'");
        }
        if (shardSize < 1) {
            throw new IllegalArgumentException("shard size must be >= 1, got " + shardSize);
        }
    }

    /** An element whose items hash is computed from the items. */
    public static SuiteElement of(String benchmark, String category, ItemSet items, int shardSize) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        items.digest(digest);
        return new SuiteElement(benchmark, category, items, shardSize, HexFormat.of().formatHex(digest.digest()));
    }

    public int itemCount() {
        return items.size();
    }

    /** Number of shards; an element without items has none. */
    public int shardCount() {
        return (itemCount() + shardSize - 1) / shardSize;
    }

    /** First item of shard {@code index} (inclusive). */
    public int shardStart(int index) {
        checkShard(index);
        return index * shardSize;
    }

    /** End of shard {@code index} (exclusive). */
    public int shardEnd(int index) {
        checkShard(index);
        return Math.min(itemCount(), (index + 1) * shardSize);
    }

    /** The items of shard {@code index}. */
    public ItemSet shard(int index) {
        return items.slice(shardStart(index), shardEnd(index));
    }

    private void checkShard(int index) {
        if (index < 0 || index >= shardCount()) {
            throw new IndexOutOfBoundsException("shard " + index + " of " + benchmark + " (has " + shardCount() + ")");
        }
    }

    /** This element's manifest line (see {@link Suite#manifest()}). */
    String manifestLine() {
        return "element\t" + benchmark + "\t" + category + "\t" + itemCount() + "\t" + shardSize + "\t" + itemsSha256;
    }
}
