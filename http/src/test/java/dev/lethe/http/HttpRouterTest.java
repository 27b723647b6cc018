package dev.lethe.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shared router on a real {@link GuardedHttpServer}, asked by the JDK's HTTP client. */
class HttpRouterTest {

    private GuardedHttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        HttpRouter<String> router = new HttpRouter<String>(call -> "404", call -> "405")
                .get("/items/{a}/{b}", call -> "a=" + call.path("a") + " b=" + call.path("b") + " q=" + new TreeMap<>(call.query()))
                .post("/items/{a}/{b}", call -> "posted " + call.path("a"))
                .get("/items", call -> "all, deleted=" + call.flag("deleted"));
        server = GuardedHttpServer.bind("127.0.0.1", 0, "router-test", HttpLimits.defaults()).context("/", exchange -> {
            byte[] body = router.dispatch(exchange).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String ask(String method, String rawPathAndQuery) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + rawPathAndQuery))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void shouldKeepAPlusInThePathAndDecodeItAsASpaceInTheQuery() throws Exception {
        assertThat(ask("GET", "/items/c%2B%2B+x/a%20b?name=a+b&plus=a%2Bb&flag"))
                .isEqualTo("a=c+++x b=a b q={flag=, name=a b, plus=a+b}");
    }

    @Test
    void shouldKeepAnEncodedSlashInsideItsSegmentAndIgnoreEmptySegments() throws Exception {
        assertThat(ask("GET", "/items/a%2Fb//c/")).isEqualTo("a=a/b b=c q={}");
        assertThat(ask("GET", "/items/?deleted=TRUE")).isEqualTo("all, deleted=true");
    }

    @Test
    void shouldAnswerNotFoundForAnUnknownPathAndMethodNotAllowedForAKnownOne() throws Exception {
        assertThat(ask("POST", "/items/x/y")).isEqualTo("posted x");
        assertThat(ask("GET", "/items/x")).isEqualTo("404");
        assertThat(ask("GET", "/items/x/y/z")).isEqualTo("404");
        assertThat(ask("DELETE", "/items/x/y")).isEqualTo("405");
        assertThat(ask("PUT", "/items")).isEqualTo("405");
    }
}
