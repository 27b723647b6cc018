package dev.lethe.cli.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerEngineConditionTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);

    @TempDir
    Path dir;

    @Test
    void shouldGiveUpWithinTheTimeoutWhenTheSocketAcceptsButNeverAnswers() throws Exception {
        Path socket = dir.resolve("docker.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket), 8); // the kernel queues the connection; nobody answers
            long start = System.nanoTime();

            String problem = DockerEngineCondition.probe(socket, TIMEOUT);

            assertThat(problem).contains("no answer within");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void shouldAcceptTheEngineWhenThePingGetsAnHttpAnswer() throws Exception {
        Path socket = dir.resolve("docker.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread daemon = new Thread(() -> {
                try (SocketChannel client = server.accept()) {
                    client.read(ByteBuffer.allocate(256));
                    client.write(ByteBuffer.wrap("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK"
                            .getBytes(StandardCharsets.US_ASCII)));
                } catch (Exception e) {
                    // the probe reports what it got; nothing to add here
                }
            });
            daemon.start();

            String problem = DockerEngineCondition.probe(socket, Duration.ofSeconds(5));

            daemon.join(5_000);
            assertThat(problem).isNull();
        }
    }

    @Test
    void shouldReportTheFailureWhenNothingListensOnTheSocketPath() {
        String problem = DockerEngineCondition.probe(dir.resolve("absent.sock"), TIMEOUT);

        assertThat(problem).isNotNull().doesNotContain("no answer within");
    }

    @Test
    void shouldRejectTheEngineWhenTheAnswerIsNotHttp() throws Exception {
        Path socket = dir.resolve("docker.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread other = new Thread(() -> {
                try (SocketChannel client = server.accept()) {
                    client.read(ByteBuffer.allocate(256)); // the request first: closing early breaks the probe's write
                    client.write(ByteBuffer.wrap("SSH-2.0-OpenSSH\r\n".getBytes(StandardCharsets.US_ASCII)));
                } catch (Exception e) {
                    // the probe reports what it got
                }
            });
            other.start();

            String problem = DockerEngineCondition.probe(socket, Duration.ofSeconds(5));

            other.join(5_000);
            assertThat(problem).startsWith("not an HTTP answer");
        }
    }
}
