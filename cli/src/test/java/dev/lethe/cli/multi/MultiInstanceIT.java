package dev.lethe.cli.multi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.aggregator.app.AggregatorApp;
import dev.lethe.aggregator.app.AggregatorConfig;
import dev.lethe.aggregator.metrics.AlertConfig;
import dev.lethe.aggregator.metrics.MetricOrder;
import dev.lethe.aggregator.metrics.MetricsReport;
import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.ScoreCell;
import dev.lethe.aggregator.topology.AggregatorTopology;
import dev.lethe.embedded.LetheTopicsAdmin;
import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.EvaluatorService;
import dev.lethe.evaluator.WorkerProcess;
import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.MetricScope;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.json.MetricKeys;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.schemas.topics.RecordKeys;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.testkit.LetheCluster;
import dev.lethe.trainer.campaign.Campaign;
import dev.lethe.trainer.campaign.CampaignFile;
import dev.lethe.trainer.campaign.ModelRun;
import dev.lethe.trainer.run.CampaignRunner;
import dev.lethe.trainer.run.PublisherSink;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lethe deployed as several instances on one embedded broker, without Docker: two aggregator instances of one
 * Streams application (own state dirs and query endpoints), the planner and three evaluator worker processes. A
 * small campaign is trained and published in two halves; the aggregator instance owning a model run that already
 * has metrics is stopped between the halves, so the other one takes over. At the end lethe.forgetting holds, per
 * key, exactly what the metric library computes from lethe.benchmark-scores, every model run has MODEL records for
 * every stage, and after the stopped instance is restarted both query endpoints answer every family and model
 * key with the topic's final records (keys the asked instance does not own come from the other one).
 */
class MultiInstanceIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    /** 2 families (mlp with two runs, cnn with one), 3 stages after stage 0: 12 checkpoints, trains in seconds. */
    private static final String CAMPAIGN_YAML = """
            name: multi
            dataset: digits
            protocol: permuted
            stages: 3
            epochs: 2
            batchSize: 32
            learningRate: 0.003
            seed: 11
            models:
              - {name: mlp-16, family: mlp, architecture: mlp, size: [16]}
              - {name: mlp-32, family: mlp, architecture: mlp, size: [32]}
              - {name: cnn-4, family: cnn, architecture: cnn, size: [4, 16]}
            """;
    private static final String APPLICATION_ID = "multi-instance-it";
    private static final int WORKERS = 3;
    /** Stages published before the stop; the rest come after it. */
    private static final int FIRST_HALF_LAST_STAGE = 1;
    /** How long an assignment must hold before the group counts as settled. */
    private static final Duration STABLE = Duration.ofSeconds(2);

    @TempDir
    Path work;

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final QueryClient query = new QueryClient();

    @AfterEach
    void stopEverything() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                System.err.println("MultiInstanceIT: stopping failed: " + e);
            }
        }
    }

    private <T extends AutoCloseable> T own(T resource) {
        started.push(resource);
        return resource;
    }

    @Test
    void shouldEndWithCompleteMetricsServedByEitherInstanceWhenOneAggregatorStopsMidRun() throws Exception {
        ClusterConfig cluster = CLUSTER.config();
        Topics topics = cluster.topics();
        Campaign campaign = CampaignFile.parse(CAMPAIGN_YAML);
        Suite suite = new SuiteCatalog(null).resolve(campaign.suite(), campaign.protocol().toAttributes());
        int checkpoints = campaign.models().size() * (campaign.stages() + 1);
        int expectedScores = checkpoints * suite.elements().size();
        Path checkpointDir = work.resolve("checkpoints");
        Path logs = Files.createDirectories(Path.of("target", "multi-instance-it"));

        // evaluators first: three worker JVMs take a while to load ND4J, which overlaps with training
        EvaluatorService evaluators = own(EvaluatorService.start(
                EvaluatorConfig.defaults(cluster).withCheckpointRoots(List.of(checkpointDir)),
                WORKERS, EvaluatorService.WorkerMode.PROCESSES,
                WorkerProcess.Launch.defaults().withLogFile(logs.resolve("workers.log")), "multi-worker", true));
        CollectingSink trained = new CollectingSink();
        CampaignRunner.run(campaign, checkpointDir, null, trained, null);
        List<CheckpointReady> events = trained.events();
        assertThat(events).hasSize(checkpoints);

        AggregatorApp[] aggregators = {startAggregator(cluster, "a"), startAggregator(cluster, "b")};
        awaitInstances(aggregators, 2);
        Set<String> allTasks = new TreeSet<>();
        for (AggregatorApp app : aggregators) {
            assertThat(activeTasks(app)).as("active tasks of %s", app.endpoint()).isNotEmpty();
            allTasks.addAll(activeTasks(app));
        }
        assertThat(evaluators.awaitWorkersReady(Duration.ofMinutes(2)))
                .as("worker processes READY; log in %s", logs.resolve("workers.log").toAbsolutePath()).isTrue();

        int victim;
        try (PublisherSink publisher = new PublisherSink(cluster)) {
            publish(publisher, events, e -> e.getStage() <= FIRST_HALF_LAST_STAGE);

            // some metrics are out: stop the instance owning a model run that already has MODEL records
            ForgettingMetric first = awaitFirst(topics, m -> m.getScope() == MetricScope.MODEL, Duration.ofMinutes(2));
            victim = ownerIndex(aggregators, AggregatorTopology.RUN_SUMMARIES, RunKey.id(first.getCampaign(), first.getModel()));
            AggregatorApp survivor = aggregators[1 - victim];
            long modelRecordsAtStop = lastPerKey(topics).values().stream().filter(m -> m.getScope() == MetricScope.MODEL).count();
            aggregators[victim].close();
            assertThat(modelRecordsAtStop).as("MODEL records out when the aggregator stopped")
                    .isPositive().isLessThan((long) checkpoints);
            awaitTakeover(survivor, allTasks);

            publish(publisher, events, e -> e.getStage() > FIRST_HALF_LAST_STAGE);
        }

        // final benchmark scores (last per checkpointId/benchmark) -> the metric library's records
        Map<String, BenchmarkScore> scores = new TreeMap<>();
        for (ConsumerRecord<String, BenchmarkScore> r : CLUSTER.readAll(topics.benchmarkScores(), expectedScores, Duration.ofMinutes(3))) {
            scores.put(r.key(), r.value());
        }
        assertThat(scores).hasSize(expectedScores);
        MetricsReport report = libraryReport(scores.values());
        Map<String, ForgettingMetric> expected = new TreeMap<>();
        report.metrics().forEach(m -> expected.put(MetricKeys.of(m), m));
        Map<String, ForgettingMetric> finalRecords = awaitFinalRecords(topics, expected, Duration.ofSeconds(90));

        // every model run has MODEL records for every stage, every family FAMILY records
        for (ModelRun run : campaign.models()) {
            Set<Integer> modelStages = finalRecords.values().stream()
                    .filter(m -> m.getScope() == MetricScope.MODEL && run.name().equals(m.getModel()))
                    .map(ForgettingMetric::getStage).collect(Collectors.toCollection(TreeSet::new));
            assertThat(modelStages).as("stages with a MODEL record of %s", run.name())
                    .containsExactlyElementsOf(stages(campaign));
        }
        Set<String> families = campaign.models().stream().map(ModelRun::family).collect(Collectors.toCollection(TreeSet::new));
        assertThat(families).hasSizeGreaterThanOrEqualTo(2);
        Set<String> familiesWithRecords = finalRecords.values().stream().filter(m -> m.getScope() == MetricScope.FAMILY)
                .map(ForgettingMetric::getFamily).collect(Collectors.toCollection(TreeSet::new));
        assertThat(familiesWithRecords).as("families with FAMILY records").isEqualTo(families);

        Map<String, List<ForgettingMetric>> finalByFamily = new TreeMap<>();
        Map<String, List<ForgettingMetric>> finalByModel = new TreeMap<>();
        finalRecords.values().stream().sorted(MetricOrder.METRICS).forEach(m -> {
            if (m.getScope() == MetricScope.FAMILY) {
                finalByFamily.computeIfAbsent(m.getFamily(), f -> new ArrayList<>()).add(m);
            } else {
                finalByModel.computeIfAbsent(m.getModel(), f -> new ArrayList<>()).add(m);
            }
        });
        Set<String> alertIds = new TreeSet<>();
        CLUSTER.readAll(topics.alerts(), 0, Duration.ofSeconds(30)).forEach(r -> alertIds.add(r.value().getAlertId()));
        Served expectedAnswers = new Served(campaign, suite.elements().size(), families, finalByFamily, finalByModel, alertIds);

        // the survivor alone answers every key
        String survivorAnswers = expectedAnswers.check(aggregators[1 - victim].endpoint());

        // the stopped instance comes back on its state dir: two instances again, each answers every key, half of
        // them fetched from the other instance, exactly as the survivor alone did
        aggregators[victim] = startAggregator(cluster, victim == 0 ? "a" : "b");
        awaitInstances(aggregators, 2);
        assertThat(aggregators[0].endpoint()).isNotEqualTo(aggregators[1].endpoint());
        for (AggregatorApp app : aggregators) {
            assertThat(expectedAnswers.check(app.endpoint())).as("answers of %s", app.endpoint()).isEqualTo(survivorAnswers);
        }
    }

    /** What every instance's query endpoint must serve at the end: the topic's final records, per family and model. */
    private final class Served {
        private final Campaign campaign;
        private final int elements;
        private final Set<String> families;
        private final Map<String, List<ForgettingMetric>> finalByFamily;
        private final Map<String, List<ForgettingMetric>> finalByModel;
        private final Set<String> alertIds;

        Served(Campaign campaign, int elements, Set<String> families, Map<String, List<ForgettingMetric>> finalByFamily,
               Map<String, List<ForgettingMetric>> finalByModel, Set<String> alertIds) {
            this.campaign = campaign;
            this.elements = elements;
            this.families = families;
            this.finalByFamily = finalByFamily;
            this.finalByModel = finalByModel;
            this.alertIds = alertIds;
        }

        /** Asks {@code endpoint} for /families, every family, every model and the alerts; returns all answers. */
        String check(URI endpoint) throws Exception {
            StringBuilder all = new StringBuilder();
            JsonNode list = query.get(endpoint, "/families", Duration.ofSeconds(60));
            assertThat(names(list.get("families"), "family")).as("/families on %s", endpoint).isEqualTo(families);
            all.append(list);
            for (String family : families) {
                JsonNode body = query.get(endpoint, "/families/" + family, Duration.ofSeconds(60));
                assertThat(body.get("campaigns")).as("/families/%s on %s", family, endpoint).hasSize(1);
                JsonNode campaignNode = body.get("campaigns").get(0);
                assertThat(campaignNode.get("campaign").asText()).isEqualTo(campaign.name());
                assertThat(names(campaignNode.get("models"), null)).isEqualTo(campaign.models().stream()
                        .filter(r -> r.family().equals(family)).map(ModelRun::name).collect(Collectors.toCollection(TreeSet::new)));
                assertThat(jsonList(campaignNode.get("records"))).as("/families/%s on %s", family, endpoint)
                        .containsExactlyElementsOf(json(finalByFamily.get(family)));
                all.append(body);
            }
            for (ModelRun run : campaign.models()) {
                String path = "/models/" + campaign.name() + "/" + run.name();
                JsonNode body = query.get(endpoint, path, Duration.ofSeconds(60));
                assertThat(body.get("family").asText()).isEqualTo(run.family());
                assertThat(body.get("matrix")).as("%s on %s", path, endpoint).hasSize((campaign.stages() + 1) * elements);
                assertThat(jsonList(body.get("records"))).as("%s on %s", path, endpoint)
                        .containsExactlyElementsOf(json(finalByModel.get(run.name())));
                all.append(body);
            }
            JsonNode served = query.get(endpoint, "/alerts?since=1970-01-01T00:00:00Z", Duration.ofSeconds(60));
            assertThat(names(served.get("alerts"), "alertId")).as("/alerts on %s", endpoint).isEqualTo(alertIds);
            all.append(served);
            return all.toString();
        }
    }

    /**
     * With {@code num.standby.replicas=1} (DEPLOY.md's advice for a faster takeover) and more instances than input
     * partitions, some instance holds only standby copies of a store. Store-wide queries ({@code /families},
     * {@code /alerts}) must still answer on every instance: a standby is not a place to read from.
     */
    @Test
    void shouldAnswerStoreWideQueriesOnEveryInstanceWhenSomeHoldOnlyStandbyCopies() throws Exception {
        // the aggregator's run tasks are as many as the partitions of shard-results (and of checkpoint-plans, as
        // wide); one more instance than partitions holds standby copies only
        ClusterConfig cluster = CLUSTER.config().withTopicPrefix("lethe-standby.")
                .withClientOverrides(Map.of("num.standby.replicas", "1"));
        int partitions = cluster.topics().shardResults().partitions();
        LetheTopicsAdmin.createAll(cluster, cluster.topics().withPartitions(partitions, partitions));
        Topics topics = cluster.topics();
        int instances = partitions + 1;
        AggregatorApp[] apps = new AggregatorApp[instances];
        for (int i = 0; i < instances; i++) {
            apps[i] = own(AggregatorApp.start(AggregatorConfig.defaults(cluster)
                    .withApplicationId(APPLICATION_ID + "-standby")
                    .withStateDir(work.resolve("standby-" + i))
                    .withHttp("127.0.0.1", 0)));
        }
        awaitInstances(apps, instances);
        List<RunKey> runs = List.of(new RunKey("sb", "mlp", "mlp-a"), new RunKey("sb", "cnn", "cnn-a"));
        for (RunKey run : runs) {
            for (int stage = 0; stage <= 1; stage++) {
                ShardResult shard = SyntheticShards.whole(run, stage, "digits-clean", "domain-knowledge",
                        stage == 0 ? "1111111111" : "1111100000");
                CLUSTER.send(topics.shardResults(), RecordKeys.shardResult(shard), shard);
            }
        }
        awaitRecords(topics, m -> m.getScope() == MetricScope.FAMILY && m.getStage() == 1, runs.size());

        // the case under test: an instance with a standby copy of a queried store but no active partition of it
        Set<String> standbyOnly = new TreeSet<>();
        for (StreamsMetadata instance : apps[0].streams().metadataForAllStreamsClients()) {
            for (String store : List.of(AggregatorTopology.RUN_SUMMARIES, AggregatorTopology.FAMILY_STORE)) {
                if (instance.standbyStateStoreNames().contains(store) && !instance.stateStoreNames().contains(store)) {
                    standbyOnly.add(instance.hostInfo().port() + ": " + store);
                }
            }
        }
        assertThat(standbyOnly).as("instances holding only standby copies of run-summaries or family-states").isNotEmpty();
        Set<String> alertAnswers = new TreeSet<>();
        for (AggregatorApp app : apps) {
            JsonNode families = query.get(app.endpoint(), "/families", Duration.ofSeconds(30));
            assertThat(names(families.get("families"), "family")).as("/families on %s (standby-only copies: %s)",
                    app.endpoint(), standbyOnly).containsExactly("cnn", "mlp");
            alertAnswers.add(query.get(app.endpoint(), "/alerts?since=1970-01-01T00:00:00Z", Duration.ofSeconds(30)).toString());
        }
        assertThat(alertAnswers).as("distinct /alerts answers of the %d instances", instances).hasSize(1);
    }

    /**
     * A key lookup an instance cannot serve from its own active state (asked with {@code ?local=true}, as another
     * instance does after reading possibly stale metadata, or while the key's partition moves or restores) is a 503
     * to retry, never a 404 for a key that exists; a key that exists nowhere stays a 404 on every instance.
     */
    @Test
    void shouldAnswer503Not404WhenAskedForAKeyItDoesNotHold() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Topics topics = cluster.topics();
        AggregatorApp[] apps = new AggregatorApp[2];
        for (int i = 0; i < apps.length; i++) {
            apps[i] = own(AggregatorApp.start(AggregatorConfig.defaults(cluster)
                    .withApplicationId(APPLICATION_ID + "-local")
                    .withStateDir(work.resolve("local-" + i))
                    .withHttp("127.0.0.1", 0)));
        }
        awaitInstances(apps, apps.length);
        List<RunKey> runs = List.of(new RunKey("lk", "mlp", "mlp-a"), new RunKey("lk", "mlp", "mlp-b"),
                new RunKey("lk", "cnn", "cnn-a"), new RunKey("lk", "cnn", "cnn-b"));
        for (RunKey run : runs) {
            ShardResult shard = SyntheticShards.whole(run, 0, "digits-clean", "domain-knowledge", "1111111100");
            CLUSTER.send(topics.shardResults(), RecordKeys.shardResult(shard), shard);
        }
        awaitRecords(topics, m -> m.getScope() == MetricScope.FAMILY, 2);
        for (RunKey run : runs) {
            String path = "/models/" + run.campaign() + "/" + run.model();
            int owner = ownerIndex(apps, AggregatorTopology.RUN_SUMMARIES, run.id());
            assertThat(query.get(apps[1 - owner].endpoint(), path, Duration.ofSeconds(60)).get("model").asText())
                    .isEqualTo(run.model());
            assertThat(query.status(apps[owner].endpoint(), path + "?local=true")).as("%s?local=true on its owner", path)
                    .isEqualTo(200);
            assertThat(query.status(apps[1 - owner].endpoint(), path + "?local=true")).as("%s?local=true elsewhere", path)
                    .isEqualTo(503);
        }
        for (String family : List.of("mlp", "cnn")) {
            int owner = ownerIndex(apps, AggregatorTopology.FAMILY_STORE, family);
            assertThat(query.status(apps[1 - owner].endpoint(), "/families/" + family + "?local=true"))
                    .as("/families/%s?local=true elsewhere", family).isEqualTo(503);
        }
        for (AggregatorApp app : apps) {
            assertThat(query.status(app.endpoint(), "/models/lk/no-such-model")).as("unknown model on %s", app.endpoint())
                    .isEqualTo(404);
            assertThat(query.status(app.endpoint(), "/families/no-such-family")).as("unknown family on %s", app.endpoint())
                    .isEqualTo(404);
        }
    }

    // ---- parts

    private AggregatorApp startAggregator(ClusterConfig cluster, String name) {
        return own(AggregatorApp.start(AggregatorConfig.defaults(cluster)
                .withApplicationId(APPLICATION_ID)
                .withStateDir(work.resolve("state-" + name))
                .withHttp("127.0.0.1", 0)
                .withAdvertisedHost("127.0.0.1")));
    }

    private static void publish(PublisherSink publisher, List<CheckpointReady> events, Predicate<CheckpointReady> which)
            throws Exception {
        for (CheckpointReady event : events) {
            if (which.test(event)) {
                publisher.publish(event);
            }
        }
    }

    /**
     * Waits until every given instance is RUNNING, the group has exactly {@code instances} members and the assignment
     * has held for {@link #STABLE}: a joining member can cause a few follow-up rebalances in quick succession.
     */
    private static void awaitInstances(AggregatorApp[] apps, int instances) throws InterruptedException {
        List<List<Set<String>>> previous = new ArrayList<>(); // the assignment seen last, empty while not ready
        long[] since = {0};
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).pollInSameThread().until(() -> {
                boolean ready = true;
                for (AggregatorApp app : apps) {
                    ready &= app.streams().state() == KafkaStreams.State.RUNNING
                            && app.streams().metadataForAllStreamsClients().size() == instances;
                }
                if (!ready) {
                    previous.clear();
                    return false;
                }
                List<Set<String>> assignment = new ArrayList<>();
                for (AggregatorApp app : apps) {
                    assignment.add(activeTasks(app));
                }
                if (previous.isEmpty() || !assignment.equals(previous.get(0))) {
                    previous.clear();
                    previous.add(assignment);
                    since[0] = System.nanoTime();
                    return false;
                }
                return System.nanoTime() - since[0] >= STABLE.toNanos();
            });
            return;
        } catch (ConditionTimeoutException e) {
            // described below
        }
        List<String> states = new ArrayList<>();
        for (AggregatorApp app : apps) {
            states.add(app.endpoint() + " " + app.streams().state() + " clients=" + app.streams().metadataForAllStreamsClients().size());
        }
        throw new AssertionError("aggregator instances not all RUNNING as a stable group of " + instances + ": " + states);
    }

    /** Waits until {@code survivor} is RUNNING with every task of the application active on it. */
    private static void awaitTakeover(AggregatorApp survivor, Set<String> allTasks) throws InterruptedException {
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).pollInSameThread()
                    .until(() -> survivor.awaitRunning(Duration.ofSeconds(1)) && activeTasks(survivor).equals(allTasks));
        } catch (ConditionTimeoutException e) {
            assertThat(activeTasks(survivor)).as("tasks the survivor took over (state %s)", survivor.streams().state())
                    .isEqualTo(allTasks);
        }
    }

    private static Set<String> activeTasks(AggregatorApp app) {
        Set<String> tasks = new TreeSet<>();
        for (ThreadMetadata thread : app.streams().metadataForLocalThreads()) {
            thread.activeTasks().forEach(t -> tasks.add(t.taskId().toString()));
        }
        return tasks;
    }

    /** Index of the instance whose endpoint is the active host of {@code key} in {@code store}. */
    private static int ownerIndex(AggregatorApp[] apps, String store, String key) {
        KeyQueryMetadata metadata = apps[0].streams().queryMetadataForKey(store, key, new StringSerializer());
        HostInfo owner = metadata.activeHost();
        for (int i = 0; i < apps.length; i++) {
            if (apps[i].endpoint().getPort() == owner.port()) {
                return i;
            }
        }
        throw new AssertionError("no instance is the owner " + owner + " of " + key);
    }

    // ---- records

    private static Map<String, ForgettingMetric> lastPerKey(Topics topics) {
        Map<String, ForgettingMetric> last = new TreeMap<>();
        for (ConsumerRecord<String, ForgettingMetric> r : CLUSTER.readAll(topics.forgetting(), 0, Duration.ofSeconds(30))) {
            assertThat(r.key()).as("key of %s", MetricKeys.of(r.value())).isEqualTo(r.value().getFamily());
            last.put(MetricKeys.of(r.value()), r.value());
        }
        return last;
    }

    /** Waits until lethe.forgetting holds at least {@code count} distinct keys matching {@code match}. */
    private static void awaitRecords(Topics topics, Predicate<ForgettingMetric> match, int count) throws InterruptedException {
        await(count + " matching records on " + topics.forgetting().name()).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250)).pollInSameThread()
                .until(() -> lastPerKey(topics).values().stream().filter(match).count() >= count);
    }

    private static ForgettingMetric awaitFirst(Topics topics, Predicate<ForgettingMetric> match, Duration timeout)
            throws InterruptedException {
        return await("a matching record on " + topics.forgetting().name()).atMost(timeout)
                .pollInterval(Duration.ofMillis(250)).pollInSameThread()
                .until(() -> lastPerKey(topics).values().stream().filter(match).findFirst(), Optional::isPresent).get();
    }

    /** Polls lethe.forgetting until its last record per key, times set aside, equals {@code expected}; returns them. */
    private static Map<String, ForgettingMetric> awaitFinalRecords(Topics topics, Map<String, ForgettingMetric> expected,
                                                                   Duration timeout) throws InterruptedException {
        List<Map<String, ForgettingMetric>> seen = new ArrayList<>(List.of(Map.of()));
        try {
            return await().atMost(timeout).pollInterval(Duration.ofMillis(250)).pollInSameThread()
                    .until(() -> lastPerKey(topics), last -> {
                        Map<String, ForgettingMetric> timeless = new TreeMap<>();
                        last.forEach((k, m) -> timeless.put(k, atEpoch(m)));
                        seen.set(0, timeless);
                        return timeless.equals(expected);
                    });
        } catch (ConditionTimeoutException e) {
            assertThat(seen.get(0)).containsExactlyInAnyOrderEntriesOf(expected);
            throw e;
        }
    }

    /** What {@code lethe metrics} computes from the scores (every time at the epoch). */
    private static MetricsReport libraryReport(Iterable<BenchmarkScore> scores) {
        List<Map.Entry<RunKey, ScoreCell>> cells = new ArrayList<>();
        for (BenchmarkScore s : scores) { // as the aggregator makes its cells (polarity, chance), time set aside
            cells.add(Map.entry(new RunKey(s.getCampaign(), s.getFamily(), s.getModel()), ScoreCell.of(s, Instant.EPOCH)));
        }
        return MetricsReport.of(MetricsReport.matrices(cells), AlertConfig.defaults());
    }

    private static ForgettingMetric atEpoch(ForgettingMetric metric) {
        return ForgettingMetric.newBuilder(metric).setUpdatedAt(Instant.EPOCH).build();
    }

    private static List<Integer> stages(Campaign campaign) {
        List<Integer> stages = new ArrayList<>();
        for (int s = 0; s <= campaign.stages(); s++) {
            stages.add(s);
        }
        return stages;
    }

    private static List<String> json(List<ForgettingMetric> records) {
        assertThat(records).isNotEmpty();
        return records.stream().map(m -> RecordJson.toNode(m).toString()).toList();
    }

    private static List<String> jsonList(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.toString()));
        return out;
    }

    /** The text of {@code field} (or of the element itself when null) of every element of a JSON array. */
    private static Set<String> names(JsonNode array, String field) {
        Set<String> out = new TreeSet<>();
        array.forEach(n -> out.add(field == null ? n.asText() : n.get(field).asText()));
        return out;
    }
}
