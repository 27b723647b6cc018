package dev.lethe.sinks.prometheus;

/**
 * Settings of the Prometheus exposition endpoint.
 *
 * @param host address the endpoint binds to; default {@code 127.0.0.1} (set 0.0.0.0 to let a remote Prometheus scrape)
 * @param port TCP port; default 9470, 0 = any free port (see {@link PrometheusSink#port()})
 * @param path HTTP path of the exposition; default {@code /metrics}
 */
public record PrometheusSinkConfig(String host, int port, String path) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9470;
    public static final String DEFAULT_PATH = "/metrics";

    public static PrometheusSinkConfig defaults() {
        return new PrometheusSinkConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_PATH);
    }

    public PrometheusSinkConfig withPort(int newPort) {
        return new PrometheusSinkConfig(host, newPort, path).validated();
    }

    public PrometheusSinkConfig validated() {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("prometheus host (--host) must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("prometheus port (--port) must be 0..65535, got " + port);
        }
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("prometheus path (--path) must start with /, got " + path);
        }
        return this;
    }
}
