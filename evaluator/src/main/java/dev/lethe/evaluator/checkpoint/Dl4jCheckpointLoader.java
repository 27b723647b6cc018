package dev.lethe.evaluator.checkpoint;

import java.io.IOException;
import java.util.Set;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Loads a DL4J {@link MultiLayerNetwork} safely: fetch into a private copy (roots/allow-list, size, sha256),
 * check the zip entries against the model's own, then restore without the updater state.
 * The JVM flag {@code -Djdk.serialFilter=!*} is the second guard should a Java-deserialization path remain.
 */
public final class Dl4jCheckpointLoader {

    /** The entry without which a zip is not a DL4J model (a model without parameters has noParams.marker, no coefficients). */
    public static final Set<String> REQUIRED_ENTRIES = Set.of("configuration.json");

    private final CheckpointFetcher fetcher;
    private final ZipEntryGuard guard;

    public Dl4jCheckpointLoader(CheckpointFetcher fetcher, Set<String> allowedEntries, long maxUncompressedBytes) {
        this.fetcher = fetcher;
        this.guard = new ZipEntryGuard(allowedEntries, REQUIRED_ENTRIES, maxUncompressedBytes);
    }

    public MultiLayerNetwork load(String uri, String sha256) throws CheckpointException {
        try (FetchedCheckpoint copy = fetcher.fetch(uri, sha256)) {
            guard.check(copy.file());
            try {
                return ModelSerializer.restoreMultiLayerNetwork(copy.file().toFile(), false);
            } catch (IOException | RuntimeException e) {
                throw new CheckpointUnavailableException("checkpoint " + uri + " is not a loadable DL4J model: " + e, e);
            }
        }
    }
}
