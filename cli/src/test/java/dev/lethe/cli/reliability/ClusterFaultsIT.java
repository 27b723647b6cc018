package dev.lethe.cli.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.lethe.embedded.ChildCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broker failures on a real three-node KRaft cluster (child JVMs, each controller + broker, replication 3,
 * min.insync.replicas 2), one cluster for the class: each test runs the reliability campaign through the planner,
 * two workers, the aggregator and a sink under a fresh topic prefix, injects its fault mid-run and must end with
 * every shard counted once, lethe.forgetting and the sink equal to the metric library's output over the final
 * scores (what {@code lethe metrics} computes), and every DLQ empty (ClusterFaultRun).
 *
 * <p>Where Linux network namespaces can be created (root, iproute2: CI), each node runs in one of its own
 * (NetworkNamespaces) so one node can be cut off from the others and from every client; elsewhere the nodes run
 * on loopback and the partition test is skipped with the reason.
 */
class ClusterFaultsIT {

    /** How long the node stays cut off: the fault itself, not a wait for a condition. */
    private static final Duration PARTITION = Duration.ofSeconds(25);

    @TempDir
    static Path work;

    private static ReliabilityCluster cluster;
    private static TrainedCampaign trained;
    private static NetworkNamespaces spaces;
    private static String noNamespaces;

    @BeforeAll
    static void startCluster() throws Exception {
        trained = TrainedCampaign.get();
        try {
            spaces = NetworkNamespaces.create(3);
        } catch (IllegalStateException e) {
            noNamespaces = e.getMessage();
        }
        cluster = spaces == null ? ReliabilityCluster.startThreeNodes()
                : ReliabilityCluster.startThreeNodes(b -> b.nodeHost(spaces::nodeAddress).firstPort(19092)
                        .commandPrefix(spaces::execPrefix));
    }

    @AfterAll
    static void stopCluster() {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (spaces != null) {
                spaces.close();
            }
        }
    }

    /** Whatever a test did, every node is up and in sync before the next one. */
    @AfterEach
    void everyNodeBack() throws Exception {
        ChildCluster nodes = cluster.nodes();
        for (int id : nodes.nodeIds()) {
            if (!nodes.isRunning(id)) {
                nodes.start(id);
            }
        }
        assertThat(nodes.awaitFullyReplicated(List.of("__consumer_offsets", "__transaction_state", "_schemas"),
                Duration.ofMinutes(2))).isTrue();
    }

    @Test
    void shouldCountEveryShardOnceWhenTheLeaderOfTheBusiestShardResultsPartitionIsKilled() throws Exception {
        ClusterFaultRun.run(cluster, trained, work, "leader-kill", (pipeline, nodes, rest) -> {
            String topic = pipeline.config().topics().shardResults().name();
            int partition = ClusterFaultRun.busiestPartition(pipeline.config(), topic);
            int leader = nodes.leaderOf(topic, partition);
            nodes.kill(leader); // SIGKILL: no controlled shutdown, whatever it had in flight is lost
            pipeline.publish(rest);
            pipeline.awaitShardResults(ClusterFaultRun.committedShards(pipeline) + 10, ClusterFaultRun.SETTLE); // the pipeline goes on without it
            nodes.start(leader);
        });
    }

    @Test
    void shouldCountEveryShardOnceWhenEveryNodeIsRestartedInTurn() throws Exception {
        ClusterFaultRun.run(cluster, trained, work, "rolling-restart", (pipeline, nodes, rest) -> {
            String topic = pipeline.config().topics().shardResults().name();
            for (int id : nodes.nodeIds()) {
                nodes.stop(id); // controlled shutdown: leadership moves away first
                if (id == nodes.nodeIds().get(0)) {
                    pipeline.publish(rest); // the second half of the campaign arrives during the restarts
                }
                nodes.start(id);
                // as an operator would: the next node only once every replica is back in sync (after the last
                // one, everyNodeBack checks the same)
                if (id != nodes.nodeIds().get(nodes.nodeIds().size() - 1)) {
                    assertThat(nodes.awaitFullyReplicated(List.of(topic, "__transaction_state"), Duration.ofMinutes(2))).isTrue();
                }
            }
        });
    }

    @Test
    void shouldCountEveryShardOnceWhenTheBusiestPartitionsLeaderIsCutOffFromNodesAndClientsAndHealed() throws Exception {
        assumeThat(noNamespaces).as("network partition test skipped: Linux network namespaces cannot be created here (it "
                + "needs root and iproute2's ip; CI runs as root): %s", noNamespaces).isNull();
        ClusterFaultRun.run(cluster, trained, work, "partition", (pipeline, nodes, rest) -> {
            String topic = pipeline.config().topics().shardResults().name();
            int victim = nodes.leaderOf(topic, ClusterFaultRun.busiestPartition(pipeline.config(), topic));
            spaces.cutOff(victim);
            try {
                pipeline.publish(rest);
                Thread.sleep(PARTITION.toMillis()); // the partition lasts this long, whatever the parts do meanwhile
            } finally {
                spaces.heal(victim);
            }
        });
    }

    @Test
    void shouldCountEveryShardOnceWhenTheActiveControllerIsKilled() throws Exception {
        ClusterFaultRun.run(cluster, trained, work, "controller-kill", (pipeline, nodes, rest) -> {
            int controller = nodes.activeController();
            nodes.kill(controller);
            pipeline.publish(rest);
            pipeline.awaitShardResults(ClusterFaultRun.committedShards(pipeline) + 10, ClusterFaultRun.SETTLE);
            assertThat(nodes.activeController()).as("a new quorum leader").isNotEqualTo(controller);
            nodes.start(controller);
        });
    }
}
