package dev.lethe.sinks.dashboard;

import com.sun.net.httpserver.HttpExchange;
import dev.lethe.http.GuardedHttpServer;
import dev.lethe.http.HttpLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The dashboard's HTTP side, on Lethe's {@link GuardedHttpServer}: the page and its script from the jar, uPlot from its
 * WebJar (no CDN, works offline), and {@code /events}, the Server-Sent Events stream. Every request is checked against
 * the token when one is set.
 */
final class DashboardServer {

    private static final String RESOURCES = "/dev/lethe/sinks/dashboard/";
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";
    private static final Map<String, String> FILES = Map.of(
            "/", RESOURCES + "index.html",
            "/dashboard.js", RESOURCES + "dashboard.js",
            "/dashboard.css", RESOURCES + "dashboard.css",
            "/vendor/uPlot.iife.min.js", UPLOT + "uPlot.iife.min.js",
            "/vendor/uPlot.min.css", UPLOT + "uPlot.min.css");
    private static final Pattern TOKEN_PARAM = Pattern.compile("(?:^|&)token=([^&]*)");
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);
    /**
     * The endpoints' common limits (issue 14: a connection per thread, per-client and total caps, 10 s to send a
     * request, no bodies), with a long answer time: an event stream is one answer, which the server closes after
     * 10 minutes and the browser's EventSource re-opens by itself (with a fresh snapshot). 16 connections per client
     * leave room for a few open tabs, each holding one stream.
     */
    private static final HttpLimits LIMITS = new HttpLimits(Duration.ofSeconds(10), Duration.ofMinutes(10), 0, 16 * 1024, 16, 64);

    private final DashboardConfig config;
    private final Consumer<SseClient> onConnect;
    private GuardedHttpServer server;

    DashboardServer(DashboardConfig config, Consumer<SseClient> onConnect) {
        this.config = config;
        this.onConnect = onConnect;
    }

    synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            server = GuardedHttpServer.bind(config.host(), config.port(), "lethe-dashboard", LIMITS);
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException("cannot listen on " + config.host() + ":" + config.port()
                    + " (--bind/--port of the dashboard)", e.getCause());
        }
        server.context("/", this::handle).start();
    }

    synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("the dashboard is not started");
        }
        return server.port();
    }

    synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.getResponseHeaders().set("Content-Security-Policy",
                "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'");
        exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        if (!"GET".equals(exchange.getRequestMethod())) {
            reply(exchange, 405, "text/plain", "GET only");
            return;
        }
        if (!authorized(exchange)) {
            reply(exchange, 401, "text/plain", "a token is required: open the URL the dashboard printed (…/?token=…)");
            return;
        }
        String path = exchange.getRequestURI().getPath();
        if ("/events".equals(path)) {
            events(exchange);
            return;
        }
        String resource = FILES.get(path);
        if (resource == null) {
            reply(exchange, 404, "text/plain", "not found");
            return;
        }
        try (InputStream in = DashboardServer.class.getResourceAsStream(resource)) {
            if (in == null) {
                reply(exchange, 500, "text/plain", "missing from the jar: " + resource);
                return;
            }
            byte[] body = in.readAllBytes();
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            reply(exchange, 200, contentType(path), body);
        }
    }

    private void events(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, 0);
        SseClient client = new SseClient();
        onConnect.accept(client); // queues the snapshot before any later update
        try (exchange) {
            OutputStream out = exchange.getResponseBody();
            client.pump(out, HEARTBEAT);
        }
    }

    private boolean authorized(HttpExchange exchange) {
        if (config.token() == null) {
            return true;
        }
        String given = null;
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header != null && header.startsWith("Bearer ")) {
            given = header.substring("Bearer ".length()).strip();
        } else if (exchange.getRequestURI().getRawQuery() != null) {
            var m = TOKEN_PARAM.matcher(exchange.getRequestURI().getRawQuery());
            if (m.find()) {
                given = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
            }
        }
        // constant time, so the token cannot be guessed a character at a time
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                config.token().getBytes(StandardCharsets.UTF_8));
    }

    private static String contentType(String path) {
        if (path.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (path.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return "text/html; charset=utf-8";
    }

    private static void reply(HttpExchange exchange, int status, String type, String text) throws IOException {
        reply(exchange, status, type + "; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    private static void reply(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /** The uPlot WebJar's version, from its Maven metadata, so a version bump in the pom needs no code change. */
    private static String uplotVersion() {
        try (InputStream in = DashboardServer.class.getResourceAsStream("/META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the uPlot WebJar (org.webjars.npm:uplot) is not on the classpath");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the uPlot WebJar's version", e);
        }
    }
}
