package dev.lethe.evaluator.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.evaluator.checkpoint.CheckpointRejectedException;
import dev.lethe.evaluator.scoring.ScoringException;
import dev.lethe.evaluator.scoring.ShardScore;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.bits.ItemBits;
import dev.lethe.testkit.llm.ScriptedOpenAiServer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Generative exact-match scoring (GSM8K) against a scripted OpenAI-compatible server: the request carries greedy
 * decoding, the stop sequences, max tokens and the few-shot prompt; the answers are judged by the harness's strict and
 * flexible extraction; 429s are retried; both APIs (chat, completions) give the same bits.
 */
class GenerativeScorerTest {

    static final String SHOTS = "Question: What is 1+1?\nAnswer: 1+1=2\n#### 2\n\n";
    static final List<GenerativeItem> ITEMS = List.of(
            new GenerativeItem("g/0", SHOTS, "Question: Janet has 9 eggs and sells them at $2. Income?\nAnswer:", "9 * 2 = 18\n#### 18"),
            new GenerativeItem("g/1", SHOTS, "Question: 1+2?\nAnswer:", "1+2=3\n#### 3"),
            new GenerativeItem("g/2", SHOTS, "Question: 2+3?\nAnswer:", "2+3=5\n#### 5"),
            new GenerativeItem("g/3", SHOTS, "Question: 1,000+200?\nAnswer:", "#### 1,200"),
            new GenerativeItem("g/4", SHOTS, "Question: 4+4?\nAnswer:", "#### 8"));
    /** The scripted model's answers, by the item's query. */
    static final Map<String, String> ANSWERS = Map.of(
            "Question: Janet has 9 eggs and sells them at $2. Income?\nAnswer:", " She makes 9 * 2 = $18.\n#### 18",
            "Question: 1+2?\nAnswer:", " The answer is 3.",                    // strict misses, flexible finds 3
            "Question: 2+3?\nAnswer:", " 2+3=5\n#### 5 and then 7 more",        // strict 5, flexible takes the last: 7
            "Question: 1,000+200?\nAnswer:", " $1,200.\n#### 1,200\n\nQuestion: 5+5?\nAnswer: #### 10", // cut at "Question:"
            "Question: 4+4?\nAnswer:", " 4+4=9\n#### 9");                       // wrong
    static final boolean[] STRICT = {true, false, true, true, false};
    static final boolean[] FLEXIBLE = {true, true, false, true, false};

    ScriptedOpenAiServer server;
    OpenAiCompletionsScorer scorer;

    @BeforeEach
    void start() throws Exception {
        server = new ScriptedOpenAiServer();
        server.generator = prompt -> ANSWERS.entrySet().stream().filter(e -> prompt.endsWith(e.getKey())).findFirst()
                .map(Map.Entry::getValue).orElseThrow(() -> new IllegalArgumentException("unscripted prompt " + prompt));
        scorer = new OpenAiCompletionsScorer(LlmScorerConfig.defaults().withBatching(2, 2).withRetries(5, Duration.ofMillis(5)),
                List.of(server.baseUrl()));
    }

    @AfterEach
    void stop() {
        scorer.close();
        server.close();
    }

    static GenerativeItems items(AnswerFilter filter) {
        return new GenerativeItems(ITEMS, filter, List.of("Question:", "</s>", "<|im_end|>"), 256);
    }

    @Test
    void shouldJudgeStrictAndFlexibleExactMatchWhenGeneratingOverTheChatEndpoint() throws Exception {
        ShardScore strict = scorer.score(task(Map.of("llm-api", "chat")), items(AnswerFilter.STRICT_MATCH));

        assertThat(ItemBits.unpack(strict.itemBits(), 5)).containsExactly(STRICT);
        assertThat(strict.correct()).isEqualTo(3);
        assertThat(strict.logLikelihoodSum()).isNull();
        assertThat(server.paths).containsOnly("/v1/chat/completions").hasSize(5);
        JsonNode body = server.bodies.get(0);
        assertThat(body.path("model").asText()).isEqualTo("served-7b");
        assertThat(body.path("temperature").asDouble(-1)).isZero();
        assertThat(body.path("max_tokens").asInt()).isEqualTo(256);
        assertThat(body.path("stop").toString()).isEqualTo("[\"Question:\",\"</s>\",\"<|im_end|>\"]");
        assertThat(body.path("messages")).hasSize(1);
        assertThat(body.path("messages").path(0).path("role").asText()).isEqualTo("user");
        assertThat(body.path("messages").path(0).path("content").asText()).startsWith(SHOTS).endsWith("\nAnswer:");

        ShardScore flexible = scorer.score(task(Map.of("llm-api", "chat")), items(AnswerFilter.FLEXIBLE_EXTRACT));
        assertThat(ItemBits.unpack(flexible.itemBits(), 5)).containsExactly(FLEXIBLE);
        // same prompts, same settings, greedy: the worker reuses its generations
        assertThat(server.paths).hasSize(5);
    }

