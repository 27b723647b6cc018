package dev.lethe.evaluator.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.planner.Planner;
import dev.lethe.evaluator.worker.EvaluatorWorker;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.bits.ItemBits;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.testkit.LetheCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An LLM checkpoint end to end on a real broker: the planner and a worker thread resolve an imported suite from the
 * suite dir, the worker scores every shard against the in-test completions server (a char-LSTM trained in the test)
 * and publishes per-item acc bits equal to the model's own; an endpoint off the allow-list is dead-lettered.
 */
class LlmPipelineIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    @TempDir
    Path tmp;

    @Test
    void shouldPublishEveryShardOfAnImportedSuiteWhenAnOpenAiCompletionsCheckpointIsAnnounced() throws Exception {
        CharLstmModel model = CharLstmModel.shared();
        List<MultipleChoiceItem> items = OpenAiCompletionsScorerTest.ITEMS;
        Path suiteDir = tmp.resolve("suites");
        Path toy = Files.createDirectories(suiteDir.resolve("toy-llm"));
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        for (MultipleChoiceItem item : items) {
            lines.add(json.writeValueAsString(Map.of("context", item.context(), "choices", item.choices(), "gold", item.gold())));
        }
        Files.write(toy.resolve("items.jsonl"), lines);
        Files.writeString(toy.resolve("suite.json"), """
                {"format": "lethe-imported-suite 1", "elements": [
                  {"benchmark": "toy", "category": "reasoning", "items": "items.jsonl", "shardSize": 4, "metric": "acc"}]}
                """);
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Topics topics = cluster.topics();

        try (ModelCompletionsServer server = new ModelCompletionsServer(model)) {
            EvaluatorConfig config = EvaluatorConfig.defaults(cluster).withAllowedUrls(List.of(server.baseUrl())).withSuiteDir(suiteDir)
                    .withTimeouts(Duration.ofSeconds(6), Duration.ofSeconds(30));
            try (Planner planner = new Planner(config); EvaluatorWorker worker = new EvaluatorWorker(config.withWorkerId("w-llm"))) {
                planner.start();
                worker.start();
                CLUSTER.send(topics.checkpoints(), "llm/char-lstm", event(0, server.baseUrl()));
                CLUSTER.send(topics.checkpoints(), "llm/elsewhere", event(1, "http://127.0.0.1:1/"));

                List<ConsumerRecord<String, ShardResult>> results = CLUSTER.readAll(topics.shardResults(), 3, Duration.ofSeconds(90));
                List<ConsumerRecord<String, DeadLetter>> dlq = CLUSTER.readDlq(topics.evalTasks(), 3, Duration.ofSeconds(90));

                assertThat(results).hasSize(3);
                boolean[] bits = new boolean[items.size()];
                double goldSum = 0;
                for (ConsumerRecord<String, ShardResult> record : results) {
                    ShardResult r = record.value();
                    assertThat(r.getCheckpointId()).isEqualTo("llm/char-lstm/0");
                    assertThat(r.getScorer()).isEqualTo(OpenAiCompletionsScorer.NAME);
                    assertThat(r.getSuite()).isEqualTo("toy-llm");
                    boolean[] shard = ItemBits.unpack(r.getItemBits(), r.getN());
                    System.arraycopy(shard, 0, bits, r.getItemStart(), shard.length);
                    goldSum += r.getLogLikelihoodSum();
                }
                double expectedGold = 0;
                for (int i = 0; i < items.size(); i++) {
                    MultipleChoiceItem item = items.get(i);
                    double[] lls = item.choices().stream().mapToDouble(c -> model.continuationLogLikelihood(item.context(), " " + c)).toArray();
                    assertThat(bits[i]).as("item %d", i).isEqualTo(OpenAiCompletionsScorerTest.argmax(lls, null) == item.gold());
                    expectedGold += lls[item.gold()];
                }
                assertThat(goldSum).isCloseTo(expectedGold, within(1e-6));
                assertThat(dlq).extracting(r -> r.value().getReason()).containsOnly(DeadLetterReason.CHECKPOINT_REJECTED);
                assertThat(worker.failure()).isNull();
            }
        }
    }

    static CheckpointReady event(int stage, String uri) {
        return CheckpointReady.newBuilder()
                .setCheckpointId("llm/" + (stage == 0 ? "char-lstm" : "elsewhere") + "/" + stage).setCampaign("llm").setFamily("lstm")
                .setModel(stage == 0 ? "char-lstm" : "elsewhere").setStage(stage).setTask(stage == 0 ? null : "t1")
                .setCheckpointUri(uri).setCheckpointSha256("ef".repeat(32)).setFormat(CheckpointFormat.OPENAI_COMPLETIONS)
                .setSuite("toy-llm").setCreatedAt(Instant.now()).setAttributes(new HashMap<>()).build();
    }
}
