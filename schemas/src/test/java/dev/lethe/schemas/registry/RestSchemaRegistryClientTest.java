package dev.lethe.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The REST client's HTTP behaviour against a scripted local HTTP server: retries, caching, headers, errors. */
class RestSchemaRegistryClientTest {

    private static final Schema SCHEMA = SchemaBuilder.record("R").namespace("t").fields().requiredString("id").endRecord();

    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<String> contentTypes = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private HttpServer server;

    /** Answers the i-th request with statuses[i] (the last one repeats); 200 bodies carry SCHEMA as id 7. */
    private String serve(int... statuses) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            int n = requests.getAndIncrement();
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            contentTypes.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
            exchange.getRequestBody().readAllBytes();
            int status = statuses[Math.min(n, statuses.length - 1)];
            String body = switch (status) {
                case 200 -> exchange.getRequestURI().getPath().endsWith("/versions")
                        ? "{\"id\":7}" : "{\"schema\":" + quote(SCHEMA.toString()) + "}";
                case 404 -> "{\"error_code\":40403,\"message\":\"Schema 7 not found\"}";
                default -> "{\"error_code\":50001,\"message\":\"store down\"}";
            };
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static RestSchemaRegistryClient client(String url, String userInfo, int retries) {
        return new RestSchemaRegistryClient(RegistryClientConfig.of(url, userInfo)
                .withRetries(retries, Duration.ofMillis(10), Duration.ofMillis(50)));
    }

    @Test
    void shouldRetryThenSucceedWhenRegistryAnswers5xxTwice() throws Exception {
        RestSchemaRegistryClient client = client(serve(503, 500, 200), null, 3);
        assertThat(client.schemaById(7)).isEqualTo(SCHEMA);
        assertThat(requests).hasValue(3);
    }

    @Test
    void shouldRetryThenSucceedWhenTheRegistrysHttpLayerShedsLoadWith429And408() throws Exception {
        // GuardedHttpServer answers 429 past 8 connections from one address (every local process shares 127.0.0.1)
        RestSchemaRegistryClient client = client(serve(429, 408, 200), null, 3);
        assertThat(client.schemaById(7)).isEqualTo(SCHEMA);
        assertThat(requests).hasValue(3);
    }

    @Test
    void shouldGiveUpNamingUrlWhenRegistryKeepsFailing() throws Exception {
        String url = serve(503);
        RestSchemaRegistryClient client = client(url, null, 2);
        assertThatThrownBy(() -> client.schemaById(7))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(503);
                    assertThat(e.getMessage()).contains(url).contains("after 3 attempt(s)").contains("HTTP 503");
                });
        assertThat(requests).hasValue(3);
    }

    @Test
    void shouldNotRetryWhenRegistryAnswers4xx() throws Exception {
        RestSchemaRegistryClient client = client(serve(404), null, 3);
        assertThatThrownBy(() -> client.schemaById(7))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(40403);
                    assertThat(e.isNotFound()).isTrue();
                });
        assertThat(requests).hasValue(1);
    }

    @Test
    void shouldCacheIdsAndSchemasWhenAskedTwice() throws Exception {
        RestSchemaRegistryClient client = client(serve(200), null, 0);
        assertThat(client.register("s", SCHEMA)).isEqualTo(7);
        assertThat(client.register("s", SCHEMA)).isEqualTo(7);
        assertThat(client.schemaById(7)).isEqualTo(SCHEMA);
        assertThat(requests).as("one POST, no GET: the id came with the registration").hasValue(1);
        assertThat(contentTypes).containsExactly(RestSchemaRegistryClient.CONTENT_TYPE);
    }

    @Test
    void shouldSendBasicAuthWhenCredentialsSourceIsUserInfo() throws Exception {
        String url = serve(200);
        RestSchemaRegistryClient client = RestSchemaRegistryClient.fromConfig(Map.of(
                RegistryClientConfig.URL, url, RegistryClientConfig.CREDENTIALS_SOURCE, "USER_INFO",
                RegistryClientConfig.USER_INFO, "alice:pw"));
        client.schemaById(7);
        assertThat(authorizations).containsExactly(
                "Basic " + Base64.getEncoder().encodeToString("alice:pw".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldNameTheKeyWhenConfigIsInvalid() {
        assertThatThrownBy(() -> RegistryClientConfig.from(Map.of(RegistryClientConfig.URL, "http://x:1",
                RegistryClientConfig.CREDENTIALS_SOURCE, "URL")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(RegistryClientConfig.CREDENTIALS_SOURCE);
        assertThatThrownBy(() -> RegistryClientConfig.from(Map.of(RegistryClientConfig.URL, "ftp://x:1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(RegistryClientConfig.URL);
        assertThatThrownBy(() -> RegistryClientConfig.from(Map.of(RegistryClientConfig.URL, "http://x:1",
                RegistryClientConfig.MAX_RETRIES, "many")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(RegistryClientConfig.MAX_RETRIES);
        assertThat(RegistryClientConfig.from(Map.of(RegistryClientConfig.URL, "http://a:1/, http://b:2")).urls())
                .containsExactly("http://a:1", "http://b:2");
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
