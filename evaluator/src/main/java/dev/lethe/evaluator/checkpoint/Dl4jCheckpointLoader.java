package dev.lethe.evaluator.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Loads a DL4J {@link MultiLayerNetwork} with bounded memory: fetch into a private copy (roots/allow-list, size,
 * sha256); check the zip entries and their inflated size against the budget ({@link ZipEntryGuard}); check every
 * array header against the configuration, the budget and the bytes present ({@link ModelContentGuard}); then hand
 * DL4J a scoring copy without {@code updaterState.bin} (scoring never needs it, and DL4J would buffer it in the
 * heap). Whatever fails to load is remembered by sha256 ({@link FailedCheckpoints}).
 * The JVM flag {@code -Djdk.serialFilter=!*} is the second guard should a Java-deserialization path remain.
 */
public final class Dl4jCheckpointLoader {

    /** The entry without which a zip is not a DL4J model (a model without parameters has noParams.marker, no coefficients). */
    public static final Set<String> REQUIRED_ENTRIES = Set.of("configuration.json");

    /** The entries DL4J needs to restore a model for inference. */
    static final Set<String> SCORING_ENTRIES = Set.of("configuration.json", "coefficients.bin", "noParams.marker");

    private final CheckpointFetcher fetcher;
    private final ZipEntryGuard guard;
    private final ModelContentGuard content;
    private final FailedCheckpoints failures = new FailedCheckpoints();

    public Dl4jCheckpointLoader(CheckpointFetcher fetcher, Set<String> allowedEntries, CheckpointBudget budget) {
        this.fetcher = fetcher;
        this.guard = new ZipEntryGuard(allowedEntries, REQUIRED_ENTRIES, budget.maxInflatedBytes());
        this.content = new ModelContentGuard(budget.maxInflatedBytes());
    }

    public Dl4jCheckpointLoader(CheckpointFetcher fetcher, Set<String> allowedEntries, long maxUncompressedBytes) {
        this(fetcher, allowedEntries, new CheckpointBudget(maxUncompressedBytes));
    }

    public MultiLayerNetwork load(String uri, String sha256) throws CheckpointException {
        CheckpointException known = failures.recall(uri, sha256);
        if (known != null) {
            throw known;
        }
        FetchedCheckpoint copy;
        try {
            copy = fetcher.fetch(uri, sha256);
        } catch (CheckpointRejectedException e) {
            failures.rememberUri(uri, sha256, e);
            throw e;
        }
        // an unavailable file (missing, HTTP error) is not remembered: it may be there for the next shard
        try (copy) {
            return loadVerified(copy, uri);
        } catch (CheckpointException e) {
            failures.rememberContent(sha256, e);
            throw e;
        }
    }

    /** Verdicts remembered so far. */
    public FailedCheckpoints failures() {
        return failures;
    }

    private MultiLayerNetwork loadVerified(FetchedCheckpoint copy, String uri) throws CheckpointException {
        guard.check(copy.file());
        content.check(copy.file());
        Path scoring = null;
        try {
            scoring = scoringCopy(copy.file());
            return ModelSerializer.restoreMultiLayerNetwork(scoring.toFile(), false);
        } catch (OutOfMemoryError e) {
            // the checks above should make this unreachable; if not, the worker survives and the bytes are remembered
            throw new CheckpointRejectedException("checkpoint " + uri + " exhausted the worker's memory while loading: " + e, e);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointUnavailableException("checkpoint " + uri + " is not a loadable DL4J model: " + e, e);
        } finally {
            deleteQuietly(scoring);
        }
    }

    /** A copy of the checked zip holding only {@link #SCORING_ENTRIES}, next to it. */
    static Path scoringCopy(Path zip) throws IOException {
        Path copy = Files.createTempFile(zip.toAbsolutePath().getParent(), "scoring-", ".zip");
        try (ZipFile in = new ZipFile(zip.toFile()); OutputStream file = Files.newOutputStream(copy);
             ZipOutputStream out = new ZipOutputStream(file)) {
            out.setLevel(Deflater.NO_COMPRESSION); // read back once, at once: compressing again is wasted time
            for (String name : SCORING_ENTRIES) {
                ZipEntry entry = in.getEntry(name);
                if (entry == null) {
                    continue;
                }
                out.putNextEntry(new ZipEntry(name));
                try (InputStream bytes = in.getInputStream(entry)) {
                    bytes.transferTo(out);
                }
                out.closeEntry();
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(copy);
            throw e;
        }
        return copy;
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover temp file is harmless; the worker's temp dir is removed on exit
        }
    }
}
