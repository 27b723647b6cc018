package dev.lethe.testkit.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.lethe.http.LoopbackHttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * An in-test OpenAI-compatible server answering from a script instead of a model: {@code /v1/chat/completions} and
 * {@code /v1/completions} generations come from {@link #generator} (prompt → text, greedy by construction), and echo +
 * logprobs requests get one token per character whose log-probabilities sum (after the first, null, token) to
 * {@link #promptLogLikelihood} of the prompt. It records requests, can fail the first ones with 429/503, and can
 * behave like a server without prompt echo ({@link #echoSupported} false: {@code echo} ignored, no logprobs).
 */
public final class ScriptedOpenAiServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LoopbackHttpServer server;
    public volatile Function<String, String> generator = prompt -> "";
    public volatile ToDoubleFunction<String> promptLogLikelihood = prompt -> -prompt.length();
    public volatile boolean echoSupported = true;
    /** How a server without echo answers an echo request: see {@link NoEcho}. */
    public volatile NoEcho noEcho = NoEcho.NO_LOGPROBS;

    /** The ways real servers lacking prompt echo answer (see evaluator/README.md). */
    public enum NoEcho {
        /** Generated text, {@code logprobs: null} (echo and logprobs ignored). */
        NO_LOGPROBS,
        /** llama-server: the generated token only, its logprob in OpenAI's shape (ggml-org/llama.cpp#27174). */
        GENERATED_ONLY,
        /** TGI: 422 {@code `max_new_tokens` must be strictly positive} to {@code max_tokens: 0}. */
        REFUSES_MAX_TOKENS_ZERO
    }
    public volatile int failFirst;
    public volatile int failStatus = 429;
    public final AtomicInteger requests = new AtomicInteger();
    public final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
    public final List<String> paths = new CopyOnWriteArrayList<>();

    public ScriptedOpenAiServer() throws IOException {
        server = LoopbackHttpServer.start("/v1/", this::handle, 8, 0);
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            String path = exchange.getRequestURI().getPath();
            if (requests.incrementAndGet() <= failFirst) {
                exchange.getResponseHeaders().add("Retry-After", "0");
                respond(exchange, failStatus, "{\"error\": \"busy\"}");
                return;
            }
            bodies.add(body);
            paths.add(path);
            ObjectNode response = JSON.createObjectNode();
            ArrayNode choices = response.putArray("choices");
            if (path.equals("/v1/chat/completions")) {
                ObjectNode choice = choices.addObject();
                choice.put("index", 0);
                choice.putObject("message").put("role", "assistant").put("content", generator.apply(body.path("messages").path(0).path("content").asText()));
                choice.put("finish_reason", "stop");
            } else if (path.equals("/v1/completions")) {
                List<String> prompts = new ArrayList<>();
                if (body.get("prompt").isArray()) {
                    body.get("prompt").forEach(p -> prompts.add(p.asText()));
                } else {
                    prompts.add(body.get("prompt").asText());
                }
                boolean echo = body.path("echo").asBoolean() && echoSupported;
                if (!echoSupported && noEcho == NoEcho.REFUSES_MAX_TOKENS_ZERO && body.path("max_tokens").asInt(-1) == 0) {
                    respond(exchange, 422, "{\"error\": \"Input validation error: `max_new_tokens` must be strictly positive\", \"error_type\": \"validation\"}");
                    return;
                }
                for (int i = 0; i < prompts.size(); i++) {
                    choices.add(echo ? echoed(i, prompts.get(i)) : generated(i, prompts.get(i)));
                }
            } else {
                respond(exchange, 404, "{\"error\": \"no such endpoint\"}");
                return;
            }
            respond(exchange, 200, JSON.writeValueAsString(response));
        } catch (RuntimeException e) {
            respond(exchange, 500, "{\"error\": \"" + e + "\"}");
        }
    }

    private ObjectNode generated(int index, String prompt) {
        ObjectNode choice = JSON.createObjectNode();
        choice.put("index", index);
        String text = generator.apply(prompt);
        choice.put("text", text);
        if (!echoSupported && noEcho == NoEcho.GENERATED_ONLY) {
            ObjectNode logprobs = choice.putObject("logprobs");
            logprobs.putArray("tokens").add(text);
            logprobs.putArray("token_logprobs").add(-0.5);
            logprobs.putArray("text_offset").add(0);
        } else {
            choice.putNull("logprobs");
        }
        return choice;
    }

    private ObjectNode echoed(int index, String prompt) {
        ObjectNode choice = JSON.createObjectNode();
        choice.put("index", index);
        choice.put("text", prompt);
        ObjectNode logprobs = choice.putObject("logprobs");
        ArrayNode values = logprobs.putArray("token_logprobs");
        ArrayNode offsets = logprobs.putArray("text_offset");
        double each = promptLogLikelihood.applyAsDouble(prompt) / Math.max(1, prompt.length() - 1);
        for (int i = 0; i < prompt.length(); i++) {
            if (i == 0) {
                values.addNull();
            } else {
                values.add(each);
            }
            offsets.add(i);
        }
        return choice;
    }

    /** A JSON answer; shared with the evaluator tests' model server. */
    public static void respond(HttpExchange exchange, int status, String body) throws IOException {
        LoopbackHttpServer.respondJson(exchange, status, body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.close();
    }
}
