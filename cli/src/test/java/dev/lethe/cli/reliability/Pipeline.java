package dev.lethe.cli.reliability;

import static org.awaitility.Awaitility.await;

import dev.lethe.aggregator.app.AggregatorApp;
import dev.lethe.aggregator.app.AggregatorConfig;
import dev.lethe.aggregator.metrics.AlertConfig;
import dev.lethe.aggregator.metrics.MetricsReport;
import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.ScoreCell;
import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.EvaluatorService;
import dev.lethe.evaluator.WorkerProcess;
import dev.lethe.producer.CheckpointPublisher;
import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.json.MetricKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole Lethe pipeline on one {@link ReliabilityCluster} under a fresh topic prefix: the aggregator in-process,
 * the planner and N evaluator workers (threads or child JVMs) scoring the {@link TrainedCampaign}'s checkpoints,
 * and a publisher the test drives. {@link #awaitFinal} waits until every published checkpoint is scored and the
 * aggregator has settled, and returns what the topics then hold.
 */
final class Pipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    /**
     * @param mode        worker threads or child processes
     * @param workers     number of workers
     * @param scorerDelay extra time per shard on top of real scoring, so a fault lands while shards are in flight
     */
    record Options(EvaluatorService.WorkerMode mode, int workers, Duration scorerDelay) {
        static Options threads(int workers, Duration delay) {
            return new Options(EvaluatorService.WorkerMode.THREADS, workers, delay);
        }

        static Options processes(int workers, Duration delay) {
            return new Options(EvaluatorService.WorkerMode.PROCESSES, workers, delay);
        }
    }

    /**
     * What the topics hold once the pipeline has settled.
     *
     * @param metrics      last ForgettingMetric per key, updatedAt set aside (epoch)
     * @param library      what the aggregator's metric library computes from {@code scores}, updatedAt set aside
     * @param scores       every BenchmarkScore record, in topic order per partition
     * @param shardResults every committed ShardResult
     */
    record FinalState(Map<String, ForgettingMetric> metrics, Map<String, ForgettingMetric> library,
                      List<BenchmarkScore> scores, List<ShardResult> shardResults) {
    }

    private final ClusterConfig config;
    private final TrainedCampaign trained;
    private final AggregatorConfig aggregatorConfig;
    private final EvaluatorService evaluators;
    private final Set<String> published = new LinkedHashSet<>();
    private volatile AggregatorApp aggregator;
    private CheckpointPublisher publisher;

    private Pipeline(ClusterConfig config, TrainedCampaign trained, AggregatorConfig aggregatorConfig,
                     AggregatorApp aggregator, EvaluatorService evaluators) {
        this.config = config;
        this.trained = trained;
        this.aggregatorConfig = aggregatorConfig;
        this.aggregator = aggregator;
        this.evaluators = evaluators;
    }

    /** Starts aggregator, planner and workers (waits until they are ready); nothing is published yet. */
    static Pipeline start(ReliabilityCluster cluster, TrainedCampaign trained, Path workDir, Options options)
            throws Exception {
        ClusterConfig config = cluster.newPipelineConfig();
        Files.createDirectories(workDir);
        AggregatorConfig aggregatorConfig = AggregatorConfig.defaults(config)
                .withApplicationId(config.topicPrefix() + "aggregator")
                .withStateDir(workDir.resolve("aggregator-state"))
                .withHttp(AggregatorConfig.DEFAULT_HTTP_HOST, 0)
                .validated();
        AggregatorApp aggregator = startAggregator(aggregatorConfig);
        EvaluatorService evaluators = null;
        try {
            EvaluatorConfig evaluatorConfig = EvaluatorConfig.defaults(config)
                    .withCheckpointRoots(List.of(trained.checkpointRoot()))
                    .withScorer(EvaluatorConfig.ScorerMode.MODEL, options.scorerDelay())
                    // the smallest session the broker allows: a killed worker's partitions move on quickly
                    .withTimeouts(Duration.ofSeconds(6), Duration.ofSeconds(60));
            evaluators = EvaluatorService.start(evaluatorConfig, options.workers(), options.mode(),
                    WorkerProcess.Launch.defaults().withLogFile(workDir.resolve("evaluators.log")),
                    config.topicPrefix() + "worker", true);
            if (!evaluators.awaitWorkersReady(Duration.ofMinutes(2))) {
                throw new IllegalStateException("evaluator workers not ready within 2 minutes; see "
                        + workDir.resolve("evaluators.log"));
            }
            return new Pipeline(config, trained, aggregatorConfig, aggregator, evaluators);
        } catch (Exception | Error e) {
            if (evaluators != null) {
                evaluators.close();
            }
            aggregator.close();
            throw e;
        }
    }

    private static AggregatorApp startAggregator(AggregatorConfig config) throws InterruptedException {
        AggregatorApp app = AggregatorApp.start(config);
        if (!app.awaitRunning(Duration.ofMinutes(2))) {
            app.close();
            throw new IllegalStateException("the aggregator did not reach RUNNING within 2 minutes");
        }
        return app;
    }

    ClusterConfig config() {
        return config;
    }

    EvaluatorService evaluators() {
        return evaluators;
    }

    AggregatorApp aggregator() {
        return aggregator;
    }

    /** Publishes events in the given order with Lethe's CheckpointPublisher (waits for each acknowledgement). */
    void publish(Collection<CheckpointReady> events) {
        if (publisher == null) {
            publisher = new CheckpointPublisher(config);
        }
        for (CheckpointReady event : events) {
            publisher.publish(event);
            published.add(event.getCheckpointId());
        }
    }

    /** Replaces the publisher by a new one (a fresh serializer that must ask the registry again). */
    void newPublisher() {
        if (publisher != null) {
            publisher.close();
        }
        publisher = new CheckpointPublisher(config);
    }

    /** Records that events were published by an outside client, so {@link #awaitFinal} expects their scores. */
    void publishedElsewhere(Collection<CheckpointReady> events) {
        events.forEach(e -> published.add(e.getCheckpointId()));
    }

    /** Closes the aggregator (commits, flushes its state, leaves the group); {@link #startAggregatorAgain} resumes it. */
    void stopAggregator() {
        aggregator.close();
    }

    /** Starts the aggregator again on the same state dir and application id. */
    void startAggregatorAgain() throws InterruptedException {
        aggregator = startAggregator(aggregatorConfig);
    }

    /**
     * Starts the aggregator again (same application id and state dir) with registry caches as empty as a new
     * process's, so it has to ask the registry for every schema again. Returns at once: while the registry is down
     * it cannot get far.
     */
    void startAggregatorAgainWithColdCaches() {
        aggregator = AggregatorApp.start(AggregatorConfig.defaults(withColdRegistryCaches(config))
                .withApplicationId(aggregatorConfig.applicationId())
                .withStateDir(aggregatorConfig.stateDir())
                .withHttp(AggregatorConfig.DEFAULT_HTTP_HOST, 0)
                .validated());
    }

    /**
     * The same cluster and registry under a registry configuration no client in this JVM has used: the serdes share
     * one registry client (and its caches) per configuration, so naming the registry twice in the URL list gives a
     * part restarted in this JVM empty caches, as a restarted process would have.
     */
    static ClusterConfig withColdRegistryCaches(ClusterConfig config) {
        String url = config.schemaRegistryUrl().split(",")[0];
        return ClusterConfig.of(config.bootstrapServers(), url + "," + url)
                .withTopicPrefix(config.topicPrefix());
    }

    /** Number of BenchmarkScore records committed so far. */
    int committedScores() {
        return TopicReader.readAll(config, config.topics().benchmarkScores(), READ_TIMEOUT).size();
    }

    /** Task ids of the ShardResults committed so far (may repeat when a checkpoint was planned twice). */
    List<String> committedTaskIds() {
        return TopicReader.readAll(config, config.topics().shardResults(), READ_TIMEOUT).stream()
                .map(r -> r.value().getTaskId()).toList();
    }

    /** Waits until at least {@code count} ShardResults are committed. */
    void awaitShardResults(long count, Duration timeout) throws InterruptedException {
        long[] seen = {0};
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(100)).pollInSameThread().until(() -> {
                try {
                    seen[0] = committedTaskIds().size();
                } catch (RuntimeException e) {
                    LOG.debug("shard results not readable yet: {}", e.toString());
                }
                return seen[0] >= count;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("only " + seen[0] + " of " + count + " shard results committed within " + timeout, e);
        }
    }

    /** Waits until every published checkpoint's elements are scored (BenchmarkScore per checkpoint/benchmark). */
    void awaitScored(Collection<CheckpointReady> events, Duration timeout) throws InterruptedException {
        Set<String> expected = new LinkedHashSet<>();
        for (CheckpointReady e : events) {
            trained.shardCounts().keySet().forEach(b -> expected.add(e.getCheckpointId() + "/" + b));
        }
        Set<String> seen = new LinkedHashSet<>();
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(100)).pollInSameThread().until(() -> {
                try {
                    List<String> keys = TopicReader.readAll(config, config.topics().benchmarkScores(), READ_TIMEOUT)
                            .stream().map(ConsumerRecord::key).toList();
                    seen.clear();
                    seen.addAll(keys);
                } catch (RuntimeException e) {
                    LOG.debug("benchmark scores not readable yet: {}", e.toString());
                }
                return seen.containsAll(expected);
            });
        } catch (ConditionTimeoutException e) {
            Set<String> missing = new LinkedHashSet<>(expected);
            missing.removeAll(seen);
            throw new AssertionError("not scored within " + timeout + ": " + missing, e);
        }
    }

    /**
     * Waits until (1) at least {@code minShardResults} ShardResults are committed, (2) every published checkpoint
     * has a BenchmarkScore per suite element, (3) the aggregator has committed all its input, and (4) the last
     * ForgettingMetric per key equals the metric library's output for those scores.
     */
    FinalState awaitFinal(long minShardResults, Duration timeout) throws InterruptedException {
        String[] why = {"nothing read yet"};
        int[] quiet = {0};
        try {
            // poll interval: 500 ms, 250 ms while the aggregator's lag has been 0 once
            return await().atMost(timeout).pollInSameThread()
                    .pollInterval((count, previous) -> Duration.ofMillis(quiet[0] == 1 ? 250 : 500))
                    .until(() -> settled(minShardResults, why, quiet), Objects::nonNull);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("pipeline did not settle within " + timeout + ": " + why[0] + " (" + diagnosis() + ")", e);
        }
    }

    /** Where the pipeline stands, for a wait that timed out: the aggregator's state and threads, and the offsets. */
    private String diagnosis() {
        AggregatorApp app = aggregator;
        String threads = app.streams().metadataForLocalThreads().stream()
                .map(t -> t.threadName().replaceAll(".*-StreamThread", "StreamThread") + " " + t.threadState()
                        + " tasks " + t.activeTasks().stream().map(task -> task.taskId().toString()).toList())
                .toList().toString();
        return "aggregator " + app.streams().state() + ", threads " + threads + ", last thread failure "
                + app.lastStreamThreadFailure() + ", failed dead-letter writes "
                + app.failedDeadLetterWrites() + "; offsets as LSO/HW: " + TopicReader.offsets(config,
                aggregatorConfig.applicationId(), List.of(config.topics().shardResults().name(),
                        config.topics().benchmarkScores().name(), config.topics().forgetting().name(),
                        config.topics().dlq(config.topics().shardResults()).name()));
    }

    /** One look at the pipeline for {@link #awaitFinal}: its final state, or null with {@code why[0]} saying why not. */
    private FinalState settled(long minShardResults, String[] why, int[] quiet) throws InterruptedException {
        try {
            // cheapest condition first: each read below opens a consumer on a busy 2-core machine
            List<ShardResult> shards = TopicReader.readAll(config, config.topics().shardResults(), READ_TIMEOUT)
                    .stream().map(ConsumerRecord::value).toList();
            if (shards.size() < minShardResults) {
                why[0] = shards.size() + " of " + minShardResults + " shard results";
                return null;
            }
            List<BenchmarkScore> scores = TopicReader.readAll(config, config.topics().benchmarkScores(), READ_TIMEOUT)
                    .stream().map(ConsumerRecord::value).toList();
            Map<String, BenchmarkScore> lastScores = new TreeMap<>();
            scores.forEach(s -> lastScores.put(s.getCheckpointId() + "/" + s.getBenchmark(), s));
            int expectedScores = published.size() * trained.shardCounts().size();
            long lag = lastScores.size() < expectedScores ? -1 : TopicReader.lag(config, aggregatorConfig.applicationId());
            quiet[0] = lag == 0 ? quiet[0] + 1 : 0;
            if (lastScores.size() < expectedScores) {
                why[0] = lastScores.size() + " of " + expectedScores + " benchmark scores";
            } else if (quiet[0] < 2) {
                why[0] = "aggregator lag " + lag;
            } else {
                Map<String, ForgettingMetric> metrics = lastMetrics();
                Map<String, ForgettingMetric> library = library(lastScores.values());
                if (metrics.equals(library)) {
                    return new FinalState(metrics, library, scores, shards);
                }
                why[0] = "lethe.forgetting (" + metrics.size() + " keys) differs from the library ("
                        + library.size() + " keys)";
            }
        } catch (RuntimeException e) {
            why[0] = e.toString();
        }
        return null;
    }

    /** The last ForgettingMetric per key on lethe.forgetting, updatedAt set aside. */
    Map<String, ForgettingMetric> lastMetrics() {
        Map<String, ForgettingMetric> last = new TreeMap<>();
        for (ConsumerRecord<String, ForgettingMetric> r : TopicReader.readAll(config, config.topics().forgetting(), READ_TIMEOUT)) {
            last.put(MetricKeys.of(r.value()), atEpoch(r.value()));
        }
        return last;
    }

    /** The metric library ({@code lethe metrics}' code) over the given scores, updatedAt set aside. */
    static Map<String, ForgettingMetric> library(Collection<BenchmarkScore> scores) {
        List<Map.Entry<RunKey, ScoreCell>> cells = new ArrayList<>();
        for (BenchmarkScore s : scores) { // as the aggregator makes its cells (polarity, chance), time set aside
            cells.add(Map.entry(new RunKey(s.getCampaign(), s.getFamily(), s.getModel()), ScoreCell.of(s, Instant.EPOCH)));
        }
        Map<String, ForgettingMetric> out = new LinkedHashMap<>();
        MetricsReport.of(MetricsReport.matrices(cells), AlertConfig.defaults()).metrics()
                .forEach(m -> out.put(MetricKeys.of(m), atEpoch(m)));
        return new TreeMap<>(out);
    }

    static ForgettingMetric atEpoch(ForgettingMetric m) {
        return ForgettingMetric.newBuilder(m).setUpdatedAt(Instant.EPOCH).build();
    }

    @Override
    public void close() {
        if (publisher != null) {
            publisher.close();
        }
        try {
            evaluators.close();
        } finally {
            aggregator.close();
        }
    }
}
