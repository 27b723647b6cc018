package dev.lethe.http;

import com.sun.net.httpserver.Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;

/**
 * Reads one HTTP/1.x request within {@link HttpLimits}: request line and headers up to {@code maxHeaderBytes}, then a
 * body of the declared {@code Content-Length} only if it is within {@code maxBodyBytes}, so an oversized body is
 * refused before a byte of it is read. Bodies without a length (chunked) are refused with 411.
 */
final class HttpRequestReader {

    /** A request refused with an HTTP status before any handler sees it. */
    static final class Refusal extends Exception {
        private final int status;

        Refusal(int status, String message) {
            super(message);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    /** A request read whole. */
    record Request(String method, URI uri, String protocol, Headers headers, byte[] body) {
    }

    private HttpRequestReader() {
    }

    /**
     * Reads the request from {@code in}; {@code out} gets an interim {@code 100 Continue} when the client asks for
     * one and its body is acceptable.
     *
     * @return the request, or null when the client closed the connection before sending anything
     */
    static Request read(InputStream in, OutputStream out, HttpLimits limits) throws IOException, Refusal {
        byte[] head = readHead(in, limits.maxHeaderBytes());
        if (head == null) {
            return null;
        }
        String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
            throw new Refusal(400, "malformed request line");
        }
        URI uri;
        try {
            uri = new URI(requestLine[1]);
        } catch (URISyntaxException e) {
            throw new Refusal(400, "malformed request target: " + e.getMessage());
        }
        Headers headers = new Headers();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new Refusal(400, "malformed header line");
            }
            headers.add(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
        }
        if (headers.containsKey("Transfer-Encoding")) {
            throw new Refusal(411, "a request body needs a Content-Length (chunked bodies are not accepted)");
        }
        long length = contentLength(headers);
        if (length > limits.maxBodyBytes()) {
            throw new Refusal(413, "request body of " + length + " bytes is over the limit of " + limits.maxBodyBytes());
        }
        if (length > 0 && "100-continue".equalsIgnoreCase(headers.getFirst("Expect"))) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length < length) {
            throw new Refusal(400, "request body ended after " + body.length + " of " + length + " bytes");
        }
        return new Request(requestLine[0], uri, requestLine[2], headers, body);
    }

    private static long contentLength(Headers headers) throws Refusal {
        String value = headers.getFirst("Content-Length");
        if (value == null) {
            return 0;
        }
        if (headers.get("Content-Length").size() > 1) {
            throw new Refusal(400, "more than one Content-Length");
        }
        try {
            long length = Long.parseLong(value.trim());
            if (length < 0) {
                throw new Refusal(400, "negative Content-Length");
            }
            return length;
        } catch (NumberFormatException e) {
            throw new Refusal(400, "Content-Length is not a number");
        }
    }

    /** Bytes up to the blank line ending the headers (without it); null if the stream ends first with nothing read. */
    private static byte[] readHead(InputStream in, int max) throws IOException, Refusal {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int matched = 0; // how much of \r\n\r\n has been seen
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new Refusal(400, "connection closed inside the request headers");
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1
                    : b == '\r' ? 1 : 0;
            if (matched == 4) {
                byte[] bytes = head.toByteArray();
                return java.util.Arrays.copyOf(bytes, bytes.length - 4);
            }
            if (head.size() > max) {
                throw new Refusal(431, "request line and headers are over " + max + " bytes");
            }
        }
    }
}
