package dev.lethe.evaluator.suite.imported;

import dev.lethe.evaluator.suite.Suite;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves imported suites by id from a suites root: suite {@code X} is the directory {@code <root>/X} holding a
 * {@value ImportedSuites#DEFINITION} (written by {@code lethe suite import}). Loaded suites are cached and reloaded
 * when a file of the directory changes (a re-import), so planner and workers see the new version.
 */
public final class ImportedSuiteCatalog {

    static final int SUITES_KEPT = 4;

    private final Path root;
    private final Map<String, Cached> cache = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            return size() > SUITES_KEPT;
        }
    };

    public ImportedSuiteCatalog(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** Whether {@code suiteId} names an imported suite under the root. */
    public boolean has(String suiteId) {
        return ImportedSuites.isSafeName(suiteId) && Files.isRegularFile(root.resolve(suiteId).resolve(ImportedSuites.DEFINITION));
    }

    /**
     * The suite {@code suiteId}, empty when the root has no such suite.
     *
     * @throws IOException the suite directory exists but cannot be read or is malformed
     */
    public synchronized Optional<Suite> resolve(String suiteId) throws IOException {
        if (!has(suiteId)) {
            return Optional.empty();
        }
        Path dir = root.resolve(suiteId);
        String fingerprint = fingerprint(dir);
        Cached cached = cache.get(suiteId);
        if (cached != null && cached.fingerprint.equals(fingerprint)) {
            return Optional.of(cached.suite);
        }
        Suite suite = ImportedSuites.load(dir);
        cache.put(suiteId, new Cached(fingerprint, suite));
        return Optional.of(suite);
    }

    private static String fingerprint(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            java.util.List<Path> sorted = new java.util.ArrayList<>();
            files.forEach(sorted::add);
            sorted.sort(null);
            for (Path f : sorted) {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                sb.append(f.getFileName()).append(':').append(a.size()).append(':').append(a.lastModifiedTime().toMillis()).append(';');
            }
        }
        return sb.toString();
    }

    private record Cached(String fingerprint, Suite suite) {
    }
}
