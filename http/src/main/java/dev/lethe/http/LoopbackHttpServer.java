package dev.lethe.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A JDK {@code HttpServer} on a free loopback port for scripted peers in tests and benchmarks (an OpenAI-compatible
 * model server, a webhook): one context, a fixed pool of handler threads, {@link #baseUrl()}, a JSON answer helper.
 * Not for Lethe's own endpoints, which run on the {@link GuardedHttpServer}.
 */
public final class LoopbackHttpServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService pool;

    private LoopbackHttpServer(HttpServer server, ExecutorService pool) {
        this.server = server;
        this.pool = pool;
    }

    /** Serves {@code handler} under {@code context} on 127.0.0.1 with {@code threads} handler threads. */
    public static LoopbackHttpServer start(String context, HttpHandler handler, int threads, int backlog) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), backlog);
            server.createContext(context, handler);
            server.setExecutor(pool);
            server.start();
            return new LoopbackHttpServer(server, pool);
        } catch (IOException e) {
            pool.shutdownNow();
            throw new UncheckedIOException("cannot listen on a loopback port", e);
        }
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers {@code status} with a JSON body and closes the answer. */
    public static void respondJson(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
