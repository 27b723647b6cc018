package dev.lethe.evaluator.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.evaluator.checkpoint.CheckpointException;
import dev.lethe.evaluator.checkpoint.CheckpointUnavailableException;
import dev.lethe.evaluator.scoring.ScoringException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code POST /v1/completions} with several prompts, echoed with their token log-probabilities
 * ({@code echo: true, logprobs: 1, max_tokens: 0, temperature: 0}), retried with exponential backoff on connection
 * errors, HTTP 429 and 5xx. Unreachable or refusing servers end as {@link CheckpointUnavailableException}
 * (CHECKPOINT_UNAVAILABLE); a 400 or a response without the logprobs as {@link ScoringException} (SCORING_FAILED).
 * The API key goes only into the {@code Authorization} header, never into a log line or exception message.
 */
final class CompletionsClient {

    private static final Logger log = LoggerFactory.getLogger(CompletionsClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** The capability a log-likelihood element needs, named in the SCORING_FAILED reason when a server lacks it. */
    static final String MISSING_ECHO = "server lacks prompt echo with logprobs";

    private final HttpClient http;
    private final LlmScorerConfig config;

    CompletionsClient(LlmScorerConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder()
                .connectTimeout(config.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** The echoed log-probabilities of each prompt, in prompt order. */
    List<PromptLogprobs> echo(URI endpoint, String model, List<String> prompts) throws CheckpointException, InterruptedException {
        byte[] answer;
        try {
            answer = post(endpoint, requestBody(model, prompts));
        } catch (ScoringException e) {
            // TGI answers 422 to max_tokens 0; a server may also refuse echo or logprobs outright
            throw new ScoringException(e.getMessage() + " (log-likelihood scoring sends echo: true, logprobs: 1, max_tokens: 0; if the server"
                    + " refuses those, it " + MISSING_ECHO.replace("server ", "") + ")", e);
        }
        return parse(answer, prompts, endpoint);
    }

    /**
     * POSTs a JSON body and returns the 200 answer's body, retrying connection errors, 429 and 5xx with exponential
     * backoff (a {@code Retry-After} header wins) up to {@code maxRetries} times; every OpenAI-compatible call goes here.
     */
    byte[] post(URI endpoint, byte[] body) throws CheckpointException, InterruptedException {
        Duration backoff = config.retryBackoff();
        String lastProblem = null;
        for (int attempt = 0; attempt <= config.maxRetries(); attempt++) {
            if (attempt > 0) {
                Thread.sleep(backoff.toMillis());
                backoff = min(backoff.multipliedBy(2), MAX_BACKOFF);
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                    .timeout(config.requestTimeout())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (config.apiKey() != null) {
                request.header("Authorization", "Bearer " + config.apiKey());
            }
            HttpResponse<byte[]> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                lastProblem = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                log.debug("request to {} failed (attempt {}): {}", endpoint, attempt + 1, lastProblem);
                continue;
            }
            int status = response.statusCode();
            if (status == 200) {
                return response.body();
            }
            String excerpt = excerpt(response.body());
            if (status == 429 || status >= 500) {
                lastProblem = "HTTP " + status + " " + excerpt;
                log.debug("endpoint {} answered HTTP {} (attempt {})", endpoint, status, attempt + 1);
                Duration retryAfter = retryAfter(response);
                if (retryAfter != null) {
                    backoff = min(retryAfter, MAX_BACKOFF);
                }
                continue;
            }
            if (status == 400 || status == 413 || status == 422) {
                throw new ScoringException("endpoint " + endpoint + " refused the request: HTTP " + status + " " + excerpt);
            }
            throw new CheckpointUnavailableException("endpoint " + endpoint + " answered HTTP " + status + " " + excerpt);
        }
        throw new CheckpointUnavailableException("endpoint " + endpoint + " failed " + (config.maxRetries() + 1)
                + " attempts, last: " + lastProblem);
    }

    static byte[] json(ObjectNode body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode readJson(byte[] body, URI endpoint) {
        try {
            JsonNode root = JSON.readTree(body);
            if (root == null) {
                throw new ScoringException("endpoint " + endpoint + " answered an empty body");
            }
            return root;
        } catch (IOException e) {
            throw new ScoringException("endpoint " + endpoint + " answered invalid JSON: " + e.getMessage());
        }
    }

    static byte[] requestBody(String model, List<String> prompts) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        ArrayNode array = body.putArray("prompt");
        prompts.forEach(array::add);
        body.put("echo", true);
        body.put("logprobs", 1);
        body.put("max_tokens", 0);
        body.put("temperature", 0);
        return json(body);
    }

    static List<PromptLogprobs> parse(byte[] body, int promptCount, URI endpoint) {
        return parse(body, promptCount, null, endpoint);
    }

    /** The answer to {@code prompts}, each choice checked to be an echo of its prompt (llama-server answers without it). */
    static List<PromptLogprobs> parse(byte[] body, List<String> prompts, URI endpoint) {
        return parse(body, prompts.size(), prompts, endpoint);
    }

    private static List<PromptLogprobs> parse(byte[] body, int promptCount, List<String> prompts, URI endpoint) {
        JsonNode choices = readJson(body, endpoint).get("choices");
        if (choices == null || !choices.isArray() || choices.size() != promptCount) {
            throw new ScoringException("completions endpoint " + endpoint + " answered " + (choices == null ? "no" : choices.size())
                    + " choices for " + promptCount + " prompts");
        }
        PromptLogprobs[] byIndex = new PromptLogprobs[promptCount];
        for (int k = 0; k < choices.size(); k++) {
            JsonNode choice = choices.get(k);
            // choices may come in any order; "index" names the prompt (n = 1)
            int index = choice.path("index").asInt(k);
            if (index < 0 || index >= promptCount || byIndex[index] != null) {
                throw new ScoringException("completions endpoint " + endpoint + " answered a choice with bad index " + index);
            }
            JsonNode text = choice.get("text");
            if (prompts != null && text != null && text.isTextual()
                    && text.asText().codePointCount(0, text.asText().length()) < prompts.get(index).codePointCount(0, prompts.get(index).length())) {
                throw new ScoringException(MISSING_ECHO + ": " + endpoint + " answered a text shorter than the prompt, so it did not echo it"
                        + " (echo: true ignored); log-likelihood elements need the prompt's own logprobs");
            }
            JsonNode logprobs = choice.get("logprobs");
            JsonNode values = logprobs == null ? null : logprobs.get("token_logprobs");
            JsonNode offsets = logprobs == null ? null : logprobs.get("text_offset");
            if (values == null || !values.isArray() || offsets == null || !offsets.isArray()) {
                throw new ScoringException(MISSING_ECHO + ": " + endpoint + " answered without logprobs.token_logprobs/text_offset of the"
                        + " prompt; log-likelihood elements (multiple choice, CrowS-Pairs) need a /v1/completions that honours echo: true with"
                        + " logprobs (vLLM does; see evaluator/README.md for llama.cpp and TGI)");
            }
            Double[] lps = new Double[values.size()];
            for (int i = 0; i < lps.length; i++) {
                JsonNode v = values.get(i);
                lps[i] = v == null || v.isNull() ? null : v.asDouble();
            }
            int[] offs = new int[offsets.size()];
            for (int i = 0; i < offs.length; i++) {
                offs[i] = offsets.get(i).asInt();
            }
            byIndex[index] = new PromptLogprobs(lps, offs);
        }
        return List.of(byIndex);
    }

    private static Duration retryAfter(HttpResponse<?> response) {
        try {
            return response.headers().firstValue("Retry-After").map(v -> Duration.ofSeconds(Long.parseLong(v.trim()))).orElse(null);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String excerpt(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim();
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    static <T> List<List<T>> batches(List<T> all, int size) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += size) {
            out.add(all.subList(i, Math.min(all.size(), i + size)));
        }
        return out;
    }
}
