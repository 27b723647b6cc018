package dev.lethe.evaluator.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.evaluator.checkpoint.CheckpointException;
import dev.lethe.evaluator.scoring.ScoringException;
import java.net.URI;
import java.util.List;

/**
 * Greedy generation over an OpenAI-compatible server ({@code temperature: 0}, {@code max_tokens}, {@code stop}): a
 * batch of prompts per {@code /v1/completions} request, or one user message per {@code /v1/chat/completions}
 * request. Retries and failure reasons are {@link CompletionsClient#post}'s.
 */
final class GenerationClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final CompletionsClient http;

    GenerationClient(CompletionsClient http) {
        this.http = http;
    }

    /** The generated text of each prompt, in prompt order ({@code /v1/completions}). */
    List<String> complete(URI endpoint, String model, List<String> prompts, GenerativeItems settings)
            throws CheckpointException, InterruptedException {
        ObjectNode body = settings(model, settings);
        ArrayNode array = body.putArray("prompt");
        prompts.forEach(array::add);
        JsonNode choices = CompletionsClient.readJson(http.post(endpoint, CompletionsClient.json(body)), endpoint).get("choices");
        if (choices == null || !choices.isArray() || choices.size() != prompts.size()) {
            throw new ScoringException("completions endpoint " + endpoint + " answered " + (choices == null ? "no" : choices.size())
                    + " choices for " + prompts.size() + " prompts");
        }
        String[] texts = new String[prompts.size()];
        for (int k = 0; k < choices.size(); k++) {
            JsonNode choice = choices.get(k);
            int index = choice.path("index").asInt(k);
            JsonNode text = choice.get("text");
            if (index < 0 || index >= texts.length || texts[index] != null || text == null || !text.isTextual()) {
                throw new ScoringException("completions endpoint " + endpoint + " answered a choice without text or with bad index " + index);
            }
            texts[index] = text.asText();
        }
        return List.of(texts);
    }

    /** The assistant's answer to one user message ({@code /v1/chat/completions}, the server's chat template). */
    String chat(URI endpoint, String model, String prompt, GenerativeItems settings) throws CheckpointException, InterruptedException {
        ObjectNode body = settings(model, settings);
        ObjectNode message = body.putArray("messages").addObject();
        message.put("role", "user");
        message.put("content", prompt);
        JsonNode content = CompletionsClient.readJson(http.post(endpoint, CompletionsClient.json(body)), endpoint)
                .path("choices").path(0).path("message").get("content");
        if (content == null || !content.isTextual()) {
            throw new ScoringException("chat endpoint " + endpoint + " answered without choices[0].message.content"
                    + " (does it serve /v1/chat/completions?)");
        }
        return content.asText();
    }

    private static ObjectNode settings(String model, GenerativeItems settings) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        body.put("max_tokens", settings.maxTokens());
        body.put("temperature", 0);
        if (!settings.until().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            settings.until().forEach(stop::add);
        }
        return body;
    }
}
