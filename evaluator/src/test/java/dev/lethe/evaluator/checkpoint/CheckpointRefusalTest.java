package dev.lethe.evaluator.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.lethe.schemas.DeadLetterReason;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a worker refuses a checkpoint, each with the dead-letter reason it leads to. */
class CheckpointRefusalTest {

    private static final Set<String> ALLOWED = Set.of("configuration.json", "coefficients.bin", "updaterState.bin", "noParams.marker");

    @TempDir
    Path tmp;
    Path root;
    Path work;
    CheckpointFetcher fetcher;
    ZipEntryGuard guard;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(tmp.resolve("root"));
        work = tmp.resolve("work");
        fetcher = new CheckpointFetcher(List.of(root), List.of("http://127.0.0.1:1/allowed/"), 10_000, Duration.ofSeconds(2), work);
        guard = new ZipEntryGuard(ALLOWED, Dl4jCheckpointLoader.REQUIRED_ENTRIES, 100_000);
    }

    private Path model(Path file) throws Exception {
        return TestZips.zip(file, modelEntries());
    }

    private static Map<String, String> modelEntries() {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("configuration.json", "{\"confs\":[]}");
        entries.put("coefficients.bin", "0123456789");
        return entries;
    }

    /** Runs the whole refusal pipeline a worker runs before handing the file to ModelSerializer. */
    private void fetchAndGuard(String uri, String sha) throws CheckpointException {
        try (FetchedCheckpoint copy = fetcher.fetch(uri, sha)) {
            guard.check(copy.file());
        }
    }

    @Test
    void shouldAcceptWhenCheckpointIsUnderRootWithMatchingHashAndOwnEntries() throws Exception {
        Path file = model(root.resolve("c/stage-1.zip"));

        try (FetchedCheckpoint copy = fetcher.fetch(file.toUri().toString(), TestZips.sha256(file))) {
            guard.check(copy.file());
            assertThat(copy.file()).startsWith(work);
            assertThat(Files.readAllBytes(copy.file())).isEqualTo(Files.readAllBytes(file));
            assertThat(copy.sha256()).isEqualTo(TestZips.sha256(file));
        }
        assertThat(work).isEmptyDirectory(); // the private copy is deleted on close
    }

    @Test
    void shouldRejectWhenHashDoesNotMatch() throws Exception {
        Path file = model(root.resolve("m.zip"));

        assertThatThrownBy(() -> fetchAndGuard(file.toUri().toString(), "0".repeat(64)))
                .isInstanceOf(CheckpointRejectedException.class)
                .hasMessageContaining("sha256 mismatch")
                .satisfies(e -> assertThat(((CheckpointException) e).reason()).isEqualTo(DeadLetterReason.CHECKPOINT_REJECTED));
    }

    @Test
    void shouldRejectWhenUriTraversesOutOfRootWithDotDot() throws Exception {
        Path outside = model(tmp.resolve("outside/secret.zip"));
        String uri = "file:" + root + "/../outside/secret.zip";

        assertThatThrownBy(() -> fetchAndGuard(uri, TestZips.sha256(outside)))
                .isInstanceOf(CheckpointRejectedException.class)
                .hasMessageContaining("path traversal");
    }

    @Test
    void shouldRejectWhenEncodedDotDotTraversesOutOfRoot() throws Exception {
        Path outside = model(tmp.resolve("outside/secret.zip"));
        String uri = "file:" + root + "/%2e%2e/outside/secret.zip";

        assertThatThrownBy(() -> fetchAndGuard(uri, TestZips.sha256(outside)))
                .isInstanceOf(CheckpointRejectedException.class)
                .hasMessageContaining("path traversal");
    }

    @Test
    void shouldRejectWhenUriIsOutsideTheRoots() throws Exception {
        Path outside = model(tmp.resolve("elsewhere/m.zip"));

        assertThatThrownBy(() -> fetchAndGuard(outside.toUri().toString(), TestZips.sha256(outside)))
                .isInstanceOf(CheckpointRejectedException.class)
                .hasMessageContaining("outside the checkpoint roots");
    }

    @Test
    void shouldRejectWhenSymlinkInsideRootPointsOutside() throws Exception {
        Path outside = model(tmp.resolve("elsewhere/m.zip"));
        Path link = Files.createSymbolicLink(root.resolve("link.zip"), outside);

        assertThatThrownBy(() -> fetchAndGuard(link.toUri().toString(), TestZips.sha256(outside)))
                .isInstanceOf(CheckpointRejectedException.class)
                .hasMessageContaining("outside the checkpoint roots");
    }

    @Test
    void shouldRejectWhenZipHoldsPreprocessorBin() throws Exception {
        Map<String, String> entries = modelEntries();
        entries.put("preprocessor.bin", "\u00ac\u00ed\u0000\u0005 serialized gadget");
        Path file = TestZips.zip(root.resolve("evil.zip"), entries);

        assertThatThrownBy(() -> fetchAndGuard(file.toUri().toString(), TestZips.sha256(file)))
                .isInstanceOf(CheckpointRejectedException.class)
                .hasMessageContaining("preprocessor.bin");
    }

    @Test
    void shouldRejectWhenZipLacksTheModelEntries() throws Exception {
        Path file = TestZips.zip(root.resolve("empty.zip"), Map.of("noParams.marker", ""));

        assertThatThrownBy(() -> fetchAndGuard(file.toUri().toString(), TestZips.sha256(file)))
                .isInstanceOf(CheckpointRejectedException.class)
                .hasMessageContaining("lacks configuration.json");
    }

    @Test
    void shouldReportUnavailableWhenZipIsTruncated() throws Exception {
        Path full = model(tmp.resolve("full.zip"));
        byte[] bytes = Files.readAllBytes(full);
        Path truncated = Files.write(root.resolve("truncated.zip"), Arrays.copyOf(bytes, bytes.length / 2));

        assertThatThrownBy(() -> fetchAndGuard(truncated.toUri().toString(), TestZips.sha256(truncated)))
                .isInstanceOf(CheckpointUnavailableException.class)
                .hasMessageContaining("truncated")
                .satisfies(e -> assertThat(((CheckpointException) e).reason()).isEqualTo(DeadLetterReason.CHECKPOINT_UNAVAILABLE));
    }

    @Test
    void shouldReportUnavailableWhenFileIsMissing() {
        String uri = root.resolve("never-written.zip").toUri().toString();

        assertThatThrownBy(() -> fetchAndGuard(uri, "a".repeat(64)))
                .isInstanceOf(CheckpointUnavailableException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void shouldRejectWhenCheckpointIsOverTheSizeLimit() throws Exception {
        StringBuilder incompressible = new StringBuilder();
        java.util.Random random = new java.util.Random(1);
        for (int i = 0; i < 5_000; i++) {
            incompressible.append(Integer.toHexString(random.nextInt()));
        }
        Path file = TestZips.zip(root.resolve("big.zip"), Map.of("configuration.json", incompressible.toString(), "coefficients.bin", "y"));
        CheckpointFetcher storing = new CheckpointFetcher(List.of(root), List.of(), 1_000, Duration.ofSeconds(1), work);

        assertThatThrownBy(() -> storing.fetch(file.toUri().toString(), TestZips.sha256(file)))
                .isInstanceOf(CheckpointRejectedException.class)
                .hasMessageContaining("over the limit");
    }

    @Test
    void shouldRejectWhenZipInflatesBeyondLimit() throws Exception {
        Path file = TestZips.zip(root.resolve("bomb.zip"), Map.of("configuration.json", "0".repeat(200_000), "coefficients.bin", "y"));

        assertThatThrownBy(() -> fetchAndGuard(file.toUri().toString(), TestZips.sha256(file)))
                .isInstanceOf(CheckpointRejectedException.class)
                .hasMessageContaining("inflates beyond");
    }

    @Test
    void shouldRejectWhenSchemeIsNeitherFileNorHttp() {
        assertThatThrownBy(() -> fetchAndGuard("ftp://host/m.zip", "a".repeat(64)))
                .isInstanceOf(CheckpointRejectedException.class)
                .hasMessageContaining("scheme 'ftp'");
        assertThatThrownBy(() -> fetchAndGuard("not a uri", "a".repeat(64)))
                .isInstanceOf(CheckpointRejectedException.class);
    }

    @Test
    void shouldRejectWhenUrlIsNotOnTheAllowList() {
        assertThatThrownBy(() -> fetchAndGuard("http://127.0.0.1:1/elsewhere/m.zip", "a".repeat(64)))
                .isInstanceOf(CheckpointRejectedException.class)
                .hasMessageContaining("allow-list");
        assertThatThrownBy(() -> fetchAndGuard("http://127.0.0.1:1/allowed/../elsewhere/m.zip", "a".repeat(64)))
                .isInstanceOf(CheckpointRejectedException.class)
                .hasMessageContaining("path traversal");
    }

    @Test
    void shouldDownloadFromAllowedUrlAndReportUnavailableOnHttpFailure() throws Exception {
        Path file = model(tmp.resolve("served.zip"));
        byte[] body = Files.readAllBytes(file);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/models/", exchange -> {
            if (exchange.getRequestURI().getPath().endsWith("/m.zip")) {
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
            exchange.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/models/";
            CheckpointFetcher http = new CheckpointFetcher(List.of(root), List.of(base), 10_000, Duration.ofSeconds(5), work);

            try (FetchedCheckpoint copy = http.fetch(base + "m.zip", TestZips.sha256(file))) {
                guard.check(copy.file());
                assertThat(copy.bytes()).isEqualTo(body.length);
            }
            assertThatThrownBy(() -> http.fetch(base + "missing.zip", TestZips.sha256(file)))
                    .isInstanceOf(CheckpointUnavailableException.class)
                    .hasMessageContaining("HTTP 404");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void shouldReportUnavailableWhenAllowedServerIsUnreachable() {
        assertThatThrownBy(() -> fetchAndGuard("http://127.0.0.1:1/allowed/m.zip", "a".repeat(64)))
                .isInstanceOf(CheckpointUnavailableException.class);
    }
}
