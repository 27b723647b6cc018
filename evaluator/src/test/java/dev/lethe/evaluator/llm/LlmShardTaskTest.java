package dev.lethe.evaluator.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.planner.ShardPlanner;
import dev.lethe.evaluator.scoring.ScorerRegistry;
import dev.lethe.evaluator.scoring.Scorers;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.evaluator.worker.ShardTaskHandler;
import dev.lethe.evaluator.worker.TaskOutcome;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.bits.ItemBits;
import dev.lethe.schemas.config.ClusterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's path for an LLM checkpoint, without Kafka: an imported suite resolved from the suite dir, planned by
 * the planner's logic, each shard handled by {@link ShardTaskHandler} with the registry {@link Scorers} builds, against
 * the in-test completions server backed by a real char-LSTM.
 */
class LlmShardTaskTest {

    @TempDir
    Path tmp;

    CharLstmModel model;
    ModelCompletionsServer server;
    SuiteCatalog catalog;
    ScorerRegistry registry;

    @BeforeEach
    void setUp() throws Exception {
        model = CharLstmModel.shared();
        server = new ModelCompletionsServer(model);
        Path suiteDir = tmp.resolve("suites");
        Path toy = Files.createDirectories(suiteDir.resolve("toy-llm"));
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        for (MultipleChoiceItem item : OpenAiCompletionsScorerTest.ITEMS) {
            lines.add(json.writeValueAsString(Map.of("context", item.context(), "choices", item.choices(), "gold", item.gold())));
        }
        Files.write(toy.resolve("items.jsonl"), lines);
        Files.writeString(toy.resolve("suite.json"), """
                {"format": "lethe-imported-suite 1", "elements": [
                  {"benchmark": "toy", "category": "reasoning", "items": "items.jsonl", "shardSize": 5, "metric": "acc_norm"}]}
                """);
        EvaluatorConfig config = EvaluatorConfig.defaults(ClusterConfig.of("127.0.0.1:9092", "http://127.0.0.1:8081"))
                .withAllowedUrls(List.of(server.baseUrl())).withSuiteDir(suiteDir);
        catalog = SuiteCatalog.of(config);
        registry = Scorers.registry(config, tmp.resolve("work"));
    }

    @AfterEach
    void tearDown() {
        registry.close();
        server.close();
    }

    List<EvalTask> plan(String uri) {
        CheckpointReady event = CheckpointReady.newBuilder()
                .setCheckpointId("llm/char-lstm/2").setCampaign("llm").setFamily("lstm").setModel("char-lstm").setStage(2).setTask("t2")
                .setCheckpointUri(uri).setCheckpointSha256("cd".repeat(32)).setFormat(CheckpointFormat.OPENAI_COMPLETIONS)
                .setSuite("toy-llm").setCreatedAt(Instant.ofEpochMilli(5)).setAttributes(new HashMap<>()).build();
        ShardPlanner.Plan plan = new ShardPlanner(catalog).plan(event);
        assertThat(plan.rejection()).isNull();
        return plan.tasks();
    }

    @Test
    void shouldPublishPerItemAccNormBitsAndGoldLogLikelihoodWhenAnImportedSuiteIsScoredShardByShard() throws Exception {
        List<EvalTask> tasks = plan(server.baseUrl());
        assertThat(tasks).hasSize(3); // 12 items in shards of 5
        ShardTaskHandler handler = new ShardTaskHandler(catalog, registry, "w-llm");
        List<MultipleChoiceItem> items = OpenAiCompletionsScorerTest.ITEMS;
        for (EvalTask task : tasks) {
            TaskOutcome outcome = handler.handle(task);
            assertThat(outcome).isInstanceOf(TaskOutcome.Scored.class);
            ShardResult r = ((TaskOutcome.Scored) outcome).result();
            assertThat(r.getScorer()).isEqualTo(OpenAiCompletionsScorer.NAME);
            assertThat(r.getCategory()).isEqualTo("reasoning");
            boolean[] bits = ItemBits.unpack(r.getItemBits(), r.getN());
            double gold = 0;
            int correct = 0;
            for (int i = task.getItemStart(); i < task.getItemEnd(); i++) {
                MultipleChoiceItem item = items.get(i);
                double[] lls = item.choices().stream().mapToDouble(c -> model.continuationLogLikelihood(item.context(), " " + c)).toArray();
                boolean expected = OpenAiCompletionsScorerTest.argmax(lls, item.choices()) == item.gold();
                assertThat(bits[i - task.getItemStart()]).as("item %d", i).isEqualTo(expected);
                correct += expected ? 1 : 0;
                gold += lls[item.gold()];
            }
            assertThat(r.getCorrect()).isEqualTo(correct);
            assertThat(r.getLogLikelihoodSum()).isCloseTo(gold, within(1e-6));
        }
    }

    @Test
    void shouldRefuseWithTheDeadLetterReasonWhenTheEndpointIsNotAllowedOrDown() throws Exception {
        ShardTaskHandler handler = new ShardTaskHandler(catalog, registry, "w-llm");
        TaskOutcome refused = handler.handle(plan("http://127.0.0.2:9/").get(0));
        assertThat(refused).isInstanceOfSatisfying(TaskOutcome.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(DeadLetterReason.CHECKPOINT_REJECTED));

        List<EvalTask> tasks = plan(server.baseUrl());
        server.failFirst = Integer.MAX_VALUE; // every attempt answers 503
        // default retries with a 500 ms backoff doubling: keep this to the first shard
        TaskOutcome down = handler.handle(tasks.get(2));
        assertThat(down).isInstanceOfSatisfying(TaskOutcome.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(DeadLetterReason.CHECKPOINT_UNAVAILABLE));
    }
}
