package dev.lethe.aggregator.topology;

import dev.lethe.aggregator.app.AggregatorConfig;
import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The aggregator's Kafka Streams topology: lethe.shard-results -> deduped, assembled lethe.benchmark-scores; with what
 * the planner announced (lethe.eval-tasks) and what was refused (lethe.eval-tasks-dlq) -> per-model-run events ->
 * lethe.forgetting (key family) and lethe.alerts (key family), with FAMILY records from a repartition by family; bad
 * input goes to lethe.shard-results-dlq.
 *
 * <pre>
 * shard-results (bytes) -> [shard-assembler | store shard-sets] -+-> benchmark-scores
 *                                                                 +-> shard-results-dlq
 * eval-tasks (bytes) -> [plan-reader]          (shard 0 only: the element is awaited at that stage)
 * eval-tasks-dlq (bytes) -> [refusal-reader]   (the element's score will not come)
 *   scores + announcements -> key campaign/model -> repartition run-events
 *     -> [run-aggregator | stores run-summaries, run-series, run-cells, run-stages]
 *     -> forgetting (ELEMENT, CATEGORY, MODEL), alerts (FIRING / RESOLVED), shard-results-dlq
 *     -> CATEGORY records, key family -> repartition metrics-by-family -> [family-aggregator | store family-states]
 *     -> forgetting (FAMILY, the changed ones once per commit interval)
 * </pre>
 */
public final class AggregatorTopology {

    /** Shard sets by checkpointId/benchmark. */
    public static final String SHARD_STORE = "shard-sets";
    /** Per model run (key campaign/model): suite version, stages and their expected element counts, tasks. */
    public static final String RUN_SUMMARIES = "run-summaries";
    /** Per model run and element (key campaign/model NUL element): the element's header (its category). */
    public static final String RUN_SERIES = "run-series";
    /** Per model run, element and stage (key campaign/model NUL element NUL stage): the cell with its bitset, plan, refusal. */
    public static final String RUN_CELLS = "run-cells";
    /** Per model run and stage (key campaign/model NUL stage): element records, drop tests, published records and alerts. */
    public static final String RUN_STAGES = "run-stages";
    /** Member runs' CATEGORY records by family NUL campaign. */
    public static final String FAMILY_STORE = "family-states";
    /** Repartition of run events (scores, announcements, refusals) by model run. */
    public static final String RUN_EVENTS = "run-events";
    /** Repartition of CATEGORY records by family. */
    public static final String METRICS_BY_FAMILY = "metrics-by-family";

    private AggregatorTopology() {
    }

    /** Builds the topology; pure: no clients are created and nothing is started. */
    public static Topology build(AggregatorConfig config, AggregatorSerdes serdes) {
        Topics topics = config.cluster().topics();
        String shardTopic = topics.shardResults().name();
        String tasksTopic = topics.evalTasks().name();
        StreamsBuilder builder = new StreamsBuilder();
        // Cached stores: the many updates a key gets between two commits reach RocksDB and the changelog once, at the
        // commit. Every record is still forwarded by the processors themselves, so caching changes no output.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SHARD_STORE),
                Serdes.String(), ShardSet.SERDE).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RUN_SUMMARIES),
                Serdes.String(), RunStateCodecs.SUMMARY).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RUN_SERIES),
                Serdes.String(), RunStateCodecs.SERIES).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RUN_CELLS),
                Serdes.String(), RunStateCodecs.CELL).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RUN_STAGES),
                Serdes.String(), RunStateCodecs.SLICE).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FAMILY_STORE),
                Serdes.String(), FamilyState.SERDE).withCachingEnabled());

        KStream<String, AggregatorOutput> assembled = builder
                .stream(shardTopic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("shard-results-source"))
                .process(() -> new ShardAssembler(shardTopic, serdes.shardResult().deserializer()),
                        Named.as("shard-assembler"), SHARD_STORE);
        KStream<String, DeadLetter> shardDead = only(assembled, "shard-dead-letters",
                o -> o instanceof AggregatorOutput.Dead d ? d.deadLetter() : null);
        KStream<String, BenchmarkScore> scores = only(assembled, "benchmark-scores",
                o -> o instanceof AggregatorOutput.Score s ? s.score() : null);
        scores.to(topics.benchmarkScores().name(),
                Produced.with(Serdes.String(), serdes.benchmarkScore()).withName("benchmark-scores-sink"));

        KStream<String, RunEvent> shardRefusals = only(assembled, "shard-refusals",
                o -> o instanceof AggregatorOutput.Refusal r ? (RunEvent) r.event() : null);
        KStream<String, RunEvent> planned = builder
                .stream(tasksTopic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("eval-tasks-source"))
                .process(() -> PlanReader.plans(tasksTopic, serdes.evalTask().deserializer()), Named.as("plan-reader"));
        KStream<String, RunEvent> refused = builder
                .stream(topics.dlq(topics.evalTasks()).name(),
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("eval-tasks-dlq-source"))
                .process(() -> PlanReader.refusals(tasksTopic, serdes.evalTask().deserializer(),
                        serdes.deadLetter().deserializer()), Named.as("refusal-reader"));
        KStream<String, AggregatorOutput> runOutput = scores
                .map((key, score) -> KeyValue.pair(score.getCampaign() + "/" + score.getModel(),
                        (RunEvent) new RunEvent.Scored(score)), Named.as("key-by-run"))
                .merge(planned, Named.as("with-plans"))
                .merge(refused, Named.as("with-refusals"))
                .merge(shardRefusals, Named.as("with-shard-refusals"))
                .repartition(Repartitioned.with(Serdes.String(), RunEvent.SERDE).withName(RUN_EVENTS))
                .process(() -> new RunAggregator(config.alerts(), topics.benchmarkScores().name(),
                        serdes.benchmarkScore().serializer()), Named.as("run-aggregator"), RUN_SUMMARIES, RUN_SERIES,
                        RUN_CELLS, RUN_STAGES);
        KStream<String, ForgettingMetric> runMetrics = only(runOutput, "run-metrics",
                o -> o instanceof AggregatorOutput.Metric m ? m.metric() : null);
        KStream<String, KnowledgeLossAlert> alerts = only(runOutput, "run-alerts",
                o -> o instanceof AggregatorOutput.Alert a ? a.alert() : null);
        KStream<String, DeadLetter> runDead = only(runOutput, "run-dead-letters",
                o -> o instanceof AggregatorOutput.Dead d ? d.deadLetter() : null);
        KStream<String, ForgettingMetric> familyMetrics = only(runOutput, "family-inputs",
                o -> o instanceof AggregatorOutput.FamilyInput f ? f.metric() : null)
                .repartition(Repartitioned.with(Serdes.String(), serdes.forgettingMetric()).withName(METRICS_BY_FAMILY))
                .process(() -> new FamilyAggregator(Duration.ofMillis(config.commitIntervalMs())), Named.as("family-aggregator"),
                        FAMILY_STORE);

        // one sink per branch (no merge): a merge would fuse the three sub-topologies into one and force their
        // sources to be co-partitioned and scheduled together
        runMetrics.to(topics.forgetting().name(),
                Produced.with(Serdes.String(), serdes.forgettingMetric()).withName("run-forgetting-sink"));
        familyMetrics.to(topics.forgetting().name(),
                Produced.with(Serdes.String(), serdes.forgettingMetric()).withName("family-forgetting-sink"));
        alerts.to(topics.alerts().name(), Produced.with(Serdes.String(), serdes.alert()).withName("alerts-sink"));
        String dlq = topics.dlq(topics.shardResults()).name();
        shardDead.to(dlq, Produced.with(Serdes.String(), serdes.deadLetter()).withName("shard-dlq-sink"));
        runDead.to(dlq, Produced.with(Serdes.String(), serdes.deadLetter()).withName("run-dlq-sink"));
        return builder.build();
    }

    /** The outputs of one type, as a named stateless step. */
    private static <T> KStream<String, T> only(KStream<String, AggregatorOutput> stream, String name,
                                               Function<AggregatorOutput, T> select) {
        return stream.flatMapValues(output -> {
            T value = select.apply(output);
            return value == null ? List.<T>of() : List.of(value);
        }, Named.as(name));
    }
}
