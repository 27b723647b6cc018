package dev.lethe.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.aggregator.app.AggregatorConfig;
import dev.lethe.aggregator.metrics.MetricsReport;
import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.ScoreCell;
import dev.lethe.schemas.AlertState;
import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.json.MetricKeys;
import dev.lethe.schemas.registry.InMemorySchemaRegistryClient;
import dev.lethe.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aggregator's promise, as a property: whatever the order the records of a campaign arrive in, with duplicates
 * and restarts in between, the last metric record per key and the alerts still firing at the end are exactly what
 * {@code lethe metrics --alerts} computes from the final benchmark scores.
 */
class AggregatorOrderPropertyTest {

    private static final String APPLICATION_ID = "aggregator-order-test";
    private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path tmp;

    private final Topics topics = Topics.defaults();
    private final AggregatorSerdes serdes = AggregatorSerdes.of(new InMemorySchemaRegistryClient());
    private final AggregatorConfig config = AggregatorConfig.defaults(
            ClusterConfig.of("127.0.0.1:9092", "http://127.0.0.1:8081"));

    @Test
    void shouldEndWithTheOfflineMetricsAndAlertsWhenACampaignArrivesInAnyOrderWithDuplicatesAndRestarts() {
        int alertsSeen = 0;
        int resolutionsSeen = 0;
        for (long seed = 1; seed <= 6; seed++) {
            List<RandomCampaign.Event> campaign = RandomCampaign.events(seed, topics, serdes);
            Set<String> scoresOfFirstOrder = null;
            for (int order = 0; order < 3; order++) {
                Random random = new Random(seed * 101 + order);
                List<RandomCampaign.Event> events = new ArrayList<>(campaign);
                if (order > 0) { // order 0: campaign order; then shuffled, with a tenth of the records twice
                    for (int i = 0; i < campaign.size() / 10; i++) {
                        events.add(campaign.get(random.nextInt(campaign.size())));
                    }
                    Collections.shuffle(events, random);
                }
                Outcome outcome = run(events, random, "seed-" + seed + "-order-" + order);
                // the offline side below reads the scores this order ended with: they must not depend on the order
                Set<String> scores = outcome.finalCells().stream().map(AggregatorOrderPropertyTest::timeless)
                        .collect(Collectors.toCollection(TreeSet::new));
                if (scoresOfFirstOrder == null) {
                    scoresOfFirstOrder = scores;
                }
                assertThat(scores).as("seed %d order %d: final scores, times aside", seed, order)
                        .isNotEmpty().isEqualTo(scoresOfFirstOrder);

                MetricsReport offline = MetricsReport.of(MetricsReport.matrices(outcome.finalCells()), config.alerts());
                Map<String, ForgettingMetric> expectedMetrics = new TreeMap<>();
                offline.metrics().forEach(m -> expectedMetrics.put(MetricKeys.of(m), m));
                Map<String, KnowledgeLossAlert> expectedAlerts = new TreeMap<>();
                offline.alerts().forEach(a -> expectedAlerts.put(a.getAlertId(), a));

                assertThat(outcome.metrics()).as("seed %d order %d: metrics", seed, order)
                        .containsExactlyInAnyOrderEntriesOf(expectedMetrics);
                assertThat(outcome.firing()).as("seed %d order %d: firing alerts", seed, order)
                        .containsExactlyInAnyOrderEntriesOf(expectedAlerts);
                alertsSeen += expectedAlerts.size();
                resolutionsSeen += outcome.resolutions();
            }
        }
        // the campaigns are built to exercise the rules: alerts that hold, and alerts later data withdraws
        assertThat(alertsSeen).isGreaterThan(10);
        assertThat(resolutionsSeen).isPositive();
    }

    /** A final score without its event time (which follows the arrival order): run, stage, element, counts and items. */
    private static String timeless(Map.Entry<RunKey, ScoreCell> cell) {
        ScoreCell c = cell.getValue();
        return cell.getKey().id() + "|" + c.stage() + "|" + c.benchmark() + "|" + c.category() + "|" + c.task() + "|" + c.n()
                + "|" + c.correct() + "|" + HexFormat.of().formatHex(c.itemBits()) + "|" + c.chancePct();
    }

    private record Outcome(Map<String, ForgettingMetric> metrics, Map<String, KnowledgeLossAlert> firing,
                           List<Map.Entry<RunKey, ScoreCell>> finalCells, int resolutions) {
    }

