package dev.lethe.cli.docker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables a Testcontainers class within seconds unless a Docker engine answers, declared before
 * {@code @Testcontainers(disabledWithoutDocker = true)}.
 *
 * <p>Testcontainers' own check is instant when no socket exists, but a socket that accepts and never answers
 * (a systemd {@code docker.socket} unit whose daemon cannot start) made it block for minutes. This condition
 * sends {@code GET /_ping} itself with a deadline; where the setup is one it does not know (a TCP or TLS
 * {@code DOCKER_HOST}, {@code ~/.testcontainers.properties}) it only checks reachability and leaves the
 * verdict to Testcontainers.
 */
public final class DockerEngineCondition implements ExecutionCondition {

    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String dockerHost = System.getenv("DOCKER_HOST");
        if (dockerHost != null && !dockerHost.isBlank()) {
            return verdict(probeDockerHost(dockerHost), "DOCKER_HOST=" + dockerHost);
        }
        if (Files.exists(Path.of(System.getProperty("user.home"), ".testcontainers.properties"))) {
            return ConditionEvaluationResult.enabled("~/.testcontainers.properties present: Testcontainers decides");
        }
        List<Path> sockets = candidateSockets();
        StringBuilder tried = new StringBuilder();
        for (Path socket : sockets) {
            if (!Files.exists(socket)) {
                continue;
            }
            String problem = probe(socket, PROBE_TIMEOUT);
            if (problem == null) {
                return ConditionEvaluationResult.enabled("Docker engine answers on " + socket);
            }
            tried.append(' ').append(socket).append(": ").append(problem).append(';');
        }
        return ConditionEvaluationResult.disabled(tried.length() == 0
                ? "no Docker engine: no DOCKER_HOST and no Docker socket at " + sockets
                : "no Docker engine answers:" + tried);
    }

    private static ConditionEvaluationResult verdict(String problem, String where) {
        return problem == null
                ? ConditionEvaluationResult.enabled("Docker engine reachable at " + where)
                : ConditionEvaluationResult.disabled("no Docker engine at " + where + ": " + problem);
    }

    private static String probeDockerHost(String dockerHost) {
        URI uri = URI.create(dockerHost);
        if ("unix".equals(uri.getScheme())) {
            return probe(Path.of(uri.getPath()), PROBE_TIMEOUT);
        }
        if ("tcp".equals(uri.getScheme()) && uri.getHost() != null) {
            // may be TLS (DOCKER_TLS_VERIFY): only reachability here, Testcontainers speaks the protocol
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 2375 : uri.getPort()),
                        (int) PROBE_TIMEOUT.toMillis());
                return null;
            } catch (IOException e) {
                return e.toString();
            }
        }
        return null; // npipe:// or another scheme: Testcontainers decides
    }

    /** Where Docker, rootless Docker and Docker Desktop put their socket on Linux and macOS. */
    static List<Path> candidateSockets() {
        List<Path> sockets = new ArrayList<>();
        sockets.add(Path.of("/var/run/docker.sock"));
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        if (runtimeDir != null && !runtimeDir.isBlank()) {
            sockets.add(Path.of(runtimeDir, "docker.sock"));
        }
        String home = System.getProperty("user.home");
        sockets.add(Path.of(home, ".docker", "run", "docker.sock"));
        sockets.add(Path.of(home, ".docker", "desktop", "docker.sock"));
        return sockets;
    }

    /**
     * Sends {@code GET /_ping} over the Unix socket; null when an HTTP answer arrives within the timeout,
     * otherwise what went wrong.
     */
    static String probe(Path socket, Duration timeout) {
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "docker-ping");
            t.setDaemon(true);
            return t;
        });
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            Future<String> answer = executor.submit(() -> {
                channel.connect(UnixDomainSocketAddress.of(socket));
                channel.write(ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer buffer = ByteBuffer.allocate(64);
                while (buffer.position() < 5 && channel.read(buffer) >= 0) {
                    // read until the status line's "HTTP/" prefix is in or the peer closes
                }
                return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
            });
            String head = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return head.startsWith("HTTP/") ? null : "not an HTTP answer: '" + head.strip() + "'";
        } catch (TimeoutException e) {
            return "no answer within " + timeout.toSeconds() + " s (a socket unit without a running daemon?)";
        } catch (ExecutionException e) {
            return e.getCause().toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (IOException e) {
            return e.toString();
        } finally {
            executor.shutdownNow(); // the channel is closed by now, which ends a blocked read
        }
    }
}
