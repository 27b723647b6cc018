package dev.lethe.evaluator.llm.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.evaluator.TestData;
import dev.lethe.evaluator.llm.ChoiceMetric;
import dev.lethe.evaluator.llm.LlmScorerConfig;
import dev.lethe.evaluator.llm.MultipleChoiceItem;
import dev.lethe.evaluator.llm.MultipleChoiceItems;
import dev.lethe.evaluator.llm.OpenAiCompletionsScorer;
import dev.lethe.evaluator.scoring.ShardScore;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointPlan;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.MetricPolarity;
import dev.lethe.schemas.PlannedElement;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.bits.ItemBits;
import dev.lethe.testkit.llm.ScriptedOpenAiServer;
import java.io.IOException;
import java.net.URI;
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
 * {@code lethe ingest lm-eval}'s conversion: harness-layout sample files (written here exactly as
 * {@code EvaluationTracker.save_results_samples} writes them, from log-likelihoods the scripted server gives) become
 * the same per-item bits, counts and accuracy as Lethe scoring the same items directly through that server; and a
 * line of real harness output (EleutherAI/lm-evaluation-harness#2279, see the resource's README) is read as-is.
 */
class HarnessIngestTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HarnessIngest.Checkpoint CHECKPOINT = new HarnessIngest.Checkpoint("ct", "llama", "llama-7b", 2, "eli5",
            "lm-eval", 3, "ingest", Instant.ofEpochMilli(1_700_000_000_000L));

    @TempDir
    Path tmp;

    ScriptedOpenAiServer server;
    OpenAiCompletionsScorer scorer;

    @BeforeEach
    void start() throws Exception {
        server = new ScriptedOpenAiServer();
        // a deterministic "model": some prompts likelier than others
        server.promptLogLikelihood = prompt -> -1.0 - Math.floorMod(prompt.hashCode(), 17);
        scorer = new OpenAiCompletionsScorer(LlmScorerConfig.defaults(), List.of(server.baseUrl()));
    }

    @AfterEach
    void stop() {
        scorer.close();
        server.close();
    }

    static List<MultipleChoiceItem> arcItems() {
        List<MultipleChoiceItem> items = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            items.add(new MultipleChoiceItem("arc/" + i, "", "Question: which one is number " + i + "?\nAnswer:",
                    List.of("the first " + i, "a second " + (i * 7), "third", "4th of " + i), i % 4));
        }
        return items;
    }

    static List<MultipleChoiceItem> crowsItems() {
        List<MultipleChoiceItem> items = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            items.add(new MultipleChoiceItem("cp/" + i, "", "", List.of("Old people number " + i + " are slow.", "Young people number " + i + " are slow."), 0));
        }
        return items;
    }

    @Test
    void shouldGiveTheSameBitsCountsAndAccuracyAsScoringTheSameItemsDirectlyWhenIngestingHarnessSamples() throws Exception {
        MultipleChoiceItems arc = new MultipleChoiceItems(arcItems(), ChoiceMetric.ACC, " ");
        MultipleChoiceItems crows = new MultipleChoiceItems(crowsItems(), ChoiceMetric.PCT_STEREOTYPE, "");
        Path model = Files.createDirectories(tmp.resolve("out").resolve("llama__llama-7b"));
        double arcMean = writeSamples(model, "arc_challenge", arc, "acc");
        double crowsMean = writeSamples(model, "crows_pairs_english_age", crows, "pct_stereotype");
        // an older run of the same task: the newest file wins
        Files.writeString(model.resolve("samples_arc_challenge_2026-01-01T00-00-00.000001.jsonl"), "{\"doc_id\": 0, \"acc\": 7}\n");
        Files.writeString(model.resolve("results_2026-12-04T03-00-00.123456.json"), JSON.writeValueAsString(JSON.createObjectNode().set("results",
                JSON.createObjectNode()
                        .set("arc_challenge", JSON.createObjectNode().put("alias", "arc_challenge").put("acc,none", arcMean))))
                .replace("}}}", "}, \"crows_pairs_english_age\": {\"pct_stereotype,none\": " + crowsMean + "}}}"));
        Files.writeString(model.resolve("samples_unmapped_task_2026-12-04T03-00-00.123456.jsonl"), "{\"doc_id\": 0, \"acc\": 1.0}\n");

        HarnessRun run = HarnessRun.read(tmp.resolve("out"));
        HarnessIngest.Outcome outcome = HarnessIngest.ingest(run, TaskMapping.defaults(run.groupSubtasks()), CHECKPOINT);

        assertThat(outcome.skippedTasks()).containsExactly("unmapped_task");
        assertSameAsDirect(outcome, "arc-challenge", "reasoning", "acc", MetricPolarity.HIGHER_IS_BETTER, score(arc, "arc"), arc.size());
        assertSameAsDirect(outcome, "crows-pairs-age", "bias", "pct_stereotype", MetricPolarity.CLOSER_TO_50_IS_BETTER, score(crows, "cp"),
                crows.size());
        assertThat(outcome.elements().get("arc-challenge").reportedMean()).isCloseTo(arcMean, within(1e-12));
        assertThat(outcome.elements().get("crows-pairs-age").reportedMean()).isCloseTo(crowsMean, within(1e-12));
        ShardResult first = outcome.results().get(0);
        assertThat(first.getTaskId()).isEqualTo("ct/llama-7b/2/arc-challenge/0");
        assertThat(first.getCheckpointId()).isEqualTo("ct/llama-7b/2");
        assertThat(first.getScorer()).isEqualTo("lm-eval-harness");
        assertThat(first.getSuite()).isEqualTo("lm-eval");
        assertThat(outcome.results()).extracting(ShardResult::getSuiteVersion).containsOnly(outcome.suiteVersion());
        // the plan awaits exactly the elements the results score, under the same checkpoint, suite and version
        CheckpointPlan plan = outcome.plan();
        assertThat(plan.getElements()).extracting(PlannedElement::getBenchmark, PlannedElement::getCategory)
                .containsExactlyElementsOf(outcome.results().stream().map(r -> tuple(r.getBenchmark(), r.getCategory())).distinct().toList());
        assertThat(List.of(plan.getCheckpointId(), plan.getCampaign(), plan.getFamily(), plan.getModel(), plan.getSuite(), plan.getSuiteVersion()))
                .containsExactly(first.getCheckpointId(), first.getCampaign(), first.getFamily(), first.getModel(), first.getSuite(), outcome.suiteVersion());
        assertThat(plan.getStage()).isEqualTo(first.getStage());
        // the same documents give the same version (stages pair up), other documents another
        assertThat(HarnessIngest.ingest(run, TaskMapping.defaults(Map.of()), CHECKPOINT).suiteVersion()).isEqualTo(outcome.suiteVersion());
    }

    @Test
    void shouldSplitGsm8kIntoStrictAndFlexibleElementsByTheSampleFilterWhenIngesting() throws Exception {
        List<String> lines = new ArrayList<>();
        boolean[][] em = {{true, false, true}, {true, true, false}};
        String[] filters = {"strict-match", "flexible-extract"};
        for (int doc = 0; doc < 3; doc++) {
            for (int f = 0; f < 2; f++) {
                lines.add("{\"doc_id\": " + doc + ", \"filter\": \"" + filters[f] + "\", \"metrics\": [\"exact_match\"], \"exact_match\": "
                        + (em[f][doc] ? "1.0" : "0.0") + "}");
            }
        }
        Files.write(tmp.resolve("samples_gsm8k_2026-12-04T03-00-00.123456.jsonl"), lines);

        HarnessIngest.Outcome outcome = HarnessIngest.ingest(HarnessRun.read(tmp), TaskMapping.defaults(Map.of()), CHECKPOINT);

        assertThat(outcome.elements().keySet()).containsExactly("gsm8k-flexible", "gsm8k-strict");
        assertThat(outcome.elements().get("gsm8k-strict")).isEqualTo(new HarnessIngest.ElementSummary("generative", "exact_match,strict-match", 3, 2, null));
        assertThat(outcome.elements().get("gsm8k-flexible").category()).isEqualTo("generative-flexible");
        assertThat(outcome.elements().get("gsm8k-flexible").metric()).isEqualTo("exact_match,flexible-extract");
    }

    /**
     * A line in exactly the layout of a real {@code --log_samples} line: the one a user posted in the public issue
     * EleutherAI/lm-evaluation-harness#2279 (2024-10-31, {@code mmlu_generative} on Qwen2.5-32B-Instruct-AWQ, doc 9 of
     * philosophy, before the harness's filter fix: response " B", {@code exact_match} 0.0, no {@code filter} field).
     * Its fields, hashes and response are as posted; the question is read from MMLU in ../shared/data, not committed.
     */
    private static String realLayoutLine() throws IOException {
        String row = Files.readAllLines(TestData.dataDir().resolve("mmlu/test/philosophy_test.csv")).stream()
                .filter(l -> l.startsWith("\"According to Kant, morality requires us to:\"")).findFirst().orElseThrow();
        String question = row.substring(1, row.indexOf('"', 1));
        String[] rest = row.substring(row.indexOf('"', 1) + 2).split(",");
        assertThat(rest).as("four choices and the answer").hasSize(5);
        ObjectMapper json = new ObjectMapper();
        ObjectNode line = json.createObjectNode();
        line.put("doc_id", 9);
        ObjectNode doc = line.putObject("doc");
        doc.put("question", question);
        doc.put("subject", "philosophy");
        ArrayNode choices = doc.putArray("choices");
        StringBuilder prompt = new StringBuilder("The following are multiple choice questions (with answers) about philosophy.\n\n")
                .append(question);
        for (int i = 0; i < 4; i++) {
            choices.add(rest[i]);
            prompt.append('\n').append((char) ('A' + i)).append(". ").append(rest[i]);
        }
        doc.put("answer", Integer.parseInt(rest[4].strip()));
        line.put("target", "B");
        ObjectNode args = line.putObject("arguments").putObject("gen_args_0");
        args.put("arg_0", prompt.append("\nAnswer:").toString());
        args.putObject("arg_1").putArray("until").add("</s>").add("\n");
        line.putArray("resps").addArray().add(" B");
        line.putArray("filtered_resps").add(" B");
        line.put("doc_hash", "c5177394044574b9c8f03867fc2e5db56e8e8904af717f33f6701af2f62c4b17");
        line.put("prompt_hash", "18cd89493222e9a9fe80fd0b2beaf39dffc9abe61ff3abeb1ad50d9d33ac731c");
        line.put("target_hash", "df7e70e5021544f4834bbee64a9e3789febc4be81470df629cad6ddb03320a5c");
        line.put("exact_match", 0.0);
        return json.writeValueAsString(line);
    }

    @Test
    void shouldReadALineInTheRealHarnessLayoutWhenAMappingFileNamesItsTask() throws Exception {
        Files.writeString(tmp.resolve("samples_mmlu_philosophy_generative_2024-10-31T12-00-00.000000.jsonl"),
                realLayoutLine() + "\n");
        Path mapping = tmp.resolve("mapping.json");
        Files.writeString(mapping, """
                {"tasks": {"mmlu_philosophy_generative": {"element": "mmlu-philosophy-gen", "category": "domain-knowledge", "metric": "exact_match"}}}
                """);
        HarnessRun run = HarnessRun.read(tmp);

        HarnessIngest.Outcome outcome = HarnessIngest.ingest(run, TaskMapping.fromFile(mapping, run.groupSubtasks()), CHECKPOINT);

        assertThat(run.samples().get("mmlu_philosophy_generative")).singleElement().satisfies(s -> {
            assertThat(s.docId()).isEqualTo(9);
            assertThat(s.filter()).isNull(); // this harness version wrote no "filter" field
            assertThat(s.values()).containsEntry("exact_match", 0.0);
            assertThat(s.docHash()).isEqualTo("c5177394044574b9c8f03867fc2e5db56e8e8904af717f33f6701af2f62c4b17");
        });
        assertThat(outcome.results()).singleElement().satisfies(r -> {
            assertThat(r.getBenchmark()).isEqualTo("mmlu-philosophy-gen");
            assertThat(r.getN()).isEqualTo(1);
            assertThat(r.getCorrect()).isZero();
            assertThat(r.getMetric()).isEqualTo("exact_match");
            assertThat(r.getChancePct()).isZero();
        });
    }

    @Test
    void shouldReadCrowsPairsAccAsTheStereotypeBitWhenAnOlderHarnessNamedItAcc() throws Exception {
        // lm_eval/tasks/crows_pairs/utils.py before it was renamed: {"likelihood_diff": diff, "acc": acc}
        Files.writeString(tmp.resolve("samples_crows_pairs_english_gender_2024-01-01T00-00-00.000000.jsonl"), """
                {"doc_id": 0, "filter": "none", "metrics": ["likelihood_diff", "acc"], "likelihood_diff": 3.5, "acc": 1.0}
                {"doc_id": 1, "filter": "none", "metrics": ["likelihood_diff", "acc"], "likelihood_diff": 0.5, "acc": 0.0}
                """);

        HarnessIngest.Outcome outcome = HarnessIngest.ingest(HarnessRun.read(tmp), TaskMapping.defaults(Map.of()), CHECKPOINT);

        assertThat(outcome.elements().get("crows-pairs-gender"))
                .isEqualTo(new HarnessIngest.ElementSummary("bias", "pct_stereotype", 2, 1, null));
    }

    @Test
    void shouldRefuseAMappedNameTheAggregatorWouldRefuseWhenIngesting() throws Exception {
        Files.writeString(tmp.resolve("samples_boolq_2026-12-04T03-00-00.123456.jsonl"),
                "{\"doc_id\": 0, \"filter\": \"none\", \"metrics\": [\"acc\"], \"acc\": 1.0}\n");
        Path mapping = tmp.resolve("mapping.json");
        String longName = "e".repeat(1001);
        Files.writeString(mapping, "{\"tasks\": {\"boolq\": {\"element\": \"" + longName + "\", \"category\": \"reasoning\", \"metric\": \"acc\"}}}");

        // refused by the aggregator after the plan announced the element, it would be awaited for good
        assertThatThrownBy(() -> HarnessIngest.ingest(HarnessRun.read(tmp), TaskMapping.fromFile(mapping, Map.of()), CHECKPOINT))
                .hasMessageContaining("1001 characters; at most 1000");
    }

    @Test
    void shouldRefuseAMetricThatIsNotPerItemCorrectnessOrMissingWhenIngesting() throws Exception {
        Files.writeString(tmp.resolve("samples_boolq_2026-12-04T03-00-00.123456.jsonl"),
                "{\"doc_id\": 0, \"filter\": \"none\", \"metrics\": [\"acc\"], \"acc\": 0.5}\n");
        assertThatThrownBy(() -> HarnessIngest.ingest(HarnessRun.read(tmp), TaskMapping.defaults(Map.of()), CHECKPOINT))
                .hasMessageContaining("boolq").hasMessageContaining("not a per-item 0/1");
        Files.writeString(tmp.resolve("samples_boolq_2026-12-04T03-00-00.123456.jsonl"),
                "{\"doc_id\": 0, \"filter\": \"none\", \"metrics\": [\"f1\"], \"f1\": 1.0}\n");
        assertThatThrownBy(() -> HarnessIngest.ingest(HarnessRun.read(tmp), TaskMapping.defaults(Map.of()), CHECKPOINT))
                .hasMessageContaining("no acc value");
        assertThatThrownBy(() -> HarnessRun.read(tmp.resolve("nothing-here"))).isInstanceOf(IOException.class);
    }

    void assertSameAsDirect(HarnessIngest.Outcome outcome, String element, String category, String metric, MetricPolarity polarity,
                            ShardScore direct, int n) {
        List<ShardResult> shards = outcome.results().stream().filter(r -> r.getBenchmark().equals(element)).toList();
        assertThat(shards).hasSize((n + 2) / 3);
        boolean[] ingested = new boolean[n];
        int correct = 0;
        for (ShardResult r : shards) {
            assertThat(r.getCategory()).isEqualTo(category);
            assertThat(r.getMetric()).isEqualTo(metric);
            assertThat(r.getPolarity()).isEqualTo(polarity);
            // the samples do not list the choices: chance is known for a bias share only
            assertThat(r.getChancePct()).isEqualTo(polarity == MetricPolarity.CLOSER_TO_50_IS_BETTER ? 50.0 : null);
            boolean[] bits = ItemBits.unpack(r.getItemBits(), r.getN());
            System.arraycopy(bits, 0, ingested, r.getItemStart(), bits.length);
            correct += r.getCorrect();
        }
        assertThat(ingested).containsExactly(ItemBits.unpack(direct.itemBits(), n));
        assertThat(correct).isEqualTo(direct.correct());
        assertThat(outcome.elements().get(element).correct()).isEqualTo(direct.correct());
    }

    ShardScore score(MultipleChoiceItems items, String benchmark) throws Exception {
        EvalTask task = EvalTask.newBuilder()
                .setTaskId("ct/llama-7b/2/" + benchmark + "/0").setCheckpointId("ct/llama-7b/2").setCampaign("ct").setFamily("llama")
                .setModel("llama-7b").setStage(2).setTask("eli5").setCheckpointUri(server.baseUrl()).setCheckpointSha256("ab".repeat(32))
                .setFormat(CheckpointFormat.OPENAI_COMPLETIONS).setSuite("s").setSuiteVersion("0".repeat(64)).setBenchmark(benchmark)
                .setCategory("c").setShardIndex(0).setShardCount(1).setItemStart(0).setItemEnd(items.size())
                .setAttributes(new HashMap<>()).setCheckpointCreatedAt(Instant.ofEpochMilli(1)).build();
        return scorer.score(task, items);
    }

    /**
     * Writes the task's samples file as the harness does for a multiple_choice task: per document the request
     * arguments (context, continuation), the log-likelihood responses, and the metric computed from them as the
     * harness's {@code process_results} (numpy argmax for acc; {@code likelihood1 > likelihood2} for crows-pairs).
     * Returns the mean of the metric.
     */
    double writeSamples(Path dir, String task, MultipleChoiceItems items, String metric) throws Exception {
        double[][] lls = scorer.logLikelihoods(URI.create(server.baseUrl() + "/v1/completions"), "llama-7b", items);
        List<String> lines = new ArrayList<>();
        double sum = 0;
        for (int i = 0; i < items.size(); i++) {
            MultipleChoiceItem item = items.get(i);
            ObjectNode line = JSON.createObjectNode();
            line.put("doc_id", i);
            line.putObject("doc").put("id", item.id());
            line.put("target", Integer.toString(item.gold()));
            ObjectNode arguments = line.putObject("arguments");
            ArrayNode resps = line.putArray("resps");
            ArrayNode filtered = line.putArray("filtered_resps");
            int best = 0;
            for (int c = 0; c < item.choices().size(); c++) {
                arguments.putObject("gen_args_" + c).put("arg_0", item.context()).put("arg_1", items.continuation(i, c));
                resps.addArray().addArray().add(lls[i][c]).add(false);
                filtered.addArray().add(lls[i][c]).add(false);
                best = lls[i][c] > lls[i][best] ? c : best;
            }
            double value = metric.equals("acc") ? (best == item.gold() ? 1.0 : 0.0) : (lls[i][0] > lls[i][1] ? 1.0 : 0.0);
            sum += value;
            line.put("filter", "none");
            line.putArray("metrics").add(metric);
            line.put("doc_hash", Integer.toHexString(item.id().hashCode()));
            line.put("prompt_hash", "p");
            line.put("target_hash", "t");
            line.put(metric, value);
            lines.add(JSON.writeValueAsString(line));
        }
        Files.write(dir.resolve("samples_" + task + "_2026-12-04T03-00-00.123456.jsonl"), lines);
        return sum / items.size();
    }
}
