package dev.lethe.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Hostile HTTP clients for endpoint tests, on raw sockets: slow-loris connections that send part of a request and
 * then nothing, and requests declaring bodies far over any limit. The attacker connects from {@value #ATTACKER}, a
 * second loopback address, so a well-behaved client on 127.0.0.1 is another client to the server's per-client limit.
 */
public final class HttpAttacks implements AutoCloseable {

    /** Where the attacker's connections come from (Linux routes all of 127/8 to the loopback interface). */
    public static final String ATTACKER = "127.0.0.2";
    /** Where oversized bodies come from: a client of its own, not held back by the slow one's connection limit. */
    public static final String UPLOADER = "127.0.0.3";

    /**
     * How long a well-behaved request may take under attack: less than the endpoints' 10 s request-read timeout, so a
     * request stuck behind the slow clients until the server drops them would miss it.
     */
    public static final Duration ANSWER = Duration.ofSeconds(8);

    /** What an endpoint answered during {@link #slowClientsAndHugeBody}. */
    public record Outcome(int oneConnectionTooMany, int otherClient, int hugeBody) {
    }

    private final List<Socket> held = new ArrayList<>();

    /**
     * The issue-14 attack on one endpoint: the attacker holds {@code perClientLimit} partial requests open and tries
     * one more connection; another client then GETs {@code getPath}; the attacker declares a 600 MB body on
     * {@code postPath}. A hardened endpoint answers 429, the GET's own status and 413.
     */
    public Outcome slowClientsAndHugeBody(int port, int perClientLimit, String getPath, String postPath) throws IOException {
        holdPartialRequests(port, perClientLimit);
        int tooMany = statusOf(holdPartialRequests(port, 1).get(0), ANSWER);
        int other = get(port, getPath, ANSWER);
        int huge = declareBody(port, "POST", postPath, 600L << 20, ANSWER);
        return new Outcome(tooMany, other, huge);
    }

    /** Opens {@code count} connections that send half a request line and stop; they stay open until closed. */
    public List<Socket> holdPartialRequests(int port, int count) throws IOException {
        List<Socket> opened = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket socket = connect(ATTACKER, port);
            held.add(socket);
            opened.add(socket);
            OutputStream out = socket.getOutputStream();
            out.write("GET /slow".getBytes(StandardCharsets.US_ASCII)); // no " HTTP/1.1\r\n", no headers: never complete
            out.flush();
        }
        return opened;
    }

    /** The status a server answers on {@code socket} within {@code wait}, or -1 when it closes without one or stays silent. */
    public static int statusOf(Socket socket, Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        try {
            for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
                line.append((char) b);
            }
        } catch (SocketTimeoutException e) {
            return -1;
        } catch (IOException e) {
            return line.length() == 0 ? -1 : parse(line);
        }
        return parse(line);
    }

    private static int parse(CharSequence statusLine) {
        String[] parts = statusLine.toString().split(" ");
        return parts.length >= 2 && parts[0].startsWith("HTTP/") ? Integer.parseInt(parts[1]) : -1;
    }

    /**
     * Sends request headers that declare a body of {@code declaredBytes} (or a chunked one when negative), sends none
     * of it, and returns the status answered within {@code wait}.
     */
    public static int declareBody(int port, String method, String path, long declaredBytes, Duration wait) throws IOException {
        try (Socket socket = connect(UPLOADER, port)) {
            String length = declaredBytes < 0 ? "Transfer-Encoding: chunked" : "Content-Length: " + declaredBytes;
            socket.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: lethe\r\nContent-Type: application/json\r\n"
                    + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return statusOf(socket, wait);
        }
    }

    /** A plain GET from 127.0.0.1 on a fresh connection: the status answered within {@code wait}, or -1. */
    public static int get(int port, String path, Duration wait) throws IOException {
        try (Socket socket = connect("127.0.0.1", port)) {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: lethe\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return statusOf(socket, wait);
        }
    }

    private static Socket connect(String from, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(from, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return socket;
    }

    @Override
    public void close() {
        for (Socket socket : held) {
            try {
                socket.close();
            } catch (IOException e) {
                // already closed by the server
            }
        }
    }
}
