package dev.lethe.evaluator.suite;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A versioned benchmark suite: an ordered list of {@link SuiteElement}s. Its version is the sha256 of its
 * {@link #manifest()}, so any change of an element, its items, order or shard size gives a new version, carried
 * by every {@code EvalTask} and {@code ShardResult}.
 *
 * @param id       suite id as named in {@code CheckpointReady.suite} (e.g. {@code digits-cl})
 * @param params   the campaign parameters the suite was derived from, in manifest form (e.g.
 *                 {@code dataset=digits protocol=permuted seed=7 stages=3}); empty when campaign-independent
 * @param stages   number of fine-tuning stages of the campaign (checkpoints beyond it are invalid), or null
 * @param elements the elements, in their fixed order
 */
public record Suite(String id, String params, Integer stages, List<SuiteElement> elements) {

    /** Format marker of the manifest's first line. */
    public static final String MANIFEST_HEADER = "lethe-suite-manifest 1";

    public Suite {
        elements = List.copyOf(elements);
        Set<String> names = new LinkedHashSet<>();
        for (SuiteElement e : elements) {
            if (!names.add(e.benchmark())) {
                throw new IllegalArgumentException("suite " + id + " has two elements named " + e.benchmark());
            }
        }
    }

    /**
     * The manifest: UTF-8 text, LF line ends, one header line, one {@code suite} line, one {@code params} line, then
     * one tab-separated {@code element} line per element in order: benchmark, category, item count, shard size,
     * sha256 of the items' content. Documented in evaluator/README.md.
     */
    public String manifest() {
        StringBuilder sb = new StringBuilder();
        sb.append(MANIFEST_HEADER).append('\n');
        sb.append("suite\t").append(id).append('\n');
        sb.append("params\t").append(params).append('\n');
        for (SuiteElement e : elements) {
            sb.append(e.manifestLine()).append('\n');
        }
        return sb.toString();
    }

    /** The suite version: lower-case hex sha256 of {@link #manifest()}. */
    public String version() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(manifest().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Optional<SuiteElement> element(String benchmark) {
        return elements.stream().filter(e -> e.benchmark().equals(benchmark)).findFirst();
    }

    /** Total number of shard tasks one checkpoint expands to. */
    public int shardCount() {
        return elements.stream().mapToInt(SuiteElement::shardCount).sum();
    }
}
