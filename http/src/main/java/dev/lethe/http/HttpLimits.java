package dev.lethe.http;

import java.time.Duration;

/**
 * What one client may take of a Lethe HTTP endpoint ({@link GuardedHttpServer}).
 *
 * @param requestReadTimeout     the whole request (line, headers, body) must arrive within this, or 408 and close
 * @param responseTimeout        the handler and the writing of its answer must finish within this, or the connection is closed
 * @param maxBodyBytes           a larger declared body is answered 413 before a byte of it is read
 * @param maxHeaderBytes         request line and headers together; larger is answered 431
 * @param maxConnectionsPerClient open connections from one address; one more is answered 429 and closed
 * @param maxConnections         open connections in all; one more is answered 503 and closed
 */
public record HttpLimits(Duration requestReadTimeout, Duration responseTimeout, long maxBodyBytes, int maxHeaderBytes,
                         int maxConnectionsPerClient, int maxConnections) {

    public HttpLimits {
        if (requestReadTimeout.isNegative() || requestReadTimeout.isZero() || responseTimeout.isNegative() || responseTimeout.isZero()) {
            throw new IllegalArgumentException("HTTP timeouts must be positive");
        }
        if (maxBodyBytes < 0 || maxHeaderBytes < 256 || maxConnectionsPerClient < 1 || maxConnections < maxConnectionsPerClient) {
            throw new IllegalArgumentException("HTTP limits must be positive, with maxConnections >= maxConnectionsPerClient: " + this);
        }
    }

    /**
     * Defaults for Lethe's endpoints: 10 s to send a request, 60 s to answer it, 1 MiB bodies (a schema is a few KB),
     * 16 KiB of headers, 8 connections per client and 64 in all.
     */
    public static HttpLimits defaults() {
        return new HttpLimits(Duration.ofSeconds(10), Duration.ofSeconds(60), 1024 * 1024, 16 * 1024, 8, 64);
    }

    public HttpLimits withRequestReadTimeout(Duration timeout) {
        return new HttpLimits(timeout, responseTimeout, maxBodyBytes, maxHeaderBytes, maxConnectionsPerClient, maxConnections);
    }

    public HttpLimits withMaxBodyBytes(long bytes) {
        return new HttpLimits(requestReadTimeout, responseTimeout, bytes, maxHeaderBytes, maxConnectionsPerClient, maxConnections);
    }

    public HttpLimits withConnections(int perClient, int total) {
        return new HttpLimits(requestReadTimeout, responseTimeout, maxBodyBytes, maxHeaderBytes, perClient, total);
    }
}
