package dev.lethe.aggregator.topology;

import dev.lethe.aggregator.app.AggregatorConfig;
import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
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

/**
 * The aggregator's Kafka Streams topology. lethe.shard-results (key campaign/model) -> deduped, assembled
 * lethe.benchmark-scores and, in the same task, the run aggregator, which also reads what the planner announced
 * (lethe.checkpoint-plans, key campaign/model, partitioned alike) and what the workers refused (lethe.eval-tasks-dlq,
 * re-keyed by run) -> lethe.forgetting (key family) and lethe.alerts (key family), with FAMILY records from a
 * repartition by family; bad input goes to lethe.shard-results-dlq.
 *
 * <pre>
 * shard-results (bytes, key campaign/model) -> [shard-assembler | store shard-sets] -+-> benchmark-scores
 *   (a result keyed otherwise -> repartition shard-results-by-run -> [rekeyed-shard-assembler])  +-> shard-results-dlq
 * checkpoint-plans (bytes, key campaign/model) -> [plan-reader]   (each element is awaited at the plan's stage)
 * eval-tasks-dlq (bytes) -> [refusal-reader] -> repartition announcements-by-run   (the element's score will not come)
 * scores + refused shards + plans + refused tasks
 *     -> [run-aggregator | stores run-summaries, run-series, run-cells, run-stages, run-pending]
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
    /** Stages whose records and alerts wait for the next publication (key campaign/model NUL stage: newest event time). */
    public static final String RUN_PENDING = "run-pending";
    /** Member runs' CATEGORY records by family NUL campaign. */
    public static final String FAMILY_STORE = "family-states";
    /** Re-keying of shard results written under another key than their model run's. */
    public static final String SHARDS_BY_RUN = "shard-results-by-run";
    /**
     * Repartition of the workers' refusals of the planner's tasks by model run, co-partitioned with lethe.shard-results.
     * It carried the planner's announcements too before they came keyed by run (lethe.checkpoint-plans); the name stays
     * so that refusals in flight across an upgrade are still read.
     */
    public static final String ANNOUNCEMENTS_BY_RUN = "announcements-by-run";
    /** Repartition of CATEGORY records by family. */
    public static final String METRICS_BY_FAMILY = "metrics-by-family";

    private AggregatorTopology() {
    }

    /** Builds the topology for a lethe.shard-results with the configured number of partitions. */
    public static Topology build(AggregatorConfig config, AggregatorSerdes serdes) {
        return build(config, serdes, config.cluster().topics().shardResults().partitions());
    }

    /**
     * Builds the topology; pure: no clients are created and nothing is started.
     *
     * @param runPartitions the partitions of lethe.shard-results: the internal topics keyed by model run get as many,
     *                      so a run's results, announcements and state share one task
     */
    public static Topology build(AggregatorConfig config, AggregatorSerdes serdes, int runPartitions) {
        Topics topics = config.cluster().topics();
        String shardTopic = topics.shardResults().name();
        String tasksTopic = topics.evalTasks().name();
        String plansTopic = topics.checkpointPlans().name();
        String refusalsTopic = topics.dlq(topics.evalTasks()).name();
        StreamsBuilder builder = new StreamsBuilder();
        // Write-back stores: the many updates a key gets between two commits are kept as objects and reach RocksDB and
        // the changelog once, serialized at the commit. Every record is still forwarded by the processors themselves.
        builder.addStateStore(WriteBackStore.builder(SHARD_STORE, ShardSet.SERDE));
        builder.addStateStore(WriteBackStore.builder(RUN_SUMMARIES, RunStateCodecs.SUMMARY));
        builder.addStateStore(WriteBackStore.builder(RUN_SERIES, RunStateCodecs.SERIES));
        builder.addStateStore(WriteBackStore.builder(RUN_CELLS, RunStateCodecs.CELL));
        builder.addStateStore(WriteBackStore.builder(RUN_STAGES, RunStateCodecs.SLICE));
        builder.addStateStore(WriteBackStore.builder(RUN_PENDING, Serdes.Long()));
        builder.addStateStore(WriteBackStore.builder(FAMILY_STORE, FamilyState.SERDE));

        // Results keyed by model run reach the run aggregator in this sub-topology, in the order they were written; one
        // keyed otherwise is re-keyed through an internal topic, read here by a second assembler sharing the store.
        KStream<String, AggregatorOutput> direct = builder
                .stream(shardTopic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("shard-results-source"))
                .process(() -> ShardAssembler.direct(shardTopic, serdes.shardResult().deserializer()),
                        Named.as("shard-assembler"), SHARD_STORE);
        KStream<String, AggregatorOutput> assembled = direct
                .flatMap((runKey, output) -> output instanceof AggregatorOutput.Rekey r
                        ? List.of(KeyValue.pair(runKey.getBytes(StandardCharsets.UTF_8), r.value()))
                        : List.<KeyValue<byte[], byte[]>>of(), Named.as("shards-to-rekey"))
                .repartition(Repartitioned.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(SHARDS_BY_RUN)
                        .withNumberOfPartitions(runPartitions))
                .process(() -> ShardAssembler.rekeyed(shardTopic, serdes.shardResult().deserializer()),
                        Named.as("rekeyed-shard-assembler"), SHARD_STORE)
                .merge(direct, Named.as("assembled-shards"));
        KStream<String, DeadLetter> shardDead = only(assembled, "shard-dead-letters",
                o -> o instanceof AggregatorOutput.Dead d ? d.deadLetter() : null);
        KStream<String, BenchmarkScore> scores = only(assembled, "benchmark-scores",
                o -> o instanceof AggregatorOutput.Score s ? s.score() : null);
        scores.to(topics.benchmarkScores().name(),
                Produced.with(Serdes.String(), serdes.benchmarkScore()).withName("benchmark-scores-sink"));

        KStream<String, RunEvent> shardRefusals = only(assembled, "shard-refusals",
                o -> o instanceof AggregatorOutput.Refusal r ? (RunEvent) r.event() : null);
        // the planner's plans are keyed by run and partitioned like lethe.shard-results (ShardResultPartitions checks
        // the counts), so each is read in the task that holds its run's results, with no re-keying in between
        KStream<String, RunEvent> planned = builder
                .stream(plansTopic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("checkpoint-plans-source"))
                .process(PlanReader.plans(plansTopic, serdes.checkpointPlan().deserializer()), Named.as("plan-reader"));
        // the workers' refusals are dead-lettered tasks, keyed by task: rare, and re-keyed by run into as many
        // partitions as lethe.shard-results
        KStream<String, RunEvent> refused = builder
                .stream(refusalsTopic,
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("eval-tasks-dlq-source"))
                .process(PlanReader.refusals(tasksTopic, refusalsTopic, serdes.evalTask().deserializer(),
                        serdes.deadLetter().deserializer()), Named.as("refusal-reader"))
                .repartition(Repartitioned.with(Serdes.String(), RunEvent.SERDE).withName(ANNOUNCEMENTS_BY_RUN)
                        .withNumberOfPartitions(runPartitions));
        KStream<String, AggregatorOutput> runOutput = scores
                .map((key, score) -> KeyValue.pair(RunKey.id(score.getCampaign(), score.getModel()),
                        (RunEvent) new RunEvent.Scored(score)), Named.as("key-by-run")) // no repartition: read keyed by run
                .merge(shardRefusals, Named.as("with-shard-refusals"))
                .merge(planned, Named.as("with-plans"))
                .merge(refused, Named.as("with-task-refusals"))
                .process(() -> new RunAggregator(config.alerts(), Duration.ofMillis(config.commitIntervalMs()),
                        topics.benchmarkScores().name(), serdes.benchmarkScore().serializer()), Named.as("run-aggregator"),
                        RUN_SUMMARIES, RUN_SERIES, RUN_CELLS, RUN_STAGES, RUN_PENDING);
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
