package dev.lethe.cli.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.testkit.LetheCluster;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code lethe registry} as a real process against a running cluster. */
class RegistryCommandIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    @Test
    void shouldServeConfluentRestAndStopOnSigtermWhenRunAgainstACluster() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "dev.lethe.cli.LetheMain",
                "registry", "--bootstrap-servers", CLUSTER.bootstrapServers(), "--port", "0", "--topic", "_schemas-cli"))
                .redirectError(Redirect.INHERIT);
        Process registry = pb.start();
        try {
            CompletableFuture<String> url = CompletableFuture.supplyAsync(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(registry.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.startsWith("schema.registry.url=")) {
                            return line.substring("schema.registry.url=".length());
                        }
                    }
                    throw new AssertionError("lethe registry ended without printing schema.registry.url");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            String base = url.get(60, TimeUnit.SECONDS);
            assertThat(base).matches("http://127\\.0\\.0\\.1:\\d+");

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> registered = http.send(HttpRequest.newBuilder(URI.create(base + "/subjects/t-value/versions"))
                            .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"schema\": \"\\\"string\\\"\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
            assertThat(registered.body()).matches("\\{\"id\":\\s*\\d+}");
            HttpResponse<String> subjects = http.send(HttpRequest.newBuilder(URI.create(base + "/subjects")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(subjects.body()).contains("\"t-value\"");
            assertThat(CLUSTER.readRaw("_schemas-cli", 1, Duration.ofSeconds(30))).as("kept in its log topic").isNotEmpty();

            registry.destroy();

            assertThat(registry.waitFor(30, TimeUnit.SECONDS)).as("lethe registry ended after SIGTERM").isTrue();
        } finally {
            registry.destroyForcibly();
        }
    }
}
