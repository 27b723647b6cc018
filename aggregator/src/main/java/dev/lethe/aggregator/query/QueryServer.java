package dev.lethe.aggregator.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.lethe.aggregator.metrics.MetricOrder;
import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.RunSummary;
import dev.lethe.aggregator.metrics.StageSlice;
import dev.lethe.aggregator.metrics.ScoreCell;
import dev.lethe.aggregator.topology.AggregatorSerdes;
import dev.lethe.aggregator.topology.AggregatorTopology;
import dev.lethe.aggregator.topology.FamilyState;
import dev.lethe.aggregator.topology.RunCells;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.http.GuardedHttpServer;
import dev.lethe.schemas.http.HttpLimits;
import dev.lethe.schemas.json.RecordJson;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregator's interactive-query endpoint (JSON, on the shared {@link GuardedHttpServer}): {@code /families}, {@code /families/{family}},
 * {@code /models/{campaign}/{model}} (matrix, latest records, alerts) and {@code /alerts?since=ISO-8601}. A key held
 * by another instance is fetched from that instance (Streams metadata, {@code application.server}), so any instance
 * answers; {@code ?local=true} asks one instance for its own part only.
 */
public final class QueryServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);
    private static final ObjectMapper JSON = RecordJson.mapper();

    private final GuardedHttpServer server;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile KafkaStreams streams;
    private volatile HostInfo self;

    private QueryServer(GuardedHttpServer server) {
        this.server = server;
    }

    /** Binds the port (0 = any free one) without serving yet, so the port can be advertised to Streams. */
    public static QueryServer bind(String host, int port) {
        try {
            // slow clients, huge bodies and connection floods are refused by the shared HTTP layer (HttpLimits)
            GuardedHttpServer server = GuardedHttpServer.bind(host, port, "aggregator-query", HttpLimits.defaults());
            QueryServer query = new QueryServer(server);
            server.context("/", query::handle);
            return query;
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException("cannot bind the query endpoint to " + host + ":" + port
                    + " (aggregator.http-host / aggregator.http-port)", e.getCause());
        }
    }

    public int port() {
        return server.port();
    }

    /** Starts serving the stores of {@code streams}; {@code applicationServer} is this instance's host:port. */
    public void start(KafkaStreams streams, AggregatorSerdes serdes, String applicationServer) {
        this.streams = streams;
        this.self = HostInfo.buildFromEndpoint(applicationServer);
        server.start();
    }

    @Override
    public void close() {
        server.close();
    }

    private record Response(int status, JsonNode body) {
    }

    private void handle(HttpExchange exchange) throws IOException {
        Response response;
        try {
            if (!"GET".equals(exchange.getRequestMethod())) {
                response = error(405, "only GET is supported");
            } else {
                response = route(exchange.getRequestURI());
            }
        } catch (InvalidStateStoreException e) {
            response = error(503, "state is not queryable right now (rebalancing or restoring): " + e.getMessage());
        } catch (RemoteUnavailable e) {
            response = error(503, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("query {} failed", exchange.getRequestURI(), e);
            response = error(500, e.toString());
        }
        byte[] body = JSON.writeValueAsBytes(response.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(response.status(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private Response route(URI uri) {
        String path = uri.getRawPath();
        Map<String, String> query = query(uri.getRawQuery());
        boolean local = "true".equals(query.get("local"));
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                parts.add(URLDecoder.decode(part, StandardCharsets.UTF_8));
            }
        }
        if (parts.size() == 1 && parts.get(0).equals("families")) {
            return families(local);
        }
        if (parts.size() == 2 && parts.get(0).equals("families")) {
            return family(parts.get(1), local);
        }
        if (parts.size() == 3 && parts.get(0).equals("models")) {
            return model(parts.get(1), parts.get(2), local);
        }
        if (parts.size() == 1 && parts.get(0).equals("alerts")) {
            Instant since = Instant.EPOCH;
            if (query.containsKey("since")) {
                try {
                    since = Instant.parse(query.get("since"));
                } catch (DateTimeParseException e) {
                    return error(400, "since must be an ISO-8601 instant like 2026-01-01T00:00:00Z, got '" + query.get("since") + "'");
                }
            }
            return alerts(since, local);
        }
        if (parts.size() == 1 && parts.get(0).equals("health")) {
            ObjectNode body = JSON.createObjectNode();
            body.put("state", streams.state().name());
            return new Response(200, body);
        }
        return error(404, "unknown path " + path + "; try /families, /families/{family}, /models/{campaign}/{model}, /alerts?since=ISO-8601");
    }

    // ---- /families

    private Response families(boolean local) {
        ArrayNode families = JSON.createArrayNode();
        Map<String, ObjectNode> byFamily = new TreeMap<>();
        for (FamilyState state : FamilyState.mergeByCampaign(this.<FamilyState>localValues(AggregatorTopology.FAMILY_STORE))) {
            ObjectNode family = byFamily.computeIfAbsent(state.family(), f -> {
                ObjectNode node = JSON.createObjectNode();
                node.put("family", f);
                node.putArray("campaigns");
                return node;
            });
            ObjectNode campaign = ((ArrayNode) family.get("campaigns")).addObject();
            campaign.put("campaign", state.campaign());
            ArrayNode models = campaign.putArray("models");
            state.models().forEach(models::add);
        }
        byFamily.values().forEach(families::add);
        if (!local) {
            for (JsonNode remote : fromOthers(AggregatorTopology.FAMILY_STORE, "/families?local=true")) {
                remote.get("families").forEach(families::add);
            }
        }
        List<JsonNode> sorted = new ArrayList<>();
        families.forEach(sorted::add);
        sorted.sort(Comparator.comparing(n -> n.get("family").asText()));
        ObjectNode body = JSON.createObjectNode();
        body.putArray("families").addAll(sorted);
        return new Response(200, body);
    }

    private Response family(String family, boolean local) {
        KeyQueryMetadata owner = owner(AggregatorTopology.FAMILY_STORE, family);
        if (owner == null) {
            return error(503, "no instance owns family " + family + " right now (rebalancing)");
        }
        if (!local && !owner.activeHost().equals(self)) {
            return fetch(owner.activeHost(), "/families/" + encode(family) + "?local=true");
        }
        ReadOnlyKeyValueStore<String, FamilyState> store = store(AggregatorTopology.FAMILY_STORE, owner.partition());
        ObjectNode body = JSON.createObjectNode();
        body.put("family", family);
        ArrayNode campaigns = body.putArray("campaigns");
        List<FamilyState> slices = new ArrayList<>();
        try (KeyValueIterator<String, FamilyState> range = store.prefixScan(family + "\u0000", new StringSerializer())) {
            range.forEachRemaining(kv -> slices.add(kv.value));
        }
        for (FamilyState state : FamilyState.mergeByCampaign(slices)) {
            ObjectNode campaign = campaigns.addObject();
            campaign.put("campaign", state.campaign());
            ArrayNode models = campaign.putArray("models");
            state.models().forEach(models::add);
            ArrayNode records = campaign.putArray("records");
            state.familyRecords().stream().sorted(MetricOrder.METRICS).forEach(r -> records.add(RecordJson.toNode(r)));
        }
        return campaigns.isEmpty() ? error(404, "no family " + family) : new Response(200, body);
    }

    // ---- /models/{campaign}/{model}

    private Response model(String campaign, String model, boolean local) {
        String key = RunKey.id(campaign, model);
        KeyQueryMetadata owner = owner(AggregatorTopology.RUN_SUMMARIES, key);
        if (owner == null) {
            return error(503, "no instance owns model run " + key + " right now (rebalancing)");
        }
        if (!local && !owner.activeHost().equals(self)) {
            return fetch(owner.activeHost(), "/models/" + encode(campaign) + "/" + encode(model) + "?local=true");
        }
        RunSummary summary = this.<RunSummary>store(AggregatorTopology.RUN_SUMMARIES, owner.partition()).get(key);
        if (summary == null) {
            return error(404, "no model run " + key);
        }
        ObjectNode body = JSON.createObjectNode();
        RunKey run = summary.run();
        body.put("campaign", run.campaign());
        body.put("family", run.family());
        body.put("model", run.model());
        body.put("suiteVersion", summary.suiteVersion());
        ArrayNode matrix = body.putArray("matrix");
        List<ScoreCell> cells = new ArrayList<>();
        for (RunCells.Cell stage : this.<RunCells.Cell>runValues(AggregatorTopology.RUN_CELLS, key, owner.partition())) {
            if (stage.cell() != null) {
                cells.add(stage.cell());
            }
        }
        cells.sort(Comparator.comparingInt(ScoreCell::stage).thenComparing(ScoreCell::benchmark));
        for (ScoreCell cell : cells) {
            ObjectNode node = matrix.addObject();
            node.put("stage", cell.stage());
            node.put("task", cell.task());
            node.put("benchmark", cell.benchmark());
            node.put("category", cell.category());
            node.put("n", cell.n());
            node.put("correct", cell.correct());
            node.put("accuracyPct", cell.accuracyPct());
            node.put("updatedAt", cell.updatedAt().toString());
        }
        List<StageSlice> slices = this.<StageSlice>runValues(AggregatorTopology.RUN_STAGES, key, owner.partition());
        ArrayNode records = body.putArray("records");
        slices.stream().flatMap(slice -> slice.publishedRecords().stream()).sorted(MetricOrder.METRICS)
                .forEach(r -> records.add(RecordJson.toNode(r)));
        ArrayNode alerts = body.putArray("alerts");
        slices.stream().flatMap(slice -> slice.alerts().values().stream()).sorted(MetricOrder.ALERTS)
                .forEach(a -> alerts.add(RecordJson.toNode(a)));
        return new Response(200, body);
    }

    /** The values of one model run in a store keyed {@code campaign/model NUL ...}, from the run's own partition. */
    private <V> List<V> runValues(String storeName, String runId, int partition) {
        List<V> values = new ArrayList<>();
        try (KeyValueIterator<String, V> range = this.<V>store(storeName, partition)
                .prefixScan(runId + "\u0000", new StringSerializer())) {
            range.forEachRemaining(kv -> values.add(kv.value));
        }
        return values;
    }

    // ---- /alerts

    /** Each alert's latest state (FIRING or RESOLVED) last changed at or after {@code since}. */
    private Response alerts(Instant since, boolean local) {
        List<JsonNode> found = new ArrayList<>();
        for (StageSlice slice : this.<StageSlice>localValues(AggregatorTopology.RUN_STAGES)) {
            for (KnowledgeLossAlert alert : slice.alerts().values()) {
                Instant changed = alert.getResolvedAt() != null ? alert.getResolvedAt() : alert.getCreatedAt();
                if (!changed.isBefore(since)) {
                    found.add(RecordJson.toNode(alert));
                }
            }
        }
        if (!local) {
            for (JsonNode remote : fromOthers(AggregatorTopology.RUN_STAGES, "/alerts?local=true&since=" + encode(since.toString()))) {
                remote.get("alerts").forEach(found::add);
            }
        }
        found.sort(Comparator.<JsonNode, String>comparing(n -> n.get("createdAt").asText())
                .thenComparing(n -> n.get("alertId").asText()));
        ObjectNode body = JSON.createObjectNode();
        body.put("since", since.toString());
        body.putArray("alerts").addAll(found);
        return new Response(200, body);
    }

    // ---- plumbing

    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    }

    /**
     * The key's own partition of a store. Streams throws InvalidStateStoreException (503) unless that partition is
     * active and running here, so a key asked of the wrong instance (stale metadata, a partition moving or restoring
     * during a rebalance) is a 503 to retry, not a 404 for a key that exists.
     */
    private <V> ReadOnlyKeyValueStore<String, V> store(String name, int partition) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore())
                .withPartition(partition));
    }

    /**
     * Every value of this instance's active partitions of a store; empty when Streams metadata says this instance is
     * active for none of them (more instances than partitions, or only standby copies). While rebalancing the store is
     * not queryable: 503.
     */
    private <V> List<V> localValues(String name) {
        List<V> values = new ArrayList<>();
        if (!hosts(name, self)) {
            return values;
        }
        try (KeyValueIterator<String, V> all = this.<V>store(name).all()) {
            all.forEachRemaining(kv -> values.add(kv.value));
        }
        return values;
    }

    private boolean hosts(String store, HostInfo host) {
        return activeHostsOf(store).anyMatch(m -> m.hostInfo().equals(host));
    }

    /**
     * The instances with active partitions of {@code store}. Streams metadata for a store also lists instances holding
     * only standby copies (num.standby.replicas), which answer no active query: asking them would 503 every time.
     */
    private Stream<StreamsMetadata> activeHostsOf(String store) {
        return streams.streamsMetadataForStore(store).stream().filter(m -> m.stateStoreNames().contains(store));
    }

    /** Where {@code key} lives in {@code store} (active host, partition), or null while that is unknown. */
    private KeyQueryMetadata owner(String store, String key) {
        KeyQueryMetadata metadata = streams.queryMetadataForKey(store, key, new StringSerializer());
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return null;
        }
        return metadata;
    }

    /** The answers of the other instances hosting active partitions of {@code store} to a {@code local=true} query. */
    private List<JsonNode> fromOthers(String store, String pathAndQuery) {
        List<JsonNode> bodies = new ArrayList<>();
        for (StreamsMetadata metadata : activeHostsOf(store).toList()) {
            HostInfo host = metadata.hostInfo();
            if (!host.equals(self)) {
                Response response = fetch(host, pathAndQuery);
                if (response.status() != 200) {
                    throw new RemoteUnavailable(host, response);
                }
                bodies.add(response.body());
            }
        }
        return bodies;
    }

    /** Another instance could not answer its part; the whole answer is then 503 (retry after the rebalance). */
    private static final class RemoteUnavailable extends RuntimeException {
        RemoteUnavailable(HostInfo host, Response response) {
            super("instance " + host.host() + ":" + host.port() + " answered " + response.status() + ": "
                    + response.body().path("error").asText(response.body().toString()));
        }
    }

    private Response fetch(HostInfo host, String pathAndQuery) {
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + pathAndQuery);
        try {
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            return new Response(response.statusCode(), JSON.readTree(response.body()));
        } catch (IOException e) {
            return error(502, "instance " + host + " did not answer " + pathAndQuery + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(503, "interrupted while asking " + host);
        }
    }

    private static Response error(int status, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("error", message);
        return new Response(status, body);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> params = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(name, value);
        }
        return params;
    }
}
