package dev.lethe.sinks;

import static dev.lethe.sinks.TestRecords.alert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.sinks.core.SinkContext;
import dev.lethe.sinks.webhook.WebhookSink;
import dev.lethe.sinks.webhook.WebhookSinkConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookSinkTest {

    @TempDir
    Path dir;

    private HttpServer server;
    private final List<WebhookSink> sinks = new CopyOnWriteArrayList<>();
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<JsonNode> accepted = new CopyOnWriteArrayList<>();
    private final List<String> idempotencyKeys = new CopyOnWriteArrayList<>();

    /** A local webhook answering {@code failStatus} to the first {@code failures} requests and 200 afterwards. */
    private URI startServer(int failures, int failStatus) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                idempotencyKeys.add(String.valueOf(exchange.getRequestHeaders().getFirst(WebhookSink.IDEMPOTENCY_KEY)));
                int n = requests.incrementAndGet();
                if (n <= failures) {
                    exchange.sendResponseHeaders(failStatus, -1);
                    return;
                }
                accepted.add(RecordJson.mapper().readTree(new String(body, StandardCharsets.UTF_8)));
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    /** A local webhook that holds every request until {@code release} opens, then answers 200. */
    private URI startHeldServer(CountDownLatch release) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(handlers);
        server.createContext("/hook", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                idempotencyKeys.add(String.valueOf(exchange.getRequestHeaders().getFirst(WebhookSink.IDEMPOTENCY_KEY)));
                requests.incrementAndGet();
                release.await();
                accepted.add(RecordJson.mapper().readTree(new String(body, StandardCharsets.UTF_8)));
                exchange.sendResponseHeaders(200, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        handlers.shutdownNow();
        sinks.forEach(WebhookSink::close);
    }

    private WebhookSink sink(URI url, int attempts) {
        WebhookSink sink = new WebhookSink(WebhookSinkConfig.defaults(url, dir)
                .withRetries(attempts, Duration.ofMillis(5), Duration.ofMillis(20)));
        sink.open(SinkContext.detached(Topics.defaults()));
        sinks.add(sink);
        return sink;
    }

    private static void settled(WebhookSink sink) throws InterruptedException {
        assertThat(sink.awaitIdle(Duration.ofSeconds(30))).as("every message delivered or parked").isTrue();
    }

    @Test
    void shouldDeliverEveryAlertExactlyOnceWhenTheServerFailsTheFirstAttempts() throws Exception {
        URI url = startServer(3, 503);
        WebhookSink sink = sink(url, 6);
        sink.onAlert(alert("a-1", "mlp", "mlp-a", 2, AlertSeverity.CRITICAL));
        sink.onAlert(alert("a-2", "mlp", "mlp-b", 2, AlertSeverity.WARNING));
        sink.onAlert(alert("a-1", "mlp", "mlp-a", 2, AlertSeverity.CRITICAL)); // re-emitted: not sent again
        sink.onAlert(alert("a-3", "cnn", "cnn-a", 3, AlertSeverity.WARNING));
        settled(sink);

        assertThat(accepted).extracting(n -> n.get("alertId").asText()).containsExactly("a-1", "a-2", "a-3");
        assertThat(requests.get()).isEqualTo(3 + 3);
        // every attempt of an alert carries its alertId, so a receiver can drop a resend
        assertThat(idempotencyKeys).containsExactly("a-1", "a-1", "a-1", "a-1", "a-2", "a-3");
        assertThat(sink.delivered()).isEqualTo(3);
        assertThat(sink.parked()).isZero();
        JsonNode first = accepted.get(0);
        assertThat(first.get("text").asText()).startsWith(":rotating_light: CRITICAL knowledge loss in mlp/mlp-a")
                .contains("92.0% -> 70.0%").contains("-22.0 pp");
        assertThat(first.get("severity").asText()).isEqualTo("CRITICAL");
        assertThat(first.get("dropPp").asDouble()).isEqualTo(22.0);
        assertThat(Files.readAllLines(dir.resolve(WebhookSink.DELIVERED_FILE))).containsExactly("a-1", "a-2", "a-3");
        assertThat(dir.resolve(WebhookSink.UNDELIVERED_FILE)).doesNotExist();

        // a restarted sender with the same state directory does not resend what was delivered
        WebhookSink restarted = sink(url, 6);
        restarted.onAlert(alert("a-2", "mlp", "mlp-b", 2, AlertSeverity.WARNING));
        settled(restarted);
        assertThat(requests.get()).isEqualTo(6);
        assertThat(restarted.delivered()).isZero();
    }

    @Test
    void shouldKeepTheAlertInTheUndeliveredFileAndTheDlqWhenEveryAttemptFails() throws Exception {
        URI url = startServer(Integer.MAX_VALUE, 500);
        WebhookSink sink = sink(url, 3);
        SinkContext context = SinkContext.detached(Topics.defaults());
        sink.open(context);
        sink.onAlert(alert("lost-1", "mlp", "mlp-a", 2, AlertSeverity.CRITICAL));
        settled(sink);

        assertThat(requests.get()).isEqualTo(3);
        assertThat(accepted).isEmpty();
        assertThat(sink.parked()).isEqualTo(1);
        List<String> lines = Files.readAllLines(dir.resolve(WebhookSink.UNDELIVERED_FILE));
        assertThat(lines).hasSize(1);
        JsonNode parked = RecordJson.mapper().readTree(lines.get(0));
        assertThat(parked.get("alertId").asText()).isEqualTo("lost-1");
        assertThat(parked.get("deliveryError").asText()).contains("HTTP 500");
        assertThat(context.stats().deadLetters(Topics.defaults().alerts().name())).isEqualTo(1);

        sink.onAlert(alert("lost-1", "mlp", "mlp-a", 2, AlertSeverity.CRITICAL)); // parked once, not twice
        settled(sink);
        assertThat(requests.get()).isEqualTo(3);
        assertThat(Files.readAllLines(dir.resolve(WebhookSink.UNDELIVERED_FILE))).hasSize(1);
    }

    @Test
    void shouldNotRetryWhenTheServerRefusesTheRequestItself() throws Exception {
        URI url = startServer(Integer.MAX_VALUE, 400);
        WebhookSink sink = sink(url, 5);
        sink.onAlert(alert("bad-1", "mlp", "mlp-a", 2, AlertSeverity.WARNING));
        settled(sink);

        assertThat(requests.get()).isEqualTo(1);
        assertThat(sink.parked()).isEqualTo(1);
        assertThat(Files.readString(dir.resolve(WebhookSink.UNDELIVERED_FILE))).contains("bad-1").contains("HTTP 400");
    }

    @Test
    void shouldNotHoldTheConsumerWhileTheWebhookIsSlowAndMakeItWaitOnlyWhenTheQueueIsFull() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        URI url = startHeldServer(release);
        WebhookSink sink = new WebhookSink(WebhookSinkConfig.defaults(url, dir).withQueueCapacity(1));
        sinks.add(sink);

        sink.onAlert(alert("q-1", "mlp", "mlp-a", 1, AlertSeverity.WARNING)); // taken by the delivery thread, held
        await().atMost(Duration.ofSeconds(30)).until(() -> requests.get() == 1);
        sink.onAlert(alert("q-2", "mlp", "mlp-a", 2, AlertSeverity.WARNING)); // waits in the queue (capacity 1)
        // both calls returned while the webhook holds the first POST: delivery is off the caller's thread
        assertThat(sink.undecided()).isEqualTo(2);
        assertThat(sink.backPressureWaits()).isZero();

        Thread consumer = new Thread(() -> sink.onAlert(alert("q-3", "mlp", "mlp-a", 3, AlertSeverity.WARNING)));
        consumer.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.backPressureWaits() == 1
                && consumer.getState() == Thread.State.WAITING);
        // the third waits for room instead of being dropped, and all three are recorded before any is decided
        assertThat(Files.readString(sink.pendingFile())).contains("\"q-1\"").contains("\"q-2\"").contains("\"q-3\"");
        assertThat(accepted).isEmpty();

        release.countDown();
        consumer.join();
        settled(sink);
        assertThat(accepted).extracting(n -> n.get("alertId").asText()).containsExactly("q-1", "q-2", "q-3");
        assertThat(Files.readAllLines(sink.deliveredFile())).containsExactly("q-1", "q-2", "q-3");
        assertThat(Files.readString(sink.pendingFile())).isEmpty();
    }

    @Test
    void shouldSendWhatAnEarlierSenderLeftUndecidedWhenStartedOnItsStateDirectory() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        URI url = startHeldServer(release);
        WebhookSink crashed = new WebhookSink(WebhookSinkConfig.defaults(url, dir.resolve("first")));
        sinks.add(crashed);
        crashed.onAlert(alert("c-1", "mlp", "mlp-a", 1, AlertSeverity.CRITICAL));
        await().atMost(Duration.ofSeconds(30)).until(() -> requests.get() == 1);
        // a crash now leaves c-1 in the pending journal only: its offset may already be committed
        Path state = Files.createDirectories(dir.resolve("second"));
        Files.copy(crashed.pendingFile(), state.resolve(WebhookSink.PENDING_FILE));
        release.countDown();

        WebhookSink restarted = new WebhookSink(WebhookSinkConfig.defaults(url, state));
        sinks.add(restarted);
        restarted.onAlert(alert("c-1", "mlp", "mlp-a", 1, AlertSeverity.CRITICAL)); // re-read: already pending, not doubled
        settled(restarted);

        assertThat(restarted.delivered()).isEqualTo(1);
        assertThat(Files.readAllLines(state.resolve(WebhookSink.DELIVERED_FILE))).containsExactly("c-1");
        assertThat(Files.readString(restarted.pendingFile())).isEmpty();
    }

    @Test
    void shouldDoubleTheBackoffUpToTheCapWhenRetrying() {
        WebhookSinkConfig config = WebhookSinkConfig.defaults(URI.create("http://127.0.0.1:1/x"), dir)
                .withRetries(8, Duration.ofMillis(100), Duration.ofMillis(700));
        assertThat(List.of(2, 3, 4, 5, 6)).extracting(a -> config.backoffBefore(a).toMillis())
                .containsExactly(100L, 200L, 400L, 700L, 700L);
    }
}
