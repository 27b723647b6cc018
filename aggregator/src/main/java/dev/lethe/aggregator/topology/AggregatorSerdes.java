package dev.lethe.aggregator.topology;

import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.CheckpointPlan;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.registry.SchemaRegistryClient;
import dev.lethe.schemas.serde.AvroSerdes;
import org.apache.kafka.common.serialization.Serde;

/**
 * The Avro value serdes the aggregator topology reads and writes with (Confluent wire format against one
 * registry); keys are plain strings everywhere.
 */
public record AggregatorSerdes(Serde<ShardResult> shardResult, Serde<BenchmarkScore> benchmarkScore,
                               Serde<ForgettingMetric> forgettingMetric, Serde<KnowledgeLossAlert> alert,
                               Serde<DeadLetter> deadLetter, Serde<EvalTask> evalTask,
                               Serde<CheckpointPlan> checkpointPlan) {

    /** Serdes on one registry client (an {@code InMemorySchemaRegistryClient} in TopologyTestDriver tests). */
    public static AggregatorSerdes of(SchemaRegistryClient client) {
        return new AggregatorSerdes(AvroSerdes.of(ShardResult.class, client), AvroSerdes.of(BenchmarkScore.class, client),
                AvroSerdes.of(ForgettingMetric.class, client), AvroSerdes.of(KnowledgeLossAlert.class, client),
                AvroSerdes.of(DeadLetter.class, client), AvroSerdes.of(EvalTask.class, client),
                AvroSerdes.of(CheckpointPlan.class, client));
    }

    /** Serdes against the cluster's registry. */
    public static AggregatorSerdes forCluster(ClusterConfig cluster) {
        return of(AvroSerdes.client(cluster));
    }
}
