package dev.lethe.evaluator.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.lethe.evaluator.checkpoint.CheckpointRejectedException;
import dev.lethe.evaluator.checkpoint.CheckpointUnavailableException;
import dev.lethe.evaluator.scoring.ShardScore;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.bits.ItemBits;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OPENAI_COMPLETIONS scorer against an in-test /v1/completions server whose log-probabilities come from a real
 * character-level LSTM trained here: the scorer's log-likelihoods must equal the model's own (computed step by step),
 * and acc / acc_norm must follow from them.
 */
class OpenAiCompletionsScorerTest {

    static CharLstmModel model;

    ModelCompletionsServer server;
    OpenAiCompletionsScorer scorer;

    static final List<MultipleChoiceItem> ITEMS = List.of(
            item("the cat sat on the", 0, "mat.", "log.", "m"),
            item("the sky is", 0, "blue.", "green.", "b"),
            item("is the sea dry?", 0, "no.", "yes."),
            item("question: what is red? answer:", 0, "a rose.", "the sky.", "a"),
            item("the fish can swim in the", 0, "sea.", "park.", "s"),
            item("a cat and a dog ran to the", 0, "park.", "p", "sun is hot and the sky is blue."),
            item("the bird can", 0, "fly over the tree.", "f", "swim"),
            item("he said that the answer is", 1, "n", "no.", "yes."),
            item("the grass is", 1, "g", "green and the sea is deep.", "blue."),
            item("the dog sat on the", 2, "l", "mat.", "log."),
            item("she said that the", 0, "answer is yes.", "a", "sun"),
            item("is the sky blue?", 1, "no.", "yes."));

    @BeforeAll
    static void trainModel() {
        model = CharLstmModel.shared();
        ITEMS.forEach(i -> assertThat(model.knows(i.context() + String.join("", i.choices()))).isTrue());
    }

    @BeforeEach
    void start() throws Exception {
        server = new ModelCompletionsServer(model);
        scorer = scorer(LlmScorerConfig.defaults().withBatching(5, 2).withRetries(3, Duration.ofMillis(10)));
    }

    @AfterEach
    void stop() {
        scorer.close();
        server.close();
    }

    OpenAiCompletionsScorer scorer(LlmScorerConfig config) {
        return new OpenAiCompletionsScorer(config, List.of(server.baseUrl()));
    }

    @Test
    void shouldReturnTheModelsOwnLogLikelihoodsWhenScoringThroughTheEndpoint() throws Exception {
        MultipleChoiceItems items = new MultipleChoiceItems(ITEMS, ChoiceMetric.ACC, " ");

        double[][] lls = scorer.logLikelihoods(URI.create(server.baseUrl() + "/v1/completions"), "char-lstm", items);

        int prompts = 0;
        for (int i = 0; i < ITEMS.size(); i++) {
            for (int c = 0; c < ITEMS.get(i).choices().size(); c++) {
                double direct = model.continuationLogLikelihood(ITEMS.get(i).context(), " " + ITEMS.get(i).choices().get(c));
                assertThat(lls[i][c]).as("item %d choice %d", i, c).isCloseTo(direct, within(1e-6));
                assertThat(lls[i][c]).isNegative();
                prompts++;
            }
        }
        // batched: 5 prompts per request, at most 2 requests in flight
        assertThat(server.promptsPerRequest.stream().mapToInt(Integer::intValue).sum()).isEqualTo(prompts);
        assertThat(server.promptsPerRequest).allMatch(n -> n <= 5);
        assertThat(server.requests.get()).isEqualTo((prompts + 4) / 5);
        assertThat(server.maxInFlight.get()).isBetween(1, 2);
        assertThat(server.models).containsOnly("char-lstm");
    }

    @Test
    void shouldJudgeItemsByAccAndAccNormFromTheModelLogLikelihoodsWhenScoringAShard() throws Exception {
        double[][] direct = new double[ITEMS.size()][];
        for (int i = 0; i < ITEMS.size(); i++) {
            direct[i] = ITEMS.get(i).choices().stream()
                    .mapToDouble(c -> 0).toArray();
            for (int c = 0; c < direct[i].length; c++) {
                direct[i][c] = model.continuationLogLikelihood(ITEMS.get(i).context(), " " + ITEMS.get(i).choices().get(c));
            }
        }
        ShardScore acc = scorer.score(task(Map.of()), new MultipleChoiceItems(ITEMS, ChoiceMetric.ACC, " "));
        ShardScore accNorm = scorer.score(task(Map.of()), new MultipleChoiceItems(ITEMS, ChoiceMetric.ACC_NORM, " "));

        boolean[] accBits = ItemBits.unpack(acc.itemBits(), acc.n());
        boolean[] normBits = ItemBits.unpack(accNorm.itemBits(), accNorm.n());
        double goldSum = 0;
        int differ = 0;
        for (int i = 0; i < ITEMS.size(); i++) {
            MultipleChoiceItem item = ITEMS.get(i);
            int byAcc = argmax(direct[i], null);
            int byNorm = argmax(direct[i], item.choices());
            assertThat(accBits[i]).as("acc of item %d", i).isEqualTo(byAcc == item.gold());
            assertThat(normBits[i]).as("acc_norm of item %d", i).isEqualTo(byNorm == item.gold());
            goldSum += direct[i][item.gold()];
            differ += byAcc != byNorm ? 1 : 0;
        }
        assertThat(acc.n()).isEqualTo(ITEMS.size());
        assertThat(acc.logLikelihoodSum()).isCloseTo(goldSum, within(1e-6));
        assertThat(accNorm.logLikelihoodSum()).isCloseTo(goldSum, within(1e-6));
        // the items have short and long choices, so the two metrics disagree somewhere (else the test proves less)
        assertThat(differ).isPositive();
        assertThat(acc.correct()).isNotEqualTo(accNorm.correct());
    }

