package dev.lethe.cli.reliability;


import dev.lethe.schemas.CheckpointReady;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema registry down for 30 s mid-run, with the aggregator and a sink restarted during the outage (cold
 * registry caches: they cannot decode a single record until it is back). Every component must wait and retry
 * (TransientFailure), never dead-letter a valid record: the run ends with every shard counted once, the metric
 * library's output for the final scores on lethe.forgetting and at the sink, and every DLQ empty.
 */
class RegistryOutageIT {

    private static final Duration SETTLE = Duration.ofMinutes(4);
    /** How long the registry stays down: the fault itself, not a wait for a condition. */
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    @TempDir
    static Path work;

    private static ReliabilityCluster cluster;
    private static TrainedCampaign trained;

    @BeforeAll
    static void startCluster() throws Exception {
        trained = TrainedCampaign.get();
        cluster = ReliabilityCluster.start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void shouldDeadLetterNothingAndEndWithTheLibrarysMetricsWhenTheRegistryIsDownWhileTheAggregatorAndASinkRestart()
            throws Exception {
        List<CheckpointReady> stageZero = trained.events().stream().filter(e -> e.getStage() == 0).toList();
        List<CheckpointReady> rest = trained.events().stream().filter(e -> e.getStage() > 0).toList();
        long totalShards = (long) trained.events().size() * trained.shardsPerCheckpoint();
        try (Pipeline pipeline = Pipeline.start(cluster, trained, work.resolve("registry-outage"),
                Pipeline.Options.threads(2, Duration.ofMillis(20)));
             RecordingSink sink = RecordingSink.start(pipeline.config())) {
            pipeline.publish(stageZero);
            sink.stop(); // it comes back during the outage with stage 0's metrics still to read
            pipeline.awaitScored(stageZero, SETTLE); // every record type has registered its schema

            cluster.stopRegistry();
            pipeline.publish(rest); // the publisher's cache knows CheckpointReady's id; the workers' caches are warm
            pipeline.stopAggregator();
            pipeline.startAggregatorAgainWithColdCaches(); // a new registry client: cannot decode a ShardResult until it is back
            sink.startAgainWithColdCaches(); // likewise for ForgettingMetric and KnowledgeLossAlert
            Thread.sleep(OUTAGE.toMillis()); // the outage lasts this long, whatever the parts do meanwhile
            cluster.startRegistry();

            Pipeline.FinalState state = pipeline.awaitFinal(totalShards, SETTLE);
            PipelineChecks.assertNothingLostTwiceOrDeadLettered(state, trained, sink, pipeline.config());
        }
    }
}