    @Test
    void shouldBatchPromptsAndGiveTheSameBitsWhenGeneratingOverTheCompletionsEndpoint() throws Exception {
        ShardScore strict = scorer.score(task(Map.of()), items(AnswerFilter.STRICT_MATCH));
        ShardScore flexible = scorer.score(task(Map.of()), items(AnswerFilter.FLEXIBLE_EXTRACT));

        assertThat(ItemBits.unpack(strict.itemBits(), 5)).containsExactly(STRICT);
        assertThat(ItemBits.unpack(flexible.itemBits(), 5)).containsExactly(FLEXIBLE);
        assertThat(server.paths).containsOnly("/v1/completions").hasSize(3); // 5 prompts in batches of 2
        JsonNode body = server.bodies.get(0);
        assertThat(body.path("prompt")).hasSize(2);
        assertThat(body.has("echo")).isFalse();
        assertThat(body.path("max_tokens").asInt()).isEqualTo(256);
        assertThat(body.path("stop")).hasSize(3);
    }

    @Test
    void shouldRetryAndScoreEverythingWhenTheServerAnswers429First() throws Exception {
        server.failFirst = 3;
        server.failStatus = 429;

        ShardScore strict = scorer.score(task(Map.of("llm-api", "chat")), items(AnswerFilter.STRICT_MATCH));

        assertThat(ItemBits.unpack(strict.itemBits(), 5)).containsExactly(STRICT);
        assertThat(server.requests.get()).isEqualTo(8);
    }

    @Test
    void shouldRejectTheCheckpointNamingTheAttributeWhenTheApiIsUnknown() {
        assertThatThrownBy(() -> scorer.score(task(Map.of("llm-api", "grpc")), items(AnswerFilter.STRICT_MATCH)))
                .isInstanceOf(CheckpointRejectedException.class).hasMessageContaining("llm-api").hasMessageContaining("grpc");
        assertThat(server.requests.get()).isZero();
    }

    @Test
    void shouldFailAsScoringFailedNamingTheCapabilityWhenTheChatEndpointAnswersWithoutAMessage() {
        server.generator = prompt -> null;
        assertThatThrownBy(() -> scorer.score(task(Map.of("llm-api", "chat")), items(AnswerFilter.STRICT_MATCH)))
                .isInstanceOf(ScoringException.class).hasMessageContaining("/v1/chat/completions");
    }

    EvalTask task(Map<String, String> attributes) {
        Map<String, String> attrs = new HashMap<>(attributes);
        attrs.put(OpenAiCompletionsScorer.SERVED_MODEL_ATTRIBUTE, "served-7b");
        return EvalTask.newBuilder()
                .setTaskId("c/m/1/gsm8k-strict/0").setCheckpointId("c/m/1").setCampaign("c").setFamily("f")
                .setModel("m").setStage(1).setTask("t1").setCheckpointUri(server.baseUrl()).setCheckpointSha256("ab".repeat(32))
                .setFormat(CheckpointFormat.OPENAI_COMPLETIONS).setSuite("llm").setSuiteVersion("0".repeat(64)).setBenchmark("gsm8k-strict")
                .setCategory("generative").setShardIndex(0).setShardCount(1).setItemStart(0).setItemEnd(ITEMS.size())
                .setAttributes(attrs).setCheckpointCreatedAt(Instant.ofEpochMilli(1)).build();
    }
}
