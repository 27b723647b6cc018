package dev.lethe.evaluator;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared read-only data directory (../shared/data next to the repository) for tests. */
public final class TestData {

    private TestData() {
    }

    /** {@code -Dlethe.data.dir} if set, else the first ancestor's {@code shared/data} holding {@code mnist-t10k}. */
    public static Path dataDir() {
        String configured = System.getProperty("lethe.data.dir");
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/data");
            if (Files.isDirectory(candidate.resolve("mnist-t10k"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no shared/data/mnist-t10k above " + Path.of("").toAbsolutePath()
                + "; set -Dlethe.data.dir");
    }
}