    @Test
    void shouldIgnoreAGeneratedTokenWhenTheServerGeneratesDespiteMaxTokensZero() throws Exception {
        MultipleChoiceItems items = new MultipleChoiceItems(ITEMS.subList(0, 3), ChoiceMetric.ACC, " ");
        URI endpoint = URI.create(server.baseUrl() + "/v1/completions");
        double[][] plain = scorer.logLikelihoods(endpoint, "m", items);
        server.generateOne = true;
        double[][] generated = scorer.logLikelihoods(endpoint, "m", items);
        for (int i = 0; i < plain.length; i++) {
            assertThat(generated[i]).containsExactly(plain[i], within(1e-9));
        }
    }

    @Test
    void shouldRetryWithBackoffWhenTheServerFailsTheFirstAttempts() throws Exception {
        server.failFirst = 3;
        server.failStatus = 503;
        MultipleChoiceItems items = new MultipleChoiceItems(ITEMS.subList(0, 2), ChoiceMetric.ACC, " ");
        ShardScore score = scorer.score(task(Map.of()), items);

        assertThat(score.n()).isEqualTo(2);
        // 6 prompts = 2 batches of at most 5; the first 3 attempts (whichever batch made them) were refused
        assertThat(server.requests.get()).isEqualTo(2 + 3);
        assertThat(score.logLikelihoodSum()).isCloseTo(
                model.continuationLogLikelihood(ITEMS.get(0).context(), " mat.") + model.continuationLogLikelihood(ITEMS.get(1).context(), " blue."),
                within(1e-6));
    }

