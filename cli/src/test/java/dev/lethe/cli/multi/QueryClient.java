package dev.lethe.cli.multi;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.schemas.json.RecordJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** GETs JSON from an aggregator's query endpoint, retrying the 503 a rebalance or restore answers with. */
final class QueryClient {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The 200 body of {@code path} on {@code endpoint}; fails with the last answer if none came within {@code timeout}. */
    JsonNode get(URI endpoint, String path, Duration timeout) throws IOException, InterruptedException {
        // 503 while the instances rebalance or restore: asked again; any other answer but 200 fails at once
        HttpResponse<String> response = await("GET " + endpoint.resolve(path) + " answering 200").atMost(timeout)
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200)).pollInSameThread()
                .until(() -> http.send(HttpRequest.newBuilder(endpoint.resolve(path)).timeout(Duration.ofSeconds(20)).GET().build(),
                        HttpResponse.BodyHandlers.ofString()), r -> {
                            if (r.statusCode() != 200 && r.statusCode() != 503) {
                                throw new AssertionError("GET " + endpoint.resolve(path) + " did not answer 200: "
                                        + r.statusCode() + " " + r.body());
                            }
                            return r.statusCode() == 200;
                        });
        return RecordJson.mapper().readTree(response.body());
    }

    /** The status code of one GET of {@code path}, whatever it is. */
    int status(URI endpoint, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(endpoint.resolve(path)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
