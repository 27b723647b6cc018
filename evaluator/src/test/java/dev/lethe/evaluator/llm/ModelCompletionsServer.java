package dev.lethe.evaluator.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.lethe.http.LoopbackHttpServer;
import dev.lethe.testkit.llm.ScriptedOpenAiServer;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-test OpenAI-compatible {@code /v1/completions} server (JDK HttpServer) answering echo + logprobs requests from
 * a real {@link CharLstmModel}: tokens are characters, {@code text_offset} their positions, the first token's
 * log-probability null. It records what it received and can fail the first requests or demand an API key.
 */
final class ModelCompletionsServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final CharLstmModel model;
    private final LoopbackHttpServer server;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final List<Integer> promptsPerRequest = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final List<String> models = new CopyOnWriteArrayList<>();
    volatile int failFirst;
    volatile int failStatus = 503;
    volatile String requiredKey;
    /** Generate one token after the echoed prompt, as servers given max_tokens 1 (the harness's setting) do. */
    volatile boolean generateOne;
    /** Holds every answer this long (a slow server). */
    volatile long delayMs;

    ModelCompletionsServer(CharLstmModel model) throws IOException {
        this.model = model;
        this.server = LoopbackHttpServer.start("/v1/completions", this::handle, 8, 0);
    }

    String baseUrl() {
        return server.baseUrl();
    }

    private void handle(HttpExchange exchange) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        AtomicBoolean counted = new AtomicBoolean(true);
        try {
            int n = requests.incrementAndGet();
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "" : auth);
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            if (n <= failFirst) {
                respond(exchange, counted, failStatus, "{\"error\": \"warming up\"}");
                return;
            }
            if (requiredKey != null && !("Bearer " + requiredKey).equals(auth)) {
                respond(exchange, counted, 401, "{\"error\": \"bad key\"}");
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod()) || !body.path("echo").asBoolean() || body.path("logprobs").asInt(-1) < 0
                    || body.path("max_tokens").asInt(-1) != 0) {
                respond(exchange, counted, 400, "{\"error\": \"this server only scores prompts: echo true, logprobs >= 0, max_tokens 0\"}");
                return;
            }
            if (delayMs > 0) {
                try {
                    Thread.sleep(delayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            models.add(body.path("model").asText());
            JsonNode prompt = body.get("prompt");
            List<String> prompts = new java.util.ArrayList<>();
            if (prompt.isArray()) {
                prompt.forEach(p -> prompts.add(p.asText()));
            } else {
                prompts.add(prompt.asText());
            }
            promptsPerRequest.add(prompts.size());
            ObjectNode response = JSON.createObjectNode();
            response.put("object", "text_completion");
            ArrayNode choices = response.putArray("choices");
            // answer in reverse order: the client must use "index", not the position
            for (int i = prompts.size() - 1; i >= 0; i--) {
                choices.add(choice(i, prompts.get(i)));
            }
            respond(exchange, counted, 200, JSON.writeValueAsString(response));
        } catch (RuntimeException e) {
            respond(exchange, counted, 500, "{\"error\": \"" + e.getMessage().replace('"', '\'') + "\"}");
        } finally {
            leaveInFlight(counted); // a request that got no answer (interrupted)
        }
    }

    /**
     * Counts the request out of {@link #inFlight} once. {@link #respond} does it before the answer is sent: after
     * that the client may already send its next request, and counting on until the handler returns would see one
     * request more in flight than the client ever had.
     */
    private void leaveInFlight(AtomicBoolean counted) {
        if (counted.compareAndSet(true, false)) {
            inFlight.decrementAndGet();
        }
    }

    private ObjectNode choice(int index, String prompt) {
        String text = generateOne ? prompt + model.next(prompt) : prompt;
        double[] lps = model.tokenLogprobs(text);
        ObjectNode choice = JSON.createObjectNode();
        choice.put("index", index);
        choice.put("text", text);
        ObjectNode logprobs = choice.putObject("logprobs");
        ArrayNode tokens = logprobs.putArray("tokens");
        ArrayNode values = logprobs.putArray("token_logprobs");
        ArrayNode offsets = logprobs.putArray("text_offset");
        ArrayNode top = logprobs.putArray("top_logprobs");
        for (int i = 0; i < text.length(); i++) {
            String token = String.valueOf(text.charAt(i));
            tokens.add(token);
            if (i == 0) {
                values.addNull();
                top.addNull();
            } else {
                values.add(lps[i]);
                top.addObject().put(token, lps[i]);
            }
            offsets.add(i);
        }
        choice.put("finish_reason", "length");
        return choice;
    }

    private void respond(HttpExchange exchange, AtomicBoolean counted, int status, String body) throws IOException {
        leaveInFlight(counted);
        ScriptedOpenAiServer.respond(exchange, status, body);
    }

    @Override
    public void close() {
        server.close();
    }
}