    /**
     * Pipes the events one second apart and restarts twice, and once more before the last publication: a new driver on
     * an empty state directory whose stores are restored from the changelogs the first one wrote, as a restarted
     * instance restores them.
     */
    private Outcome run(List<RandomCampaign.Event> events, Random random, String name) {
        int firstRestart = random.nextInt(events.size());
        int secondRestart = random.nextInt(events.size());
        Map<String, ForgettingMetric> metrics = new TreeMap<>();
        Map<String, KnowledgeLossAlert> alerts = new TreeMap<>();
        Map<String, BenchmarkScore> scores = new TreeMap<>();
        Map<String, Map<String, byte[]>> changelogs = new HashMap<>();
        int resolutions = 0;
        TopologyTestDriver driver = driver(tmp.resolve(name + "-0"));
        long clock = START.toEpochMilli();
        for (int i = 0; i < events.size(); i++) {
            if (i == firstRestart || i == secondRestart) {
                driver.close();
                driver = driver(tmp.resolve(name + "-" + i));
                restore(driver, changelogs);
            }
            RandomCampaign.Event event = events.get(i);
            TestInputTopic<byte[], byte[]> input = driver.createInputTopic(event.topic(), new ByteArraySerializer(),
                    new ByteArraySerializer());
            clock += 1000;
            input.pipeInput(event.key(), event.value(), Instant.ofEpochMilli(clock));
            if (random.nextInt(5) == 0) { // records go out once per commit interval; some wait across a restart
                driver.advanceWallClockTime(Duration.ofSeconds(1));
            }
            resolutions += drain(driver, metrics, alerts, scores);
            readChangelogs(driver, changelogs);
        }
        // a last restart before the last publication: what the processor holds in memory but has not published must
        // be in its stores too
        driver.close();
        driver = driver(tmp.resolve(name + "-end"));
        restore(driver, changelogs);
        // one publication interval for the run records and alerts, a second for the FAMILY records they feed
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        resolutions += drain(driver, metrics, alerts, scores);
        driver.close();
        Map<String, KnowledgeLossAlert> firing = new TreeMap<>(alerts);
        firing.values().removeIf(a -> a.getState() != AlertState.FIRING);
        List<Map.Entry<RunKey, ScoreCell>> cells = new ArrayList<>();
        for (BenchmarkScore s : scores.values()) {
            cells.add(Map.entry(new RunKey(s.getCampaign(), s.getFamily(), s.getModel()), ScoreCell.of(s)));
        }
        return new Outcome(metrics, firing, cells, resolutions);
    }

    private static final Map<String, Serde<?>> STORES = Map.of(
            AggregatorTopology.SHARD_STORE, ShardSet.SERDE,
            AggregatorTopology.RUN_SUMMARIES, RunStateCodecs.SUMMARY,
            AggregatorTopology.RUN_SERIES, RunStateCodecs.SERIES,
            AggregatorTopology.RUN_CELLS, RunStateCodecs.CELL,
            AggregatorTopology.RUN_STAGES, RunStateCodecs.SLICE,
            AggregatorTopology.RUN_PENDING, Serdes.Long(),
            AggregatorTopology.FAMILY_STORE, FamilyState.SERDE);

    private static String changelog(String store) {
        return APPLICATION_ID + "-" + store + "-changelog";
    }

    /** Keeps the latest value per key of every store's changelog (what compaction keeps). */
    private static void readChangelogs(TopologyTestDriver driver, Map<String, Map<String, byte[]>> changelogs) {
        for (String store : STORES.keySet()) {
            Map<String, byte[]> latest = changelogs.computeIfAbsent(store, s -> new HashMap<>());
            for (KeyValue<String, byte[]> r : driver.createOutputTopic(changelog(store), new StringDeserializer(),
                    new ByteArrayDeserializer()).readKeyValuesToList()) {
                if (r.value == null) {
                    latest.remove(r.key);
                } else {
                    latest.put(r.key, r.value);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void restore(TopologyTestDriver driver, Map<String, Map<String, byte[]>> changelogs) {
        changelogs.forEach((store, latest) -> {
            KeyValueStore<String, Object> target = driver.getKeyValueStore(store);
            Serde<Object> serde = (Serde<Object>) STORES.get(store);
            latest.forEach((key, value) -> target.put(key, serde.deserializer().deserialize(changelog(store), value)));
        });
    }

    /** Reads every output so far into last-per-key maps; returns the RESOLVED alert records read. */
    private int drain(TopologyTestDriver driver, Map<String, ForgettingMetric> metrics,
                      Map<String, KnowledgeLossAlert> alerts, Map<String, BenchmarkScore> scores) {
        StringDeserializer keys = new StringDeserializer();
        for (ForgettingMetric m : driver.createOutputTopic(topics.forgetting().name(), keys,
                serdes.forgettingMetric().deserializer()).readValuesToList()) {
            metrics.put(MetricKeys.of(m), m);
        }
        for (KeyValue<String, BenchmarkScore> s : driver.createOutputTopic(topics.benchmarkScores().name(), keys,
                serdes.benchmarkScore().deserializer()).readKeyValuesToList()) {
            scores.put(s.key, s.value);
        }
        int resolutions = 0;
        for (KnowledgeLossAlert a : driver.createOutputTopic(topics.alerts().name(), keys,
                serdes.alert().deserializer()).readValuesToList()) {
            alerts.put(a.getAlertId(), a);
            resolutions += a.getState() == AlertState.RESOLVED ? 1 : 0;
        }
        assertThat(driver.createOutputTopic(topics.dlq(topics.shardResults()).name(), keys,
                serdes.deadLetter().deserializer()).readValuesToList()).as("dead letters").isEmpty();
        return resolutions;
    }

    private TopologyTestDriver driver(Path stateDir) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        return new TopologyTestDriver(AggregatorTopology.build(config, serdes), props, START);
    }
}
