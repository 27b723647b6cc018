package dev.lethe.cli.reliability;


import dev.lethe.embedded.ChildCluster;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.config.ClusterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * One fault-injection run on a multi-node cluster: the reliability campaign's first half published, the fault
 * injected once half of it is scored (the fault publishes the second half while it is on), then the checks every
 * cluster fault test ends with: every shard counted once, lethe.forgetting and a sink equal to the metric
 * library's output over the final scores (what {@code lethe metrics} computes), every DLQ empty.
 */
final class ClusterFaultRun {

    static final Duration SETTLE = Duration.ofMinutes(4);

    private ClusterFaultRun() {
    }

    /** A fault injected mid-run; it publishes {@code rest} (the campaign's second half) while the fault is on. */
    interface Fault {
        void inject(Pipeline pipeline, ChildCluster nodes, List<CheckpointReady> rest) throws Exception;
    }

    static void run(ReliabilityCluster cluster, TrainedCampaign trained, Path work, String name, Fault fault) throws Exception {
        long totalShards = (long) trained.events().size() * trained.shardsPerCheckpoint();
        List<CheckpointReady> first = new ArrayList<>(trained.eventsOf("mlp-16").values());
        List<CheckpointReady> rest = trained.events().stream().filter(e -> !first.contains(e)).toList();
        try (Pipeline pipeline = Pipeline.start(cluster, trained, work.resolve(name), Pipeline.Options.threads(2, Duration.ofMillis(40)));
             RecordingSink sink = RecordingSink.start(pipeline.config())) {
            pipeline.publish(first);
            pipeline.awaitShardResults((long) first.size() * trained.shardsPerCheckpoint() / 2, SETTLE);

            fault.inject(pipeline, cluster.nodes(), rest);

            Pipeline.FinalState state = pipeline.awaitFinal(totalShards, SETTLE);
            PipelineChecks.assertNothingLostTwiceOrDeadLettered(state, trained, sink, pipeline.config());
        }
    }

    static long committedShards(Pipeline pipeline) {
        return pipeline.committedTaskIds().size();
    }

    /** The partition of {@code topic} holding the most records right now. */
    static int busiestPartition(ClusterConfig config, String topic) throws InterruptedException, ExecutionException {
        try (Admin admin = Admin.create(config.clientProperties())) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = IntStream.range(0, partitions).boxed()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get().entrySet().stream()
                    .max(Map.Entry.comparingByValue((a, b) -> Long.compare(a.offset(), b.offset())))
                    .orElseThrow().getKey().partition();
        }
    }
}
