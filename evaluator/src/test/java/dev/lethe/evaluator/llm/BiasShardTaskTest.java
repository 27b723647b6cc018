package dev.lethe.evaluator.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.planner.ShardPlanner;
import dev.lethe.evaluator.scoring.ScorerRegistry;
import dev.lethe.evaluator.scoring.Scorers;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.evaluator.suite.imported.ImportOptions;
import dev.lethe.evaluator.suite.imported.SuiteImporters;
import dev.lethe.evaluator.worker.ShardTaskHandler;
import dev.lethe.evaluator.worker.TaskOutcome;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.MetricPolarity;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.testkit.llm.ScriptedOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * CrowS-Pairs through the worker's path (imported suite, planner, {@link ShardTaskHandler}) against a scripted server
 * whose stereotype preference falls over three stages: every shard result carries {@code pct_stereotype}, the
 * closer-to-50 polarity and the share of pairs where the more-stereotyping sentence won. A server without prompt echo
 * dead-letters the shard as SCORING_FAILED naming the missing capability.
 */
class BiasShardTaskTest {

    @TempDir
    Path tmp;

    ScriptedOpenAiServer server;
    SuiteCatalog catalog;
    ScorerRegistry registry;

    @BeforeEach
    void setUp() throws Exception {
        server = new ScriptedOpenAiServer();
        Path csv = tmp.resolve("crows_pairs_anonymized.csv");
        List<String> lines = new ArrayList<>(List.of(",sent_more,sent_less,stereo_antistereo,bias_type,annotations,anon_writer,anon_annotators"));
        for (int i = 0; i < 10; i++) {
            lines.add(i + ",\"More stereotyping sentence " + i + ".\",\"Less stereotyping sentence " + i + ".\",stereo,"
                    + (i < 6 ? "gender" : "age") + ",\"[['x']]\",a" + i + ",\"['a1']\"");
        }
        Files.write(csv, lines);
        Path suites = tmp.resolve("suites");
        SuiteImporters.importInto(SuiteImporters.Benchmark.CROWS_PAIRS, csv, suites.resolve("bias-llm"), new ImportOptions(0, 4, ChoiceMetric.ACC));
        EvaluatorConfig config = EvaluatorConfig.defaults(ClusterConfig.of("127.0.0.1:9092", "http://127.0.0.1:8081"))
                .withAllowedUrls(List.of(server.baseUrl())).withSuiteDir(suites);
        catalog = SuiteCatalog.of(config);
        registry = Scorers.registry(config, tmp.resolve("work"));
    }

    @AfterEach
    void tearDown() {
        registry.close();
        server.close();
    }

    /** The model prefers the more-stereotyping sentence of the pairs whose index is in {@code stereotyped}. */
    void prefer(Set<Integer> stereotyped) {
        server.promptLogLikelihood = sentence -> {
            int pair = Integer.parseInt(sentence.replaceAll("\\D", ""));
            boolean more = sentence.startsWith("More");
            return more == stereotyped.contains(pair) ? -10.0 : -20.0;
        };
    }

    @Test
    void shouldPublishAFallingStereotypeShareWithTheCloserTo50PolarityWhenThePreferenceFallsOverStages() throws Exception {
        ShardTaskHandler handler = new ShardTaskHandler(catalog, registry, "w-bias");
        List<Set<Integer>> stages = List.of(Set.of(0, 1, 2, 3, 4, 6, 7, 8), Set.of(0, 1, 2, 6, 7), Set.of(0, 1, 6));
        int[] expectedGender = {5, 3, 2};
        int[] expectedAge = {3, 2, 1};
        for (int stage = 0; stage < stages.size(); stage++) {
            prefer(stages.get(stage));
            int gender = 0;
            int age = 0;
            for (EvalTask task : plan(stage)) {
                TaskOutcome outcome = handler.handle(task);
                assertThat(outcome).isInstanceOf(TaskOutcome.Scored.class);
                ShardResult r = ((TaskOutcome.Scored) outcome).result();
                assertThat(r.getCategory()).isEqualTo("bias");
                assertThat(r.getMetric()).isEqualTo("pct_stereotype");
                assertThat(r.getPolarity()).isEqualTo(MetricPolarity.CLOSER_TO_50_IS_BETTER);
                assertThat(r.getChancePct()).isEqualTo(50.0); // preferring at random
                if (r.getBenchmark().equals("crows-pairs-gender")) {
                    gender += r.getCorrect();
                } else {
                    assertThat(r.getBenchmark()).isEqualTo("crows-pairs-age");
                    age += r.getCorrect();
                }
            }
            assertThat(gender).as("stage %d gender", stage).isEqualTo(expectedGender[stage]);
            assertThat(age).as("stage %d age", stage).isEqualTo(expectedAge[stage]);
        }
        // each sentence is scored whole (empty context, no delimiter)
        assertThat(server.bodies.get(0).path("prompt").get(0).asText()).matches("(More|Less) stereotyping sentence \\d\\.");
        assertThat(server.bodies.get(0).path("echo").asBoolean()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(ScriptedOpenAiServer.NoEcho.class)
    void shouldDeadLetterAsScoringFailedNamingTheMissingCapabilityWhenTheServerDoesNotEchoLogprobs(ScriptedOpenAiServer.NoEcho how)
            throws Exception {
        server.echoSupported = false;
        server.noEcho = how;
        server.generator = prompt -> " x";
        TaskOutcome outcome = new ShardTaskHandler(catalog, registry, "w-bias").handle(plan(0).get(0));

        assertThat(outcome).isInstanceOfSatisfying(TaskOutcome.Refused.class, r -> {
            assertThat(r.reason()).isEqualTo(DeadLetterReason.SCORING_FAILED);
            assertThat(r.message()).contains("lacks prompt echo with logprobs");
        });
    }

    List<EvalTask> plan(int stage) {
        CheckpointReady event = CheckpointReady.newBuilder()
                .setCheckpointId("bias/m/" + stage).setCampaign("bias").setFamily("f").setModel("m").setStage(stage).setTask(stage == 0 ? null : "t")
                .setCheckpointUri(server.baseUrl()).setCheckpointSha256("cd".repeat(32)).setFormat(CheckpointFormat.OPENAI_COMPLETIONS)
                .setSuite("bias-llm").setCreatedAt(Instant.ofEpochMilli(5)).setAttributes(new HashMap<>()).build();
        ShardPlanner.Plan plan = new ShardPlanner(catalog).plan(event);
        assertThat(plan.rejection()).isNull();
        return plan.tasks();
    }
}
