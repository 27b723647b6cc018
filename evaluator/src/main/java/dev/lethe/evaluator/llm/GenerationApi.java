package dev.lethe.evaluator.llm;

import java.net.URI;
import java.util.Locale;

/**
 * Which OpenAI-compatible endpoint generates the answers of generative elements, chosen per checkpoint by the event
 * attribute {@value #ATTRIBUTE}: {@code completions} (default; the prompt sent verbatim to {@code /v1/completions}, as
 * lm-evaluation-harness's {@code local-completions}) or {@code chat} ({@code /v1/chat/completions}, the prompt as one
 * user message rendered by the server's own chat template, as the harness's {@code local-chat-completions}).
 * Log-likelihood elements always use {@code /v1/completions}: chat endpoints do not echo prompts with logprobs.
 */
enum GenerationApi {
    COMPLETIONS("completions"),
    CHAT("chat");

    /** The {@code CheckpointReady} attribute selecting the API. */
    public static final String ATTRIBUTE = "llm-api";

    private final String id;

    GenerationApi(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The API an attribute value names; null or blank is {@link #COMPLETIONS}. */
    public static GenerationApi fromAttribute(String value) {
        if (value == null || value.isBlank()) {
            return COMPLETIONS;
        }
        for (GenerationApi api : values()) {
            if (api.id.equals(value.trim().toLowerCase(Locale.ROOT))) {
                return api;
            }
        }
        throw new IllegalArgumentException("attribute " + ATTRIBUTE + " must be completions or chat, got '" + value + "'");
    }

    /** This API's URL, given the resolved {@code .../v1/completions} URL of the same server. */
    public URI url(URI completionsUrl) {
        if (this == COMPLETIONS) {
            return completionsUrl;
        }
        String s = completionsUrl.toString();
        return URI.create(s.substring(0, s.length() - "completions".length()) + "chat/completions");
    }
}
