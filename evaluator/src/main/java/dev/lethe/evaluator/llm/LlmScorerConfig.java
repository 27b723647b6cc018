package dev.lethe.evaluator.llm;

import java.time.Duration;
import java.util.Map;

/**
 * Settings of the {@code OPENAI_COMPLETIONS} scorer, read from environment variables (worker child processes
 * inherit them, and the API key never appears on a command line or in the worker's stdin config). Every variable is
 * declared once in {@link Key} with its default and doc; {@link #validated()} names the offending variable.
 * {@link #toString()} never prints the key.
 *
 * @param apiKey          sent as {@code Authorization: Bearer <key>} when set; null sends no header
 * @param batchSize       prompts per {@code /v1/completions} request (one prompt = one item choice)
 * @param concurrency     requests in flight at once per worker
 * @param maxRetries      retries of a request after a connection failure, HTTP 429 or 5xx
 * @param retryBackoff    wait before the first retry; doubles per retry (capped at 30 s), a Retry-After header wins
 * @param requestTimeout  timeout of one request (connect and response)
 */
public record LlmScorerConfig(String apiKey, int batchSize, int concurrency, int maxRetries, Duration retryBackoff, Duration requestTimeout) {

    /** The environment variables, with their defaults (null = unset) and docs; the README table mirrors them. */
    public enum Key {
        API_KEY("LETHE_LLM_API_KEY", null, "Bearer token sent in the Authorization header to completions endpoints (never logged)."),
        BATCH_SIZE("LETHE_LLM_BATCH_SIZE", "16", "Prompts (item choices) per /v1/completions request."),
        CONCURRENCY("LETHE_LLM_CONCURRENCY", "4", "Completions requests in flight at once per worker."),
        MAX_RETRIES("LETHE_LLM_MAX_RETRIES", "4", "Retries of a request after a connection error, HTTP 429 or 5xx; then the shard is dead-lettered."),
        RETRY_BACKOFF_MS("LETHE_LLM_RETRY_BACKOFF_MS", "500", "Wait before the first retry; doubles per retry, capped at 30 s (Retry-After wins)."),
        REQUEST_TIMEOUT_MS("LETHE_LLM_REQUEST_TIMEOUT_MS", "120000", "Timeout of one completions request.");

        private final String variable;
        private final String defaultValue;
        private final String doc;

        Key(String variable, String defaultValue, String doc) {
            this.variable = variable;
            this.defaultValue = defaultValue;
            this.doc = doc;
        }

        public String variable() {
            return variable;
        }

        public String defaultValue() {
            return defaultValue;
        }

        public String doc() {
            return doc;
        }
    }

    /** Every variable at its default (no API key). */
    public static LlmScorerConfig defaults() {
        return fromEnvironment(Map.of());
    }

    /** Reads the variables from {@code env} (usually {@code System.getenv()}); missing ones take their default. */
    public static LlmScorerConfig fromEnvironment(Map<String, String> env) {
        String key = env.get(Key.API_KEY.variable);
        return new LlmScorerConfig(key == null || key.isBlank() ? null : key.trim(),
                (int) number(env, Key.BATCH_SIZE),
                (int) number(env, Key.CONCURRENCY),
                (int) number(env, Key.MAX_RETRIES),
                Duration.ofMillis(number(env, Key.RETRY_BACKOFF_MS)),
                Duration.ofMillis(number(env, Key.REQUEST_TIMEOUT_MS))).validated();
    }

    public LlmScorerConfig validated() {
        atLeast(Key.BATCH_SIZE, batchSize, 1);
        atLeast(Key.CONCURRENCY, concurrency, 1);
        atLeast(Key.MAX_RETRIES, maxRetries, 0);
        atLeast(Key.RETRY_BACKOFF_MS, retryBackoff == null ? -1 : retryBackoff.toMillis(), 0);
        atLeast(Key.REQUEST_TIMEOUT_MS, requestTimeout == null ? -1 : requestTimeout.toMillis(), 1);
        if (apiKey != null && apiKey.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            // a header value with a line break would be refused by the HTTP client with the value in the message
            throw new IllegalArgumentException(Key.API_KEY.variable + " must be printable ASCII without spaces");
        }
        return this;
    }

    public LlmScorerConfig withApiKey(String key) {
        return new LlmScorerConfig(key, batchSize, concurrency, maxRetries, retryBackoff, requestTimeout).validated();
    }

    public LlmScorerConfig withBatching(int batch, int inFlight) {
        return new LlmScorerConfig(apiKey, batch, inFlight, maxRetries, retryBackoff, requestTimeout).validated();
    }

    public LlmScorerConfig withRetries(int retries, Duration backoff) {
        return new LlmScorerConfig(apiKey, batchSize, concurrency, retries, backoff, requestTimeout).validated();
    }

    @Override
    public String toString() {
        return "LlmScorerConfig[apiKey=" + (apiKey == null ? "unset" : "***") + ", batchSize=" + batchSize + ", concurrency="
                + concurrency + ", maxRetries=" + maxRetries + ", retryBackoff=" + retryBackoff + ", requestTimeout=" + requestTimeout + "]";
    }

    private static long number(Map<String, String> env, Key key) {
        String v = env.getOrDefault(key.variable, key.defaultValue);
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key.variable + " must be an integer, got '" + v + "'");
        }
    }

    private static void atLeast(Key key, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(key.variable + " must be >= " + min + ", got " + value);
        }
    }
}
