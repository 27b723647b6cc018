package dev.lethe.http;

import com.sun.net.httpserver.HttpHandler;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one HTTP layer of Lethe's endpoints (schema registry, aggregator query endpoint, Prometheus sink): the JDK's
 * {@link HttpHandler}s, served so that no client can stall the others. The JDK {@code HttpServer} reads a request's
 * headers on its small executor, so a few clients holding partial requests open (slow-loris) blocked every other
 * request, and it let a handler read a 600 MB body into the heap. Here:
 *
 * <ul>
 *   <li>every connection has its own thread, from a pool as large as {@link HttpLimits#maxConnections()}, so a slow
 *       client holds only its own thread;</li>
 *   <li>a client may hold {@link HttpLimits#maxConnectionsPerClient()} connections (429 beyond), all clients
 *       {@link HttpLimits#maxConnections()} (503 beyond), so one client cannot take every thread;</li>
 *   <li>the whole request must arrive within {@link HttpLimits#requestReadTimeout()} (408 and close), the answer
 *       within {@link HttpLimits#responseTimeout()} (close);</li>
 *   <li>a body over {@link HttpLimits#maxBodyBytes()} is answered 413 from its {@code Content-Length}, before it is
 *       read; headers over {@link HttpLimits#maxHeaderBytes()} 431; a chunked body 411.</li>
 * </ul>
 *
 * One request per connection ({@code Connection: close}); handlers see a request whose body is already in memory.
 */
public final class GuardedHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedHttpServer.class);

    private final ServerSocket socket;
    private final String name;
    private final HttpLimits limits;
    private final Map<String, HttpHandler> contexts = new LinkedHashMap<>();
    private final Map<InetAddress, AtomicInteger> perClient = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final ExecutorService connections;
    private final ScheduledExecutorService deadlines;
    private volatile boolean running = true;
    private Thread acceptor;

    private GuardedHttpServer(ServerSocket socket, String name, HttpLimits limits) {
        this.socket = socket;
        this.name = name;
        this.limits = limits;
        AtomicInteger threads = new AtomicInteger();
        // twice the connection limit: a thread that has just released its connection may not be back in the pool yet
        this.connections = new ThreadPoolExecutor(0, 2 * limits.maxConnections(), 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread thread = new Thread(r, name + "-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, name + "-http-deadlines");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Binds {@code host:port} (0 = a free port) without serving yet, so the port can be known (and advertised) first.
     *
     * @param name names the threads and the log lines
     */
    public static GuardedHttpServer bind(String host, int port, String name, HttpLimits limits) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port), 128);
            return new GuardedHttpServer(socket, name, limits);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** Routes requests whose path starts with {@code pathPrefix} to {@code handler} (the longest prefix wins). */
    public synchronized GuardedHttpServer context(String pathPrefix, HttpHandler handler) {
        contexts.put(pathPrefix, handler);
        return this;
    }

    /** Starts accepting connections (once). */
    public synchronized GuardedHttpServer start() {
        if (acceptor == null) {
            acceptor = new Thread(this::acceptLoop, name + "-http-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }
        return this;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    public int port() {
        return socket.getLocalPort();
    }

    public HttpLimits limits() {
        return limits;
    }

    /** Connections open right now. */
    public int openConnections() {
        return open.get();
    }

    @Override
    public void close() {
        running = false;
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("{}: closing the listening socket failed", name, e);
        }
        connections.shutdownNow();
        deadlines.shutdownNow();
    }

    private void acceptLoop() {
        while (running) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                if (running) {
                    LOG.warn("{}: accept failed: {}", name, e.toString());
                }
                continue;
            }
            admit(client);
        }
    }

    private void admit(Socket client) {
        InetAddress address = client.getInetAddress();
        AtomicInteger fromClient = perClient.computeIfAbsent(address, a -> new AtomicInteger());
        if (fromClient.incrementAndGet() > limits.maxConnectionsPerClient()) {
            release(address, fromClient);
            refuse(client, 429, "more than " + limits.maxConnectionsPerClient() + " connections from one client");
            return;
        }
        if (open.incrementAndGet() > limits.maxConnections()) {
            open.decrementAndGet();
            release(address, fromClient);
            refuse(client, 503, "more than " + limits.maxConnections() + " connections");
            return;
        }
        try {
            connections.execute(() -> {
                try {
                    serve(client);
                } finally {
                    open.decrementAndGet();
                    release(address, fromClient);
                }
            });
        } catch (RuntimeException e) { // shutting down
            open.decrementAndGet();
            release(address, fromClient);
            closeQuietly(client);
        }
    }

    private void release(InetAddress address, AtomicInteger counter) {
        if (counter.decrementAndGet() <= 0) {
            perClient.remove(address, counter);
        }
    }

    private void serve(Socket client) {
        ScheduledFuture<?> deadline = deadlines.schedule(() -> timedOut(client), limits.requestReadTimeout().toMillis(), TimeUnit.MILLISECONDS);
        try (client) {
            InputStream in = new BufferedInputStream(client.getInputStream());
            OutputStream out = new BufferedOutputStream(client.getOutputStream());
            HttpRequestReader.Request request;
            try {
                request = HttpRequestReader.read(in, out, limits);
            } catch (HttpRequestReader.Refusal refusal) {
                deadline.cancel(false);
                LOG.debug("{}: refused a request from {}: {} {}", name, client.getInetAddress(), refusal.status(), refusal.getMessage());
                answer(out, refusal.status(), refusal.getMessage());
                return;
            }
            if (!deadline.cancel(false) || request == null) {
                return; // timed out (the 408 is written) or the client left
            }
            deadline = deadlines.schedule(() -> closeQuietly(client), limits.responseTimeout().toMillis(), TimeUnit.MILLISECONDS);
            dispatch(request, client, out);
            out.flush();
        } catch (SocketException e) {
            LOG.debug("{}: connection from {} closed: {}", name, client.getInetAddress(), e.toString());
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: connection from {} failed: {}", name, client.getInetAddress(), e.toString());
        } finally {
            deadline.cancel(false);
        }
    }

    private void dispatch(HttpRequestReader.Request request, Socket client, OutputStream out) throws IOException {
        HttpHandler handler = handlerFor(request.uri().getRawPath());
        if (handler == null) {
            answer(out, 404, "no handler for " + request.uri().getRawPath());
            return;
        }
        GuardedExchange exchange = new GuardedExchange(request, out,
                (InetSocketAddress) client.getRemoteSocketAddress(), (InetSocketAddress) client.getLocalSocketAddress());
        try {
            handler.handle(exchange);
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: handler failed on {} {}: {}", name, request.method(), request.uri(), e.toString());
            if (!exchange.answered()) {
                answer(out, 500, "internal error");
            }
        }
        exchange.close();
    }

    private synchronized HttpHandler handlerFor(String path) {
        String best = null;
        for (String prefix : contexts.keySet()) {
            if (path != null && path.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        return best == null ? null : contexts.get(best);
    }

    /** The request did not arrive in time: answer 408 (best effort) and close, which frees the connection's thread. */
    private void timedOut(Socket client) {
        try {
            OutputStream out = client.getOutputStream();
            out.write(("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (IOException e) {
            // the client is gone or not reading; closing is what matters
        }
        closeQuietly(client);
    }

    private void refuse(Socket client, int status, String why) {
        LOG.debug("{}: refused a connection from {}: {} {}", name, client.getInetAddress(), status, why);
        try (client) {
            client.setSoTimeout(1000);
            answer(client.getOutputStream(), status, why);
        } catch (IOException e) {
            // best effort: the refusal is the close
        }
    }

    private static void answer(OutputStream out, int status, String message) throws IOException {
        byte[] body = ("{\"error_code\":" + status + ",\"message\":\"" + message.replace("\\", "\\\\").replace("\"", "'") + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + " " + GuardedExchange.reason(status) + "\r\nConnection: close\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private static void closeQuietly(Socket client) {
        try {
            client.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
