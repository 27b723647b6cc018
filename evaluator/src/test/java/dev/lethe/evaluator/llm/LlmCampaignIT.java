package dev.lethe.evaluator.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.planner.Planner;
import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteElement;
import dev.lethe.evaluator.suite.imported.ImportOptions;
import dev.lethe.evaluator.suite.imported.SuiteImporters;
import dev.lethe.evaluator.worker.EvaluatorWorker;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.MetricPolarity;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.testkit.LetheCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A campaign of three served checkpoints on a real broker: MMLU (4 domains), ARC, BoolQ, CrowS-Pairs and GSM8K imported
 * by the real importers into one suite, each checkpoint served by its own scripted OpenAI-compatible server (echo
 * with logprobs and greedy chat generation), planned and scored by the planner and a worker. Every element of every
 * checkpoint arrives with its category, metric and polarity; the stereotype share falls over the stages and GSM8K's
 * strict and flexible readings part as the scripted model stops writing "#### n".
 */
class LlmCampaignIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    @TempDir
    Path tmp;

    static final Pattern QUESTION = Pattern.compile("What is (\\d+) plus 1\\?\\nAnswer:$");

    /** The scripted checkpoint of stage {@code s}: answers GSM8K strictly (s=0), loosely (s=1) or wrongly (s=2). */
    static ScriptedOpenAiServer server(int stage) throws Exception {
        ScriptedOpenAiServer server = new ScriptedOpenAiServer();
        server.generator = prompt -> {
            Matcher m = QUESTION.matcher(prompt);
            if (!m.find()) {
                throw new IllegalArgumentException("not a GSM8K prompt: " + prompt);
            }
            int answer = Integer.parseInt(m.group(1)) + 1;
            return switch (stage) {
                case 0 -> " " + answer + "\n#### " + answer;
                case 1 -> " The answer is " + answer + ".";
                default -> " #### " + (answer + 1);
            };
        };
        // prefers the more-stereotyping sentence of the first 6 - 2s pairs; otherwise longer prompts are less likely
        server.promptLogLikelihood = prompt -> {
            if (prompt.contains("stereotyping sentence")) {
                int pair = Integer.parseInt(prompt.replaceAll("\\D", ""));
                boolean prefers = pair < LlmCampaignFixture.CROWS_PAIRS - 2 * stage;
                return prompt.startsWith("More") == prefers ? -10.0 : -20.0;
            }
            return -0.1 * prompt.length();
        };
        return server;
    }

    @Test
    void shouldScoreEveryCategoryOfEveryCheckpointWithItsMetricAndPolarityWhenThreeServedCheckpointsAreAnnounced() throws Exception {
        Path data = LlmCampaignFixture.write(tmp.resolve("data"));
        Path suites = tmp.resolve("suites");
        ImportOptions options = new ImportOptions(1, 2, ChoiceMetric.ACC);
        Suite suite = null;
        for (SuiteImporters.Benchmark b : List.of(SuiteImporters.Benchmark.MMLU, SuiteImporters.Benchmark.ARC, SuiteImporters.Benchmark.BOOLQ,
                SuiteImporters.Benchmark.CROWS_PAIRS, SuiteImporters.Benchmark.GSM8K)) {
            suite = SuiteImporters.importInto(b, data, suites.resolve("llm-campaign"), options);
        }
        int shardsPerCheckpoint = suite.elements().stream().mapToInt(SuiteElement::shardCount).sum();
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Topics topics = cluster.topics();
        List<ScriptedOpenAiServer> servers = List.of(server(0), server(1), server(2));
        try {
            EvaluatorConfig config = EvaluatorConfig.defaults(cluster).withAllowedUrls(servers.stream().map(ScriptedOpenAiServer::baseUrl).toList())
                    .withSuiteDir(suites).withTimeouts(Duration.ofSeconds(6), Duration.ofSeconds(30));
            try (Planner planner = new Planner(config); EvaluatorWorker worker = new EvaluatorWorker(config.withWorkerId("w-campaign"))) {
                planner.start();
                worker.start();
                for (int stage = 0; stage < 3; stage++) {
                    CLUSTER.send(topics.checkpoints(), "ct/llama", event(stage, servers.get(stage).baseUrl()));
                }

                List<ConsumerRecord<String, ShardResult>> records = CLUSTER.readAll(topics.shardResults(), 3 * shardsPerCheckpoint,
                        Duration.ofSeconds(120));

                assertThat(worker.failure()).isNull();
                assertThat(records).hasSize(3 * shardsPerCheckpoint);
                Map<String, Map<String, int[]>> byStage = new HashMap<>(); // checkpoint → benchmark → {n, correct}
                for (ConsumerRecord<String, ShardResult> record : records) {
                    ShardResult r = record.value();
                    int[] totals = byStage.computeIfAbsent(r.getCheckpointId(), k -> new HashMap<>())
                            .computeIfAbsent(r.getBenchmark(), k -> new int[2]);
                    totals[0] += r.getN();
                    totals[1] += r.getCorrect();
                    boolean bias = r.getCategory().equals("bias");
                    assertThat(r.getPolarity()).as(r.getBenchmark())
                            .isEqualTo(bias ? MetricPolarity.CLOSER_TO_50_IS_BETTER : MetricPolarity.HIGHER_IS_BETTER);
                    assertThat(r.getMetric()).as(r.getBenchmark()).isEqualTo(bias ? "pct_stereotype"
                            : r.getBenchmark().equals("gsm8k-strict") ? "exact_match,strict-match"
                            : r.getBenchmark().equals("gsm8k-flexible") ? "exact_match,flexible-extract" : "acc");
                }
                Set<String> categories = records.stream().map(r -> r.value().getCategory()).collect(Collectors.toSet());
                assertThat(categories).containsExactlyInAnyOrder("domain-knowledge", "reasoning", "bias", "generative", "generative-flexible");
                List<Integer> stereotyped = new ArrayList<>();
                for (int stage = 0; stage < 3; stage++) {
                    Map<String, int[]> scores = byStage.get("ct/llama/" + stage);
                    assertThat(scores.keySet()).containsExactlyInAnyOrder("mmlu-stem", "mmlu-humanities", "mmlu-social-sciences", "mmlu-other",
                            "arc-challenge", "boolq", "crows-pairs-age", "crows-pairs-gender", "gsm8k-strict", "gsm8k-flexible");
                    stereotyped.add(scores.get("crows-pairs-age")[1] + scores.get("crows-pairs-gender")[1]);
                    assertThat(scores.get("gsm8k-strict")[1]).as("stage %d strict", stage).isEqualTo(stage == 0 ? 3 : 0);
                    assertThat(scores.get("gsm8k-flexible")[1]).as("stage %d flexible", stage).isEqualTo(stage < 2 ? 3 : 0);
                }
                // 6 of 6 pairs stereotyped, then 4, then 2: the stereotype share falls 100 % → 67 % → 33 %
                assertThat(stereotyped).containsExactly(6, 4, 2);
            }
        } finally {
            servers.forEach(ScriptedOpenAiServer::close);
        }
    }

    static CheckpointReady event(int stage, String uri) {
        Map<String, String> attributes = new HashMap<>(Map.of("llm-api", "chat", OpenAiCompletionsScorer.SERVED_MODEL_ATTRIBUTE, "llama-s" + stage));
        return CheckpointReady.newBuilder()
                .setCheckpointId("ct/llama/" + stage).setCampaign("ct").setFamily("llama").setModel("llama").setStage(stage)
                .setTask(stage == 0 ? null : "task-" + stage).setCheckpointUri(uri).setCheckpointSha256("ab".repeat(32))
                .setFormat(CheckpointFormat.OPENAI_COMPLETIONS).setSuite("llm-campaign").setCreatedAt(Instant.now())
                .setAttributes(attributes).build();
    }
}
