package dev.lethe.cli.demo;

import dev.lethe.sinks.jsonl.JsonlSink;
import dev.lethe.sinks.report.ReportSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.io.file.PathUtils;

/**
 * The demo's output folder. The demo replaces what an earlier demo left in it (checkpoints/, state/, logs/ and the
 * result files), so it only does that to a folder it made itself: a new or empty folder gets a marker file, and a
 * non-empty folder without the marker is refused (unless --force), so {@code --out ~} never deletes anyone's files.
 */
final class DemoOutDir {

    /** Written into every folder the demo uses; its presence means "the demo's own, safe to replace". */
    static final String MARKER = ".lethe-demo";

    private static final List<String> REPLACED_DIRS = List.of("checkpoints", "state", "logs");

    private DemoOutDir() {
    }

    /** Refuses a non-empty folder the demo did not make (unless forced); otherwise clears the previous run. */
    static Path prepare(Path dir, boolean force) throws IOException {
        checkUsable(dir, force);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(MARKER), "Written by lethe demo: this folder holds a demo's output and the next "
                + "demo run with --out here replaces checkpoints/, state/, logs/ and the result files.\n");
        for (String child : REPLACED_DIRS) {
            deleteTree(dir.resolve(child));
        }
        for (String file : List.of(JsonlSink.METRICS_FILE, JsonlSink.ALERTS_FILE, ReportSink.REPORT_FILE, DemoRun.PROMETHEUS_SNAPSHOT)) {
            Files.deleteIfExists(dir.resolve(file));
        }
        return dir;
    }

    /** Throws {@link IllegalArgumentException} naming --out when the folder is not the demo's to replace. */
    static void checkUsable(Path dir, boolean force) throws IOException {
        if (force || !Files.exists(dir) || Files.exists(dir.resolve(MARKER))) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + " is a file, not a folder");
        }
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalArgumentException("--out " + dir + " is not empty and was not made by lethe demo (no "
                        + MARKER + " file); the demo replaces checkpoints/, state/ and logs/ in its folder, so pick a new or "
                        + "empty folder, or add --force to use this one anyway");
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            PathUtils.delete(root);
        }
    }
}
