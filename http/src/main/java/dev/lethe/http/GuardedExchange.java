package dev.lethe.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One request of a {@link GuardedHttpServer}, already read whole, seen through the JDK's {@link HttpExchange} so the
 * endpoints' handlers stay as they are. Every response closes its connection ({@code Connection: close}); a response
 * of unknown length ({@code sendResponseHeaders(code, 0)}) is delimited by the close. There is no {@link HttpContext}.
 */
final class GuardedExchange extends HttpExchange {

    private final HttpRequestReader.Request request;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private final Headers responseHeaders = new Headers();
    private final Map<String, Object> attributes = new HashMap<>();
    private InputStream requestBody;
    private OutputStream responseBody;
    private int responseCode = -1;

    GuardedExchange(HttpRequestReader.Request request, OutputStream out, InetSocketAddress remote, InetSocketAddress local) {
        this.request = request;
        this.remote = remote;
        this.local = local;
        this.requestBody = new ByteArrayInputStream(request.body());
        this.responseBody = new HeadersFirst(out);
    }

    @Override
    public Headers getRequestHeaders() {
        return request.headers();
    }

    @Override
    public Headers getResponseHeaders() {
        return responseHeaders;
    }

    @Override
    public URI getRequestURI() {
        return request.uri();
    }

    @Override
    public String getRequestMethod() {
        return request.method();
    }

    @Override
    public HttpContext getHttpContext() {
        return null;
    }

    @Override
    public void close() {
        try {
            responseBody.close();
        } catch (IOException e) {
            // the client went away; the connection is closed by the server anyway
        }
    }

    @Override
    public InputStream getRequestBody() {
        return requestBody;
    }

    @Override
    public OutputStream getResponseBody() {
        return responseBody;
    }

    @Override
    public void sendResponseHeaders(int code, long length) throws IOException {
        if (responseCode >= 0) {
            throw new IOException("response headers already sent");
        }
        responseCode = code;
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(code).append(' ').append(reason(code)).append("\r\n");
        responseHeaders.set("Connection", "close");
        if (length > 0) {
            responseHeaders.set("Content-Length", Long.toString(length));
        } else if (length < 0) {
            responseHeaders.set("Content-Length", "0");
        }
        for (Map.Entry<String, List<String>> header : responseHeaders.entrySet()) {
            for (String value : header.getValue()) {
                head.append(header.getKey()).append(": ").append(value).append("\r\n");
            }
        }
        head.append("\r\n");
        ((HeadersFirst) responseBody).sendHead(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return remote;
    }

    @Override
    public int getResponseCode() {
        return responseCode;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return local;
    }

    @Override
    public String getProtocol() {
        return request.protocol();
    }

    @Override
    public Object getAttribute(String name) {
        return attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        attributes.put(name, value);
    }

    @Override
    public void setStreams(InputStream in, OutputStream out) {
        if (in != null) {
            requestBody = in;
        }
        if (out != null) {
            responseBody = out;
        }
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return null;
    }

    /** Whether a handler answered at all. */
    boolean answered() {
        return responseCode >= 0;
    }

    static String reason(int code) {
        return switch (code) {
            case 200 -> "OK";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Status " + code;
        };
    }

    /** The response stream: refuses body bytes before the headers, as the JDK server does. */
    private static final class HeadersFirst extends OutputStream {
        private final OutputStream out;
        private boolean headSent;

        HeadersFirst(OutputStream out) {
            this.out = out;
        }

        void sendHead(byte[] head) throws IOException {
            out.write(head);
            headSent = true;
        }

        @Override
        public void write(int b) throws IOException {
            requireHead();
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            requireHead();
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }

        private void requireHead() throws IOException {
            if (!headSent) {
                throw new IOException("sendResponseHeaders must be called before writing the response body");
            }
        }
    }
}
