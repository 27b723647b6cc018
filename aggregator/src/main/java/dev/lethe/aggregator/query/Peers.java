package dev.lethe.aggregator.query;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.schemas.json.RecordJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/** The other aggregator instances, asked over HTTP for the part of an answer they own ({@code ?local=true}). */
final class Peers {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final LocalStores stores;

    Peers(LocalStores stores) {
        this.stores = stores;
    }

    /** Another instance could not answer its part; the whole answer is then 503 (retry after the rebalance). */
    static final class RemoteUnavailable extends RuntimeException {
        RemoteUnavailable(HostInfo host, QueryResponse response) {
            super("instance " + host.host() + ":" + host.port() + " answered " + response.status() + ": "
                    + response.body().path("error").asText(response.body().toString()));
        }
    }

    /** The answers of the other instances hosting active partitions of {@code store} to a {@code local=true} query. */
    List<JsonNode> fromOthers(String store, String pathAndQuery) {
        List<JsonNode> bodies = new ArrayList<>();
        for (StreamsMetadata metadata : stores.activeHostsOf(store).toList()) {
            HostInfo host = metadata.hostInfo();
            if (!host.equals(stores.self())) {
                QueryResponse response = fetch(host, pathAndQuery);
                if (response.status() != 200) {
                    throw new RemoteUnavailable(host, response);
                }
                bodies.add(response.body());
            }
        }
        return bodies;
    }

    /** The answer of {@code host} to {@code pathAndQuery}, 502/503 when it gives none. */
    QueryResponse fetch(HostInfo host, String pathAndQuery) {
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + pathAndQuery);
        try {
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            return new QueryResponse(response.statusCode(), RecordJson.mapper().readTree(response.body()));
        } catch (IOException e) {
            return QueryResponse.error(502, "instance " + host + " did not answer " + pathAndQuery + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return QueryResponse.error(503, "interrupted while asking " + host);
        }
    }
}
