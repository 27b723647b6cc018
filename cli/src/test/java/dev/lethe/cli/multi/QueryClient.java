package dev.lethe.cli.multi;

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
        long deadline = System.nanoTime() + timeout.toNanos();
        String last;
        do {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint.resolve(path))
                    .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                return RecordJson.mapper().readTree(response.body());
            }
            last = response.statusCode() + " " + response.body();
            if (response.statusCode() != 503) {
                break;
            }
            Thread.sleep(200); // poll interval while the instances rebalance or restore
        } while (System.nanoTime() < deadline);
        throw new AssertionError("GET " + endpoint.resolve(path) + " did not answer 200: " + last);
    }

    /** The status code of one GET of {@code path}, whatever it is. */
    int status(URI endpoint, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(endpoint.resolve(path)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
