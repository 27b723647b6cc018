package dev.lethe.sinks.dashboard;

import dev.lethe.schemas.config.Secrets;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Settings of the live dashboard's HTTP endpoint.
 *
 * @param host  address it binds to; default {@code 127.0.0.1}. Any other address needs a token: the page shows every
 *              metric and alert of the deployment
 * @param port  TCP port; default 9480, 0 = any free port
 * @param token shared secret required on every request ({@code ?token=} or {@code Authorization: Bearer}) when set;
 *              required when {@code host} is not a loopback address
 */
public record DashboardConfig(String host, int port, String token) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9480;

    public static DashboardConfig defaults() {
        return new DashboardConfig(DEFAULT_HOST, DEFAULT_PORT, null).validated();
    }

    public DashboardConfig withPort(int newPort) {
        return new DashboardConfig(host, newPort, token).validated();
    }

    /** Checks every field; the message names the offending option. */
    public DashboardConfig validated() {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("dashboard address (--bind) must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("dashboard port (--port) must be 0..65535, got " + port);
        }
        if (token != null && token.length() < 16) {
            throw new IllegalArgumentException("dashboard token (--token) must have at least 16 characters");
        }
        if (token == null && !isLoopback(host)) {
            throw new IllegalArgumentException("dashboard bound to " + host + " (--bind) needs --token: it would show every "
                    + "metric and alert to anyone who can reach it");
        }
        return this;
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("dashboard address (--bind) " + host + " does not resolve", e);
        }
    }

    /** The settings with the token hidden. */
    @Override
    public String toString() {
        return "DashboardConfig[host=" + host + ", port=" + port + ", token=" + Secrets.hide(token) + "]";
    }
}
