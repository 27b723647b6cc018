package dev.lethe.ml.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared data folder ({@code ../shared/data} next to the repository) for tests. */
public final class TestData {

    private TestData() {
    }

    /** {@code $LETHE_DATA_DIR}, else the first {@code shared/data} found walking up from the working directory. */
    public static Path dir() {
        String env = System.getenv("LETHE_DATA_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("data");
            if (Files.isDirectory(candidate.resolve("mnist-t10k"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("shared/data/mnist-t10k not found above " + Path.of("").toAbsolutePath()
                + "; set LETHE_DATA_DIR");
    }
}
