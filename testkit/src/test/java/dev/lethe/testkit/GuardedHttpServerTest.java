package dev.lethe.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.http.GuardedHttpServer;
import dev.lethe.http.HttpLimits;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared HTTP layer of Lethe's endpoints against slow and oversized clients (issue 14, case 3). */
class GuardedHttpServerTest {

    /** Far longer than any answer below may take: a request stuck behind a slow client would wait this long. */
    private static final Duration PATIENT = Duration.ofSeconds(30);
    private static final Duration ANSWER = Duration.ofSeconds(10);

    private GuardedHttpServer server;
    private final HttpAttacks attacks = new HttpAttacks();

    private GuardedHttpServer start(HttpLimits limits) {
        server = GuardedHttpServer.bind("127.0.0.1", 0, "test", limits).context("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            byte[] answer = ("got " + body.length + " bytes").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }).start();
        return server;
    }

    @AfterEach
    void stop() {
        attacks.close();
        server.close();
    }

    @Test
    void shouldServeOtherClientsWhileOneHoldsPartialRequestsUpToItsLimit() throws Exception {
        int port = start(HttpLimits.defaults().withRequestReadTimeout(PATIENT).withConnections(4, 16)).port();

        attacks.holdPartialRequests(port, 4);
        List<Socket> overLimit = attacks.holdPartialRequests(port, 1);

        assertThat(HttpAttacks.statusOf(overLimit.get(0), ANSWER)).as("a 5th connection from the same client").isEqualTo(429);
        assertThat(HttpAttacks.get(port, "/ok", ANSWER)).as("another client, while the slow ones are held").isEqualTo(200);
    }

    @Test
    void shouldAnswer408AndCloseWhenARequestDoesNotArriveWithinTheReadTimeout() throws Exception {
        int port = start(HttpLimits.defaults().withRequestReadTimeout(Duration.ofMillis(300))).port();

        Socket slow = attacks.holdPartialRequests(port, 1).get(0);

        assertThat(HttpAttacks.statusOf(slow, ANSWER)).isEqualTo(408);
        // the rest of the 408, then the end of the stream (a connection left open would time out this read instead)
        assertThat(new String(slow.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)).endsWith("\r\n\r\n");
    }

    @Test
    void shouldAnswerBeforeReadingWhenTheDeclaredBodyIsTooLargeOrUnbounded() throws Exception {
        int port = start(HttpLimits.defaults().withMaxBodyBytes(1024 * 1024)).port();

        assertThat(HttpAttacks.declareBody(port, "POST", "/subjects/x/versions", 600L << 20, ANSWER)).isEqualTo(413);
        assertThat(HttpAttacks.declareBody(port, "POST", "/subjects/x/versions", -1, ANSWER)).isEqualTo(411);
        assertThat(HttpAttacks.get(port, "/" + "x".repeat(20_000), ANSWER)).as("headers over 16 KiB").isEqualTo(431);
    }

    @Test
    void shouldHandOverABodyWithinTheLimitWhenAJavaClientPostsIt() throws Exception {
        int port = start(HttpLimits.defaults()).port();

        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/echo"))
                .timeout(ANSWER).POST(HttpRequest.BodyPublishers.ofString("x".repeat(100_000))).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("got 100000 bytes");
        assertThat(server.openConnections()).isLessThanOrEqualTo(1);
    }
}
