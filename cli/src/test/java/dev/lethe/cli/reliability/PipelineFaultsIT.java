package dev.lethe.cli.reliability;

import static dev.lethe.cli.reliability.PipelineChecks.assertEveryShardExactlyOnce;
import static dev.lethe.cli.reliability.PipelineChecks.assertSameMetricsAsClean;
import static dev.lethe.cli.reliability.PipelineChecks.assertScoresCountEveryShardOnce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.evaluator.WorkerProcess;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.json.RecordJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection on a real broker: each test runs the whole pipeline (aggregator, planner, workers) on the
 * reliability campaign under a fresh topic prefix, injects one fault mid-run, and must end with the clean run's
 * final metrics (computed in {@link #cleanRun}), every shard counted once and the metric library's output for
 * the scores the run produced.
 */
class PipelineFaultsIT {

    private static final Duration SETTLE = Duration.ofMinutes(3);

    @TempDir
    static Path work;

    private static ReliabilityCluster cluster;
    private static TrainedCampaign trained;
    private static Map<String, ForgettingMetric> clean;

    @BeforeAll
    static void cleanRun() throws Exception {
        trained = TrainedCampaign.get();
        cluster = ReliabilityCluster.start();
        try (Pipeline pipeline = Pipeline.start(cluster, trained, work.resolve("clean"), Pipeline.Options.threads(2, Duration.ZERO))) {
            pipeline.publish(trained.events());
            Pipeline.FinalState state = pipeline.awaitFinal(totalShards(trained.events()), SETTLE);
            assertEveryShardExactlyOnce(state, trained, trained.events());
            assertScoresCountEveryShardOnce(state, trained, trained.events());
            clean = state.metrics();
        }
        assertThat(clean).isNotEmpty();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void shouldCountEveryShardOnceWhenAWorkerProcessIsKilledMidShard() throws Exception {
        // child JVM workers with an extra 200 ms per shard, so a shard is in flight most of the time and its
        // transaction stays open well past the moment the worker announces it
        try (Pipeline pipeline = Pipeline.start(cluster, trained, work.resolve("kill"), Pipeline.Options.processes(2, Duration.ofMillis(200)))) {
            pipeline.publish(trained.events());
            pipeline.awaitShardResults(totalShards(trained.events()) / 5, SETTLE);

            WorkerProcess victim = pipeline.evaluators().process(0);
            String inFlight = awaitNextScoringLine(victim);
            pipeline.evaluators().kill(0);
            awaitDead(victim);
            // the killed worker never committed the shard it was scoring: its transaction is still open or aborted
            assertThat(pipeline.committedTaskIds()).as("committed before the restart").doesNotContain(inFlight);
            pipeline.evaluators().restart(0);

            Pipeline.FinalState state = pipeline.awaitFinal(totalShards(trained.events()), SETTLE);
            assertThat(state.shardResults()).extracting(ShardResult::getTaskId).contains(inFlight);
            assertEveryShardExactlyOnce(state, trained, trained.events());
            assertScoresCountEveryShardOnce(state, trained, trained.events());
            assertSameMetricsAsClean(state, clean);
        }
    }

    @Test
    void shouldEndWithTheCleanMetricsWhenTheAggregatorRestartsMidRun() throws Exception {
        List<CheckpointReady> stageZero = trained.events().stream().filter(e -> e.getStage() == 0).toList();
        List<CheckpointReady> rest = trained.events().stream().filter(e -> e.getStage() > 0).toList();
        try (Pipeline pipeline = Pipeline.start(cluster, trained, work.resolve("aggregator"), Pipeline.Options.threads(2, Duration.ZERO))) {
            pipeline.publish(stageZero);
            pipeline.awaitScored(stageZero, SETTLE);
            int metricsBefore = pipeline.lastMetrics().size();

            // the aggregator goes away with part of the campaign aggregated; the evaluators go on scoring the rest
            pipeline.stopAggregator();
            int scoresAtStop = pipeline.committedScores();
            pipeline.publish(rest);
            pipeline.awaitShardResults(totalShards(trained.events()), SETTLE);
            assertThat(pipeline.committedScores()).as("nothing aggregated while it was away").isEqualTo(scoresAtStop);
            pipeline.startAggregatorAgain(); // same application id and state dir

            Pipeline.FinalState state = pipeline.awaitFinal(totalShards(trained.events()), SETTLE);
            assertThat(scoresAtStop).isLessThan(state.scores().size());
            assertThat(state.metrics().size()).isGreaterThan(metricsBefore);
            assertEveryShardExactlyOnce(state, trained, trained.events());
            assertScoresCountEveryShardOnce(state, trained, trained.events());
            assertSameMetricsAsClean(state, clean);
        }
    }

    @Test
    void shouldRecoverEveryClientWhenTheBrokerRestartsOnItsDataDirMidCampaign() throws Exception {
        List<CheckpointReady> first = new ArrayList<>(trained.eventsOf("mlp-16").values());
        List<CheckpointReady> rest = trained.events().stream().filter(e -> !first.contains(e)).toList();
        try (Pipeline pipeline = Pipeline.start(cluster, trained, work.resolve("broker"), Pipeline.Options.threads(2, Duration.ofMillis(40)))) {
            pipeline.publish(first);
            pipeline.awaitShardResults(totalShards(first) / 3, SETTLE);

            cluster.broker().restart(); // stop (data dir and ports kept) and start again
            int committedAtRestart = pipeline.committedTaskIds().size();
            assertThat(committedAtRestart).as("the broker restarted mid-campaign").isLessThan((int) totalShards(trained.events()));
            pipeline.publish(rest);

            Pipeline.FinalState state = pipeline.awaitFinal(totalShards(trained.events()), SETTLE);
            assertEveryShardExactlyOnce(state, trained, trained.events());
            assertScoresCountEveryShardOnce(state, trained, trained.events());
            assertSameMetricsAsClean(state, clean);
        }
    }

    @Test
    void shouldKeepSchemaIdsAndContinueWhenTheRegistryRestarts() throws Exception {
        List<CheckpointReady> stageZero = trained.events().stream().filter(e -> e.getStage() == 0).toList();
        List<CheckpointReady> rest = trained.events().stream().filter(e -> e.getStage() > 0).toList();
        try (Pipeline pipeline = Pipeline.start(cluster, trained, work.resolve("registry"), Pipeline.Options.threads(2, Duration.ofMillis(20)))) {
            pipeline.publish(stageZero);
            pipeline.awaitScored(stageZero, SETTLE); // every record type of the pipeline has registered its schema
            Map<String, Integer> idsBefore = schemaIds(cluster.registryUrl(), pipeline.config().topicPrefix());
            assertThat(idsBefore).containsKeys(
                    pipeline.config().topics().checkpoints().name() + "-value",
                    pipeline.config().topics().evalTasks().name() + "-value",
                    pipeline.config().topics().checkpointPlans().name() + "-value",
                    pipeline.config().topics().shardResults().name() + "-value",
                    pipeline.config().topics().benchmarkScores().name() + "-value",
                    pipeline.config().topics().forgetting().name() + "-value");

            cluster.restartRegistry();
            assertThat(schemaIds(cluster.registryUrl(), pipeline.config().topicPrefix())).containsAllEntriesOf(idsBefore);
            pipeline.newPublisher(); // a serializer with an empty cache has to resolve its schema id again
            pipeline.publish(rest);

            Pipeline.FinalState state = pipeline.awaitFinal(totalShards(trained.events()), SETTLE);
            // later subjects (e.g. alerts) may have joined; every id registered before the restart is unchanged
            assertThat(schemaIds(cluster.registryUrl(), pipeline.config().topicPrefix())).containsAllEntriesOf(idsBefore);
            assertEveryShardExactlyOnce(state, trained, trained.events());
            assertScoresCountEveryShardOnce(state, trained, trained.events());
            assertSameMetricsAsClean(state, clean);
        }
    }

    @Test
    void shouldIgnoreDuplicatesAndReorderingWhenEventsArePublishedTwiceAndStagesInReverse() throws Exception {
        Map<Integer, CheckpointReady> mlp = trained.eventsOf("mlp-16");
        List<CheckpointReady> wide = new ArrayList<>(trained.eventsOf("wide-48").values());
        try (Pipeline pipeline = Pipeline.start(cluster, trained, work.resolve("order"), Pipeline.Options.threads(2, Duration.ZERO))) {
            pipeline.publish(wide);
            // mlp-16 in reverse: stage 2 is fully scored before stage 1 arrives, stage 1 before the baseline
            for (int stage = trained.campaign().stages(); stage >= 0; stage--) {
                pipeline.publish(List.of(mlp.get(stage)));
                pipeline.awaitScored(List.of(mlp.get(stage)), SETTLE);
            }
            // published twice: every wide-48 event and mlp-16's stage 1 again, after they were scored
            List<CheckpointReady> again = new ArrayList<>(wide);
            again.add(mlp.get(1));
            pipeline.awaitScored(trained.events(), SETTLE);
            pipeline.publish(again);

            long total = totalShards(trained.events()) + totalShards(again);
            Pipeline.FinalState state = pipeline.awaitFinal(total, SETTLE);
            // the planner plans a republished checkpoint again: its shards are scored twice, with the same ids ...
            Map<String, Long> perTask = state.shardResults().stream()
                    .collect(Collectors.groupingBy(ShardResult::getTaskId, TreeMap::new, Collectors.counting()));
            assertThat(perTask.keySet()).isEqualTo(PipelineChecks.expectedTaskIds(trained, trained.events()));
            perTask.forEach((task, n) -> assertThat(n).as(task)
                    .isEqualTo(again.stream().anyMatch(e -> task.startsWith(e.getCheckpointId() + "/")) ? 2L : 1L));
            // ... and the aggregator's dedupe makes the duplicates harmless
            assertScoresCountEveryShardOnce(state, trained, trained.events());
            assertSameMetricsAsClean(state, clean);
        }
    }

    private static long totalShards(List<CheckpointReady> events) {
        return (long) events.size() * trained.shardsPerCheckpoint();
    }

    /** Waits for the worker to print a new SCORING line (it is inside a shard's transaction) and returns its task id. */
    private static String awaitNextScoringLine(WorkerProcess worker) throws InterruptedException {
        long before = worker.lines().stream().filter(l -> l.startsWith("SCORING ")).count();
        // tight poll in this thread: the kill must land inside this shard
        List<String> scoring = await("worker " + worker.workerId() + " scoring a shard").atMost(Duration.ofMinutes(2))
                .pollInSameThread().pollInterval(Duration.ofMillis(1))
                .until(() -> worker.lines().stream().filter(l -> l.startsWith("SCORING ")).toList(), s -> s.size() > before);
        return scoring.get(scoring.size() - 1).substring("SCORING ".length()).trim();
    }

    private static void awaitDead(WorkerProcess worker) throws InterruptedException {
        await("worker gone after SIGKILL").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> !worker.isAlive());
    }

    /** Subject -> schema id of the latest version of every subject under {@code prefix}, straight from the REST API. */
    static Map<String, Integer> schemaIds(String registryUrl, String prefix) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Map<String, Integer> ids = new TreeMap<>();
        for (JsonNode subject : getJson(http, registryUrl + "/subjects")) {
            if (subject.asText().startsWith(prefix)) {
                JsonNode latest = getJson(http, registryUrl + "/subjects/" + subject.asText() + "/versions/latest");
                ids.put(subject.asText(), latest.get("id").asInt());
            }
        }
        return ids;
    }

    private static JsonNode getJson(HttpClient http, String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + " -> " + response.body()).isEqualTo(200);
        return RecordJson.mapper().readTree(response.body());
    }
}
