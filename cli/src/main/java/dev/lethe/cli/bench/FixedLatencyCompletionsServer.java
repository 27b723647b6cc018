package dev.lethe.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.lethe.http.LoopbackHttpServer;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local OpenAI-compatible {@code /v1/completions} server for {@code llm_scorer_vs_raw_client}: every request takes
 * a fixed latency (the stand-in for a GPU forward pass, the same for both clients), then echoes each prompt with one
 * token per character and a log-probability derived from the character. Every {@code throttleEvery}-th request is
 * answered 429 with {@code Retry-After: 0} first, as a rate-limited server would.
 */
final class FixedLatencyCompletionsServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LoopbackHttpServer server;
    private final long latencyMs;
    private final int throttleEvery;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger throttled = new AtomicInteger();

    FixedLatencyCompletionsServer(long latencyMs, int threads, int throttleEvery) throws IOException {
        this.latencyMs = latencyMs;
        this.throttleEvery = throttleEvery;
        this.server = LoopbackHttpServer.start("/v1/completions", this::handle, threads, 64);
    }

    String baseUrl() {
        return server.baseUrl();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            int n = requests.incrementAndGet();
            if (throttleEvery > 0 && n % throttleEvery == 0) {
                throttled.incrementAndGet();
                exchange.getResponseHeaders().add("Retry-After", "0");
                send(exchange, 429, "{\"error\": \"rate limited\"}".getBytes());
                return;
            }
            Thread.sleep(latencyMs);
            ObjectNode response = JSON.createObjectNode();
            ArrayNode choices = response.putArray("choices");
            int index = 0;
            for (JsonNode p : body.path("prompt")) {
                String prompt = p.asText();
                ObjectNode choice = choices.addObject();
                choice.put("index", index++);
                choice.put("text", prompt);
                ObjectNode logprobs = choice.putObject("logprobs");
                ArrayNode values = logprobs.putArray("token_logprobs");
                ArrayNode offsets = logprobs.putArray("text_offset");
                for (int i = 0; i < prompt.length(); i++) {
                    if (i == 0) {
                        values.addNull();
                    } else {
                        values.add(-0.05 - (prompt.charAt(i) % 13) / 10.0);
                    }
                    offsets.add(i);
                }
            }
            send(exchange, 200, JSON.writeValueAsBytes(response));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] bytes) throws IOException {
        LoopbackHttpServer.respondJson(exchange, status, bytes);
    }

    @Override
    public void close() {
        server.close();
    }
}
