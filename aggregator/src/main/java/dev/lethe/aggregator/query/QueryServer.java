package dev.lethe.aggregator.query;

import com.sun.net.httpserver.HttpExchange;
import dev.lethe.aggregator.topology.AggregatorSerdes;
import dev.lethe.http.GuardedHttpServer;
import dev.lethe.http.HttpLimits;
import dev.lethe.http.HttpRouter;
import dev.lethe.schemas.json.RecordJson;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregator's interactive-query endpoint (JSON, on the shared {@link GuardedHttpServer} with its limits and
 * timeouts, routes declared on the shared {@link HttpRouter}): {@code /families}, {@code /families/{family}},
 * {@code /models/{campaign}/{model}} (matrix, latest records, alerts), {@code /alerts?since=ISO-8601} and
 * {@code /health}. A key held by another instance is fetched from that instance (Streams metadata,
 * {@code application.server}), so any instance answers; {@code ?local=true} asks one instance for its own part only.
 *
 * <p>Its parts: {@link QueryViews} builds each answer, {@link LocalStores} reads this instance's stores and the
 * Streams metadata, {@link Peers} asks the other instances; this class binds, routes and writes the answers.
 */
public final class QueryServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);
    private static final String PATHS = "/families, /families/{family}, /models/{campaign}/{model}, /alerts?since=ISO-8601";

    private final GuardedHttpServer server;
    private volatile QueryViews views;
    private final HttpRouter<QueryResponse> router = new HttpRouter<QueryResponse>(
            call -> QueryResponse.error(404, "unknown path " + call.exchange().getRequestURI().getRawPath() + "; try " + PATHS),
            call -> QueryResponse.error(405, "only GET is supported"))
            .get("/families", call -> views.families(call.flag("local")))
            .get("/families/{family}", call -> views.family(call.path("family"), call.flag("local")))
            .get("/models/{campaign}/{model}", call -> views.model(call.path("campaign"), call.path("model"), call.flag("local")))
            .get("/alerts", call -> alerts(call))
            .get("/health", call -> views.health());

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
        LocalStores stores = new LocalStores(streams, HostInfo.buildFromEndpoint(applicationServer));
        this.views = new QueryViews(stores, new Peers(stores));
        server.start();
    }

    @Override
    public void close() {
        server.close();
    }

    private QueryResponse alerts(HttpRouter.HttpCall call) {
        Instant since = Instant.EPOCH;
        String text = call.query("since");
        if (text != null) {
            try {
                since = Instant.parse(text);
            } catch (DateTimeParseException e) {
                return QueryResponse.error(400, "since must be an ISO-8601 instant like 2026-01-01T00:00:00Z, got '" + text + "'");
            }
        }
        return views.alerts(since, call.flag("local"));
    }

    private void handle(HttpExchange exchange) throws IOException {
        QueryResponse response;
        try {
            if (!"GET".equals(exchange.getRequestMethod())) {
                response = QueryResponse.error(405, "only GET is supported");
            } else {
                response = router.dispatch(exchange);
            }
        } catch (InvalidStateStoreException e) {
            response = QueryResponse.error(503, "state is not queryable right now (rebalancing or restoring): " + e.getMessage());
        } catch (Peers.RemoteUnavailable e) {
            response = QueryResponse.error(503, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("query {} failed", exchange.getRequestURI(), e);
            response = QueryResponse.error(500, e.toString());
        }
        byte[] body = RecordJson.mapper().writeValueAsBytes(response.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(response.status(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