    @Test
    void shouldFailAsCheckpointUnavailableWhenRetriesAreExhausted() {
        server.failFirst = Integer.MAX_VALUE;
        server.failStatus = 500;
        MultipleChoiceItems items = new MultipleChoiceItems(ITEMS.subList(0, 1), ChoiceMetric.ACC, " ");

        assertThatThrownBy(() -> scorer.score(task(Map.of()), items))
                .isInstanceOfSatisfying(CheckpointUnavailableException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.CHECKPOINT_UNAVAILABLE))
                .hasMessageContaining("4 attempts").hasMessageContaining("HTTP 500");
        assertThat(server.requests.get()).isEqualTo(4); // 1 + 3 retries
    }

    @Test
    void shouldFailAsScoringFailedWithoutRetryingWhenTheServerRefusesTheRequest() {
        server.failFirst = 1;
        server.failStatus = 400; // e.g. a prompt longer than the served context
        MultipleChoiceItems items = new MultipleChoiceItems(ITEMS.subList(0, 1), ChoiceMetric.ACC, " ");

        assertThatThrownBy(() -> scorer.score(task(Map.of()), items))
                .isInstanceOf(dev.lethe.evaluator.scoring.ScoringException.class).hasMessageContaining("HTTP 400");
        assertThat(server.requests.get()).isEqualTo(1);
    }

    @Test
    void shouldFailAsCheckpointUnavailableWhenNothingListens() throws Exception {
        String base = server.baseUrl();
        server.close();
        try (OpenAiCompletionsScorer quick = new OpenAiCompletionsScorer(
                LlmScorerConfig.defaults().withRetries(1, Duration.ofMillis(5)), List.of(base))) {
            assertThatThrownBy(() -> quick.score(task(base, Map.of()), new MultipleChoiceItems(ITEMS.subList(0, 1), ChoiceMetric.ACC, " ")))
                    .isInstanceOf(CheckpointUnavailableException.class).hasMessageContaining("2 attempts");
        }
    }

    @Test
    void shouldRefuseWithoutAnyRequestWhenTheEndpointIsNotOnTheAllowList() {
        try (OpenAiCompletionsScorer strict = new OpenAiCompletionsScorer(LlmScorerConfig.defaults(), List.of("http://models.internal:8000"))) {
            assertThatThrownBy(() -> strict.score(task(Map.of()), new MultipleChoiceItems(ITEMS, ChoiceMetric.ACC, " ")))
                    .isInstanceOfSatisfying(CheckpointRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.CHECKPOINT_REJECTED))
                    .hasMessageContaining("allow-list");
        }
        assertThat(server.requests.get()).isZero();
    }

    @Test
    void shouldSendTheApiKeyAsBearerHeaderAndNeverInMessagesWhenConfigured() throws Exception {
        server.requiredKey = "sk-lethe-test-42";
        try (OpenAiCompletionsScorer keyed = scorer(LlmScorerConfig.defaults().withApiKey("sk-lethe-test-42"))) {
            ShardScore score = keyed.score(task(Map.of(OpenAiCompletionsScorer.SERVED_MODEL_ATTRIBUTE, "stage-3")),
                    new MultipleChoiceItems(ITEMS.subList(0, 2), ChoiceMetric.ACC, " "));
            assertThat(score.n()).isEqualTo(2);
        }
        assertThat(server.authorizations).isNotEmpty().containsOnly("Bearer sk-lethe-test-42");
        assertThat(server.models).containsOnly("stage-3");

        try (OpenAiCompletionsScorer wrong = scorer(LlmScorerConfig.defaults().withApiKey("sk-wrong-key-7"))) {
            assertThatThrownBy(() -> wrong.score(task(Map.of()), new MultipleChoiceItems(ITEMS.subList(0, 1), ChoiceMetric.ACC, " ")))
                    .isInstanceOf(CheckpointUnavailableException.class)
                    .hasMessageContaining("HTTP 401")
                    .satisfies(e -> assertThat(e.toString()).doesNotContain("sk-wrong-key-7"));
        }
        try (OpenAiCompletionsScorer none = scorer(LlmScorerConfig.defaults())) {
            server.requiredKey = null;
            server.authorizations.clear();
            none.score(task(Map.of()), new MultipleChoiceItems(ITEMS.subList(0, 1), ChoiceMetric.ACC, " "));
            assertThat(server.authorizations).containsOnly("");
        }
    }

    @Test
    void shouldStopPromptlyWithInterruptedExceptionWhenTheScoringThreadIsInterrupted() throws Exception {
        server.delayMs = 20_000;
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread scoring = new Thread(() -> {
            try {
                scorer.score(task(Map.of()), new MultipleChoiceItems(ITEMS, ChoiceMetric.ACC, " "));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        scoring.start();
        await("the first request").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                .until(() -> server.requests.get() > 0);
        long interruptedAt = System.nanoTime();
        scoring.interrupt();
        scoring.join(10_000);
        assertThat(scoring.isAlive()).isFalse();
        assertThat((System.nanoTime() - interruptedAt) / 1_000_000).isLessThan(5_000);
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    }

    @Test
    void shouldFailAsScoringFailedWhenGivenImageItems() {
        var images = new dev.lethe.evaluator.suite.ImageItems(1, 1, new float[][] {{0f}}, new int[] {0}, 2);
        assertThatThrownBy(() -> scorer.score(task(Map.of()), images))
                .isInstanceOf(dev.lethe.evaluator.scoring.ScoringException.class).hasMessageContaining("multiple-choice");
    }

    EvalTask task(Map<String, String> attributes) {
        return task(server.baseUrl(), attributes);
    }

    static EvalTask task(String uri, Map<String, String> attributes) {
        return EvalTask.newBuilder()
                .setTaskId("c/char-lstm/1/toy/0").setCheckpointId("c/char-lstm/1").setCampaign("c").setFamily("lstm")
                .setModel("char-lstm").setStage(1).setTask("t1").setCheckpointUri(uri).setCheckpointSha256("ab".repeat(32))
                .setFormat(CheckpointFormat.OPENAI_COMPLETIONS).setSuite("toy").setSuiteVersion("0".repeat(64)).setBenchmark("toy")
                .setCategory("reasoning").setShardIndex(0).setShardCount(1).setItemStart(0).setItemEnd(ITEMS.size())
                .setAttributes(new java.util.HashMap<>(attributes)).setCheckpointCreatedAt(Instant.ofEpochMilli(1)).build();
    }

    static int argmax(double[] lls, List<String> normaliseBy) {
        int best = 0;
        for (int c = 1; c < lls.length; c++) {
            double v = normaliseBy == null ? lls[c] : lls[c] / normaliseBy.get(c).length();
            double b = normaliseBy == null ? lls[best] : lls[best] / normaliseBy.get(best).length();
            if (v > b) {
                best = c;
            }
        }
        return best;
    }

    static MultipleChoiceItem item(String context, int gold, String... choices) {
        return new MultipleChoiceItem(context, "", context, new ArrayList<>(List.of(choices)), gold);
    }
}
