package dev.lethe.cli.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.evaluator.planner.ShardPlanner;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.testkit.LetheCluster;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code lethe evaluate --workers 2} as a real process: planner + two worker child JVMs score a checkpoint exactly once. */
class EvaluateCommandIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    @TempDir
    Path checkpoints;

    @Test
    void shouldPlanAndScoreEveryShardOnceWithWorkerProcessesAndStopOnSigterm() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Map<String, String> attributes = Map.of("dataset", "digits", "protocol", "split", "seed", "3", "stages", "2");
        CheckpointReady event = CheckpointReady.newBuilder()
                .setCheckpointId("cli/mlp/1").setCampaign("cli").setFamily("mlp").setModel("mlp").setStage(1).setTask("split-1")
                .setCheckpointUri(checkpoints.resolve("cli/mlp/stage-1.zip").toUri().toString()).setCheckpointSha256("3".repeat(64))
                .setFormat(CheckpointFormat.DL4J_MULTILAYER).setSuite("digits-cl").setCreatedAt(Instant.now())
                .setAttributes(new HashMap<>(attributes)).build();
        Set<String> expected = new ShardPlanner(new SuiteCatalog(null)).plan(event).tasks().stream()
                .map(EvalTask::getTaskId).collect(Collectors.toSet());

        ProcessBuilder pb = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                "-cp", System.getProperty("java.class.path"), "dev.lethe.cli.LetheMain", "evaluate",
                "--bootstrap-servers", cluster.bootstrapServers(), "--schema-registry", cluster.schemaRegistryUrl(),
                "--topic-prefix", cluster.topicPrefix(), "--workers", "2", "--worker-id-prefix", "it",
                "--checkpoint-root", checkpoints.toString(), "--scorer", "sleep", "--scorer-sleep-ms", "1"))
                .redirectError(Redirect.INHERIT);
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process lethe = pb.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(lethe.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            while (line != null && !line.startsWith("lethe evaluate:")) {
                line = out.readLine(); // test logging also goes to stdout
            }
            assertThat(line).startsWith("lethe evaluate: planner + 2 worker processes (it-0..it-1)");
            Thread drain = new Thread(() -> {
                try {
                    out.transferTo(java.io.Writer.nullWriter());
                } catch (java.io.IOException e) {
                    // the process ended
                }
            });
            drain.setDaemon(true);
            drain.start();
            CLUSTER.send(cluster.topics().checkpoints(), "cli/mlp", event);

            List<ConsumerRecord<String, ShardResult>> results = CLUSTER.readAll(cluster.topics().shardResults(), expected.size(), Duration.ofSeconds(120));

            Map<String, Long> counts = results.stream().collect(Collectors.groupingBy(r -> r.value().getTaskId(), Collectors.counting()));
            assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(counts.values()).containsOnly(1L);
            assertThat(results).allSatisfy(r -> assertThat(r.value().getEvaluatorId()).isIn("it-0", "it-1"));
            List<ProcessHandle> workers = lethe.descendants().toList();
            assertThat(workers).hasSize(2);
            for (ProcessHandle worker : workers) { // ProcessHandle.info() drops very long command lines: read /proc
                assertThat(proc(worker, "cmdline")).contains("-Djdk.serialFilter=!*", "dev.lethe.evaluator.WorkerMain");
                assertThat(proc(worker, "environ")).contains("OMP_NUM_THREADS=1");
            }

            lethe.destroy(); // SIGTERM: workers stop gracefully, then the planner

            assertThat(lethe.waitFor(90, TimeUnit.SECONDS)).as("lethe evaluate ended after SIGTERM").isTrue();
            for (ProcessHandle worker : workers) {
                assertThat(worker.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
            }
        } finally {
            lethe.descendants().forEach(ProcessHandle::destroyForcibly);
            lethe.destroyForcibly();
        }
    }

    private static List<String> proc(ProcessHandle process, String file) throws java.io.IOException {
        byte[] bytes = java.nio.file.Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), file));
        return List.of(new String(bytes, StandardCharsets.UTF_8).split("\0"));
    }
}
