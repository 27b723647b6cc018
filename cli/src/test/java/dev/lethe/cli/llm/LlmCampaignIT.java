package dev.lethe.cli.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lethe.aggregator.app.AggregatorApp;
import dev.lethe.aggregator.app.AggregatorConfig;
import dev.lethe.cli.CliRun;
import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.llm.ChoiceMetric;
import dev.lethe.evaluator.llm.OpenAiCompletionsScorer;
import dev.lethe.evaluator.planner.Planner;
import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteElement;
import dev.lethe.evaluator.suite.imported.ImportOptions;
import dev.lethe.evaluator.suite.imported.SuiteImporters;
import dev.lethe.evaluator.worker.EvaluatorWorker;
import dev.lethe.producer.CheckpointPublisher;
import dev.lethe.schemas.AlertRule;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricPolarity;
import dev.lethe.schemas.MetricScope;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.json.MetricKeys;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.testkit.LetheCluster;
import dev.lethe.testkit.llm.LlmCampaignFixture;
import dev.lethe.testkit.llm.ScriptedOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's campaign end to end on a real broker: MMLU (4 domains), ARC, BoolQ, CrowS-Pairs and GSM8K imported by the
 * real importers into one suite; every checkpoint served by its own scripted OpenAI-compatible server (echo with
 * logprobs, greedy chat generation); the planner and a worker score them, the real aggregator turns the shard results
 * into forgetting records and alerts, and {@code lethe sink report} and {@code lethe sink console} show them.
 *
 * <p>Two model runs: {@code llama-falling} (three checkpoints) prefers the more-stereotyping sentence of 80 %, 60 %, then
 * 52 % of the pairs, the paper's trend: a bias improvement (negative forgetting on the closeness to 50 %), no bias alert.
 * {@code llama-rising} (two checkpoints) goes from 52 % to 80 %: bias forgetting and a PAIRED_DROP alert on both
 * CrowS-Pairs elements. The falling run also forgets MMLU answers (domain knowledge 100 % -> 50 % -> 25 %) and GSM8K's
 * strict and flexible readings part over its stages as its scripted model stops writing "#### n"; ARC and BoolQ score
 * the same at every stage.
 */
class LlmCampaignIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    @TempDir
    Path tmp;

    static final Pattern QUESTION = Pattern.compile("What is (\\d+) plus 1\\?\\nAnswer:$");
    /** The last MMLU question of a prompt and the letter it is continued with; the fixture's gold is B (First), D (Second). */
    static final Pattern MMLU = Pattern.compile("(First|Second) (\\w+) question\\?\\n(?:[A-D]\\. [^\\n]*\\n){4}Answer: ([A-D])$");
    /** 100 pairs, 50 per bias type (gender, age): per element n = 50, enough for a Bonferroni-corrected paired test. */
    static final int PAIRS = 100;
    static final Duration TIMEOUT = Duration.ofSeconds(180);

    /**
     * A scripted checkpoint: prefers the more-stereotyping sentence of pairs {@code 0..stereotyped-1} (so of
     * {@code stereotyped/2} pairs of each bias type); answers GSM8K strictly (0), loosely (1) or wrongly (2); knows the
     * MMLU answers of all eight questions (0), of the four "First" ones (1), or of the "First" stem and humanities ones
     * (2), otherwise its four letters tie and the first, wrong, wins; on ARC and BoolQ a longer prompt is less likely,
     * the same at every stage.
     */
    static ScriptedOpenAiServer server(int stereotyped, int gsm8k, int mmlu) throws Exception {
        ScriptedOpenAiServer server = new ScriptedOpenAiServer();
        server.generator = prompt -> {
            Matcher m = QUESTION.matcher(prompt);
            if (!m.find()) {
                throw new IllegalArgumentException("not a GSM8K prompt: " + prompt);
            }
            int answer = Integer.parseInt(m.group(1)) + 1;
            return switch (gsm8k) {
                case 0 -> " " + answer + "\n#### " + answer;
                case 1 -> " The answer is " + answer + ".";
                default -> " #### " + (answer + 1);
            };
        };
        server.promptLogLikelihood = prompt -> {
            if (prompt.contains("stereotyping sentence")) {
                boolean prefers = Integer.parseInt(prompt.replaceAll("\\D", "")) < stereotyped;
                return prompt.startsWith("More") == prefers ? -10.0 : -20.0;
            }
            Matcher m = MMLU.matcher(prompt);
            if (m.find()) {
                boolean first = m.group(1).equals("First");
                boolean knows = mmlu == 0 || first && (mmlu == 1 || m.group(2).equals("abstract_algebra") || m.group(2).equals("world_religions"));
                return knows && m.group(3).equals(first ? "B" : "D") ? -1.0 : -10.0;
            }
            return -0.1 * prompt.length();
        };
        return server;
    }

    @Test
    void shouldReportABiasImprovementWithoutAlertWhenTheStereotypeShareFallsAndAlertWhenItRises() throws Exception {
        Path data = LlmCampaignFixture.write(tmp.resolve("data"), PAIRS);
        Path suites = tmp.resolve("suites");
        Suite suite = null;
        for (SuiteImporters.Benchmark b : List.of(SuiteImporters.Benchmark.MMLU, SuiteImporters.Benchmark.ARC, SuiteImporters.Benchmark.BOOLQ,
                SuiteImporters.Benchmark.CROWS_PAIRS, SuiteImporters.Benchmark.GSM8K)) {
            int shardSize = b == SuiteImporters.Benchmark.CROWS_PAIRS ? 25 : 2;
            suite = SuiteImporters.importInto(b, data, suites.resolve("llm-campaign"), new ImportOptions(1, shardSize, ChoiceMetric.ACC));
        }
        int elements = suite.elements().size();
        int shardsPerCheckpoint = suite.elements().stream().mapToInt(SuiteElement::shardCount).sum();
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Topics topics = cluster.topics();
        // per stage: pairs stereotyped (of 100), GSM8K behaviour, MMLU knowledge (see server)
        Map<String, int[][]> runs = Map.of("llama-falling", new int[][] {{80, 0, 0}, {60, 1, 1}, {52, 2, 2}},
                "llama-rising", new int[][] {{52, 0, 0}, {80, 0, 0}});
        List<CheckpointReady> events = new ArrayList<>();
        List<ScriptedOpenAiServer> servers = new ArrayList<>();
        AggregatorApp aggregator = AggregatorApp.start(AggregatorConfig.defaults(cluster).withApplicationId(cluster.topicPrefix() + "aggregator")
                .withStateDir(tmp.resolve("aggregator-state")).withHttp(AggregatorConfig.DEFAULT_HTTP_HOST, 0).validated());
        try {
            for (String model : List.of("llama-falling", "llama-rising")) {
                int[][] stages = runs.get(model);
                for (int stage = 0; stage < stages.length; stage++) {
                    ScriptedOpenAiServer server = server(stages[stage][0], stages[stage][1], stages[stage][2]);
                    servers.add(server);
                    events.add(event(model, stage, server.baseUrl()));
                }
            }
            assertThat(aggregator.awaitRunning(Duration.ofMinutes(2))).as("aggregator RUNNING").isTrue();
            EvaluatorConfig config = EvaluatorConfig.defaults(cluster).withAllowedUrls(servers.stream().map(ScriptedOpenAiServer::baseUrl).toList())
                    .withSuiteDir(suites).withTimeouts(Duration.ofSeconds(6), Duration.ofSeconds(30));
            try (Planner planner = new Planner(config); EvaluatorWorker worker = new EvaluatorWorker(config.withWorkerId("w-campaign"));
                 CheckpointPublisher publisher = new CheckpointPublisher(cluster)) {
                planner.start();
                worker.start();
                events.forEach(publisher::publish);

                List<ShardResult> shards = CLUSTER.<ShardResult>readAll(topics.shardResults(), events.size() * shardsPerCheckpoint, TIMEOUT)
                        .stream().map(ConsumerRecord::value).toList();

                assertThat(worker.failure()).isNull();
                assertThat(shards).hasSize(events.size() * shardsPerCheckpoint);
                assertShardResults(shards);
                Map<String, ForgettingMetric> metrics = awaitFinalMetrics(topics, elements);
                List<KnowledgeLossAlert> alerts = CLUSTER.<KnowledgeLossAlert>readAll(topics.alerts(), 1, TIMEOUT).stream()
                        .map(ConsumerRecord::value).toList();
                assertDomainKnowledge(metrics);
                assertBias(metrics, alerts);
                assertSinks(cluster);
            }
        } finally {
            aggregator.close();
            servers.forEach(ScriptedOpenAiServer::close);
        }
    }

    /** What the evaluator published: category, metric and polarity of every element; the scripted shares and GSM8K. */
    private static void assertShardResults(List<ShardResult> shards) {
        Map<String, Map<String, int[]>> byCheckpoint = new HashMap<>(); // checkpoint → benchmark → {n, correct}
        for (ShardResult r : shards) {
            int[] totals = byCheckpoint.computeIfAbsent(r.getCheckpointId(), k -> new HashMap<>()).computeIfAbsent(r.getBenchmark(), k -> new int[2]);
            totals[0] += r.getN();
            totals[1] += r.getCorrect();
            boolean bias = r.getCategory().equals("bias");
            assertThat(r.getPolarity()).as(r.getBenchmark()).isEqualTo(bias ? MetricPolarity.CLOSER_TO_50_IS_BETTER : MetricPolarity.HIGHER_IS_BETTER);
            assertThat(r.getMetric()).as(r.getBenchmark()).isEqualTo(bias ? "pct_stereotype"
                    : r.getBenchmark().equals("gsm8k-strict") ? "exact_match,strict-match"
                    : r.getBenchmark().equals("gsm8k-flexible") ? "exact_match,flexible-extract" : "acc");
        }
        assertThat(shards.stream().map(ShardResult::getCategory).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("domain-knowledge", "reasoning", "bias", "generative", "generative-flexible");
        for (int stage = 0; stage < 3; stage++) {
            Map<String, int[]> scores = byCheckpoint.get("ct/llama-falling/" + stage);
            assertThat(scores.keySet()).containsExactlyInAnyOrder("mmlu-stem", "mmlu-humanities", "mmlu-social-sciences", "mmlu-other",
                    "arc-challenge", "boolq", "crows-pairs-age", "crows-pairs-gender", "gsm8k-strict", "gsm8k-flexible");
            assertThat(scores.get("crows-pairs-gender")).as("stage %d gender pairs", stage).containsExactly(50, new int[] {40, 30, 26}[stage]);
            assertThat(scores.get("crows-pairs-age")).as("stage %d age pairs", stage).containsExactly(50, new int[] {40, 30, 26}[stage]);
            assertThat(scores.get("gsm8k-strict")[1]).as("stage %d strict", stage).isEqualTo(stage == 0 ? 3 : 0);
            assertThat(scores.get("gsm8k-flexible")[1]).as("stage %d flexible", stage).isEqualTo(stage < 2 ? 3 : 0);
            assertThat(scores.get("mmlu-stem")).as("stage %d stem", stage).containsExactly(2, stage == 0 ? 2 : 1);
            assertThat(scores.get("mmlu-other")).as("stage %d other", stage).containsExactly(2, 2 - stage);
        }
    }

    /**
     * Waits until the aggregator has published each run's MODEL record at its last stage over every element and the
     * FAMILY records at the families' last stages; returns the latest record per key.
     */
    private static Map<String, ForgettingMetric> awaitFinalMetrics(Topics topics, int elements) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Map<String, ForgettingMetric> last = new TreeMap<>();
        while (System.nanoTime() < deadline) {
            last.clear();
            CLUSTER.<ForgettingMetric>readAll(topics.forgetting(), 1, TIMEOUT).forEach(r -> last.put(MetricKeys.of(r.value()), r.value()));
            boolean done = true;
            for (String[] run : new String[][] {{"falling", "llama-falling", "2"}, {"rising", "llama-rising", "1"}}) {
                int stage = Integer.parseInt(run[2]);
                done &= last.values().stream().anyMatch(m -> m.getScope() == MetricScope.MODEL && m.getModel().equals(run[1])
                        && m.getStage() == stage && Objects.equals(m.getElementsCovered(), elements));
                done &= last.values().stream().filter(m -> m.getScope() == MetricScope.FAMILY && m.getFamily().equals(run[0])
                        && m.getStage() == stage).count() == 5;
            }
            if (done) {
                return last;
            }
            Thread.sleep(500); // poll interval of the condition above
        }
        throw new AssertionError("the aggregator's final records did not arrive within " + TIMEOUT + "; last records: " + last.keySet());
    }

    private static ForgettingMetric record(Map<String, ForgettingMetric> metrics, MetricScope scope, String model, int stage, String benchmark) {
        return metrics.values().stream().filter(m -> m.getScope() == scope && Objects.equals(m.getModel(), model) && m.getStage() == stage
                && "bias".equals(m.getCategory()) && Objects.equals(m.getBenchmark(), benchmark)).findFirst().orElseThrow();
    }

    /** The falling run forgets domain knowledge while it grows less biased: the paper's two trends side by side. */
    private static void assertDomainKnowledge(Map<String, ForgettingMetric> metrics) {
        ForgettingMetric dk = metrics.values().stream().filter(m -> m.getScope() == MetricScope.CATEGORY && "llama-falling".equals(m.getModel())
                && m.getStage() == 2 && "domain-knowledge".equals(m.getCategory())).findFirst().orElseThrow();
        assertThat(dk.getScore()).isCloseTo(25.0, within(1e-9));  // 100 % -> 50 % -> (50 + 50 + 0 + 0) / 4
        assertThat(dk.getFgPct()).isCloseTo(62.5, within(1e-9));  // stem, humanities 50; social sciences, other 75
        // of the margin above MMLU's 25 % chance: stem, humanities (50/75 + 50/75) / 2; the others (50/75 + 100/75) / 2
        assertThat(dk.getChanceNormalisedFgPct()).isCloseTo(250.0 / 3, within(1e-9));
    }

    /** Bias forgetting on the closeness to 50 % (100 - 2 |share - 50|) and the alerts it raises. */
    private static void assertBias(Map<String, ForgettingMetric> metrics, List<KnowledgeLossAlert> alerts) {
        // falling: 80 % -> 60 % -> 52 %, closeness 40 -> 80 -> 96: less biased, negative forgetting
        for (String element : List.of("crows-pairs-gender", "crows-pairs-age")) {
            ForgettingMetric last = record(metrics, MetricScope.ELEMENT, "llama-falling", 2, element);
            assertThat(last.getBaselineScore()).isCloseTo(40.0, within(1e-9));
            assertThat(last.getScore()).isCloseTo(96.0, within(1e-9));
            assertThat(last.getFinalDropPct()).isCloseTo(-140.0, within(1e-9)); // (40 - 96) / 40
            assertThat(last.getFgPct()).isCloseTo(-120.0, within(1e-9));        // mean of -100 and -140
        }
        ForgettingMetric falling = record(metrics, MetricScope.CATEGORY, "llama-falling", 2, null);
        assertThat(falling.getScore()).isCloseTo(96.0, within(1e-9));
        assertThat(falling.getFgPct()).isCloseTo(-120.0, within(1e-9));
        assertThat(falling.getChanceNormalisedFgPct()).as("chance does not apply to a bias share").isNull();
        // rising: 52 % -> 80 %, closeness 96 -> 40: forgetting
        ForgettingMetric rising = record(metrics, MetricScope.CATEGORY, "llama-rising", 1, null);
        assertThat(rising.getScore()).isCloseTo(40.0, within(1e-9));
        assertThat(rising.getFgPct()).isCloseTo(100.0 * 56 / 96, within(1e-9));

        assertThat(alerts).filteredOn(a -> a.getModel().equals("llama-falling")).extracting(KnowledgeLossAlert::getCategory)
                .as("the falling run's alerts are its GSM8K ones, none on bias").doesNotContain("bias").isNotEmpty();
        List<KnowledgeLossAlert> drops = alerts.stream().filter(a -> a.getModel().equals("llama-rising") && a.getRule() == AlertRule.PAIRED_DROP).toList();
        assertThat(drops).extracting(KnowledgeLossAlert::getBenchmark).containsExactlyInAnyOrder("crows-pairs-gender", "crows-pairs-age");
        assertThat(drops).allSatisfy(a -> {
            assertThat(a.getStage()).isEqualTo(1);
            assertThat(a.getDropPp()).isCloseTo(56.0, within(1e-9));
            assertThat(a.getB()).isZero();         // no pair stopped preferring the stereotype
            assertThat(a.getC()).isEqualTo(14);    // 14 of 50 started to
        });
        assertThat(alerts).filteredOn(a -> a.getModel().equals("llama-rising")).extracting(KnowledgeLossAlert::getCategory).containsOnly("bias");
    }

    /** {@code lethe sink report} and {@code lethe sink console} over the campaign's topics. */
    private void assertSinks(ClusterConfig cluster) throws Exception {
        String[] on = {"--bootstrap-servers", cluster.bootstrapServers(), "--schema-registry", cluster.schemaRegistryUrl(),
            "--topic-prefix", cluster.topicPrefix(), "--exit-when-caught-up", "--timeout-seconds", "60"};
        Path out = tmp.resolve("report");
        CliRun report = CliRun.of(concat(new String[] {"sink", "report", "--out", out.toString()}, on));
        assertThat(report.exit()).as(report.err()).isZero();
        String html = Files.readString(out.resolve("report.html"));
        for (String category : List.of("domain-knowledge", "reasoning", "bias", "generative", "generative-flexible")) {
            assertThat(html).contains("<th>FG % " + category + "</th>");
        }
        int bias = html.indexOf("<h2>Bias</h2>");
        assertThat(bias).as("the bias section").isPositive();
        assertThat(html.substring(bias, html.indexOf("</div>", bias))).contains("<svg").contains("<figcaption>Bias on its own scale");

        CliRun console = CliRun.of(concat(new String[] {"sink", "console", "--ansi", "NEVER"}, on));
        assertThat(console.exit()).as(console.err()).isZero();
        assertThat(console.out()).contains("FG[domain-knowledge]=62.50 cnFG[domain-knowledge]=83.33")
                .contains("bias 2.00pp off 50% (-28.00 since stage 0)")   // falling: 52 %, from 80 %
                .contains("bias 30.00pp off 50% (+28.00 since stage 0)"); // rising: 80 %, from 52 %
    }

    static CheckpointReady event(String model, int stage, String uri) {
        Map<String, String> attributes = new HashMap<>(Map.of("llm-api", "chat", OpenAiCompletionsScorer.SERVED_MODEL_ATTRIBUTE, model + "-s" + stage));
        return CheckpointReady.newBuilder()
                .setCheckpointId("ct/" + model + "/" + stage).setCampaign("ct").setFamily(model.substring("llama-".length())).setModel(model)
                .setStage(stage).setTask(stage == 0 ? null : "task-" + stage).setCheckpointUri(uri).setCheckpointSha256("ab".repeat(32))
                .setFormat(CheckpointFormat.OPENAI_COMPLETIONS).setSuite("llm-campaign").setCreatedAt(Instant.now())
                .setAttributes(attributes).build();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
