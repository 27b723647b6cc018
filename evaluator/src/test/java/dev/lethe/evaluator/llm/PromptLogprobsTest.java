package dev.lethe.evaluator.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lethe.evaluator.scoring.ScoringException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PromptLogprobsTest {

    // "Answer:" + " B" tokenized as ["Answer", ":", " B"] plus one generated token "\n"
    final PromptLogprobs echoed = new PromptLogprobs(new Double[] {null, -0.5, -1.25, -3.0}, new int[] {0, 6, 7, 9});

    @Test
    void shouldSumTokensFromTheContextBoundaryAndDropGeneratedTokensWhenReadingAContinuation() {
        assertThat(echoed.continuationLogLikelihood(7, 9)).isCloseTo(-1.25, within(1e-12));
        assertThat(echoed.continuationLogLikelihood(6, 9)).isCloseTo(-1.75, within(1e-12));
    }

    @Test
    void shouldFailWhenNoTokenStartsInsideTheContinuation() {
        // the continuation was merged into a token that starts in the context
        assertThatThrownBy(() -> echoed.continuationLogLikelihood(8, 9)).isInstanceOf(ScoringException.class);
        assertThatThrownBy(() -> echoed.continuationLogLikelihood(0, 6)).isInstanceOf(ScoringException.class)
                .hasMessageContaining("log-probability null");
    }

    @Test
    void shouldSkipTheUnconditionedFirstTokenWhenTheContextIsEmpty() {
        // CrowS-Pairs: the whole sentence is the continuation; its first token has no log-probability without a BOS
        assertThat(echoed.continuationLogLikelihood(0, 9)).isCloseTo(-1.75, within(1e-12));
    }

    @Test
    void shouldOrderChoicesByIndexWhenParsingABatchedResponse() {
        String body = """
                {"choices": [
                  {"index": 1, "logprobs": {"token_logprobs": [null, -2.0], "text_offset": [0, 1]}},
                  {"index": 0, "logprobs": {"token_logprobs": [null, -1.0], "text_offset": [0, 1]}}]}
                """;
        var parsed = CompletionsClient.parse(body.getBytes(StandardCharsets.UTF_8), 2, URI.create("http://x/v1/completions"));
        assertThat(parsed.get(0).continuationLogLikelihood(1, 2)).isEqualTo(-1.0);
        assertThat(parsed.get(1).continuationLogLikelihood(1, 2)).isEqualTo(-2.0);
    }

    @Test
    void shouldFailAsScoringFailedWhenTheResponseLacksLogprobsOrChoices() {
        URI uri = URI.create("http://x/v1/completions");
        assertThatThrownBy(() -> CompletionsClient.parse("{\"choices\": [{\"index\": 0, \"text\": \"hi\"}]}".getBytes(StandardCharsets.UTF_8), 1, uri))
                .isInstanceOf(ScoringException.class).hasMessageContaining("logprobs");
        assertThatThrownBy(() -> CompletionsClient.parse("{\"choices\": []}".getBytes(StandardCharsets.UTF_8), 1, uri))
                .isInstanceOf(ScoringException.class).hasMessageContaining("0 choices for 1 prompts");
        assertThatThrownBy(() -> CompletionsClient.parse("not json".getBytes(StandardCharsets.UTF_8), 1, uri))
                .isInstanceOf(ScoringException.class);
    }

    @Test
    void shouldResolveTheCompletionsUrlOnlyForAllowListedBaseUrlsWhenResolvingEndpoints() throws Exception {
        CompletionsEndpoint endpoints = new CompletionsEndpoint(java.util.List.of("http://gpu-1:8000"));
        assertThat(endpoints.resolve("http://gpu-1:8000")).hasToString("http://gpu-1:8000/v1/completions");
        assertThat(endpoints.resolve("http://gpu-1:8000/v1/")).hasToString("http://gpu-1:8000/v1/completions");
        assertThat(endpoints.resolve("http://gpu-1:8000/v1/completions")).hasToString("http://gpu-1:8000/v1/completions");
        assertThatThrownBy(() -> endpoints.resolve("http://gpu-1:80001")).hasMessageContaining("allow-list");
        assertThatThrownBy(() -> endpoints.resolve("http://gpu-2:8000")).hasMessageContaining("allow-list");
        assertThatThrownBy(() -> endpoints.resolve("http://user:pw@gpu-1:8000")).hasMessageContaining("credentials");
        assertThatThrownBy(() -> endpoints.resolve("file:/etc/passwd")).hasMessageContaining("http(s)");
        assertThatThrownBy(() -> endpoints.resolve("http://gpu-1:8000/v1/../../x")).hasMessageContaining("..");
    }

    @Test
    void shouldNeverPrintTheApiKeyWhenConfigIsLogged() {
        LlmScorerConfig config = LlmScorerConfig.fromEnvironment(java.util.Map.of("LETHE_LLM_API_KEY", "sk-secret-123",
                "LETHE_LLM_BATCH_SIZE", "8"));
        assertThat(config.apiKey()).isEqualTo("sk-secret-123");
        assertThat(config.batchSize()).isEqualTo(8);
        assertThat(config.toString()).doesNotContain("sk-secret-123");
        assertThatThrownBy(() -> LlmScorerConfig.fromEnvironment(java.util.Map.of("LETHE_LLM_CONCURRENCY", "0")))
                .hasMessageContaining("LETHE_LLM_CONCURRENCY");
    }
}
