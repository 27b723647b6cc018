package dev.lethe.cli.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lethe broker} as a real process: kcat sees the broker, and SIGTERM leaves no JVM behind. */
class BrokerCommandIT {

    @TempDir
    Path dataDir;

    @Test
    void shouldServeKcatAndLeaveNoChildJvmWhenTerminated() throws Exception {
        Path kcat = findKcat();
        List<Long> before = ProcessHandle.current().descendants().map(ProcessHandle::pid).toList();
        Process lethe = startLethe("broker", "--port", "0", "--registry-port", "0", "--data-dir", dataDir.toString());
        try {
            Map<String, String> lines = readLines(lethe, Duration.ofSeconds(120), "bootstrap.servers", "schema.registry.url");
            String bootstrap = lines.get("bootstrap.servers");
            String registry = lines.get("schema.registry.url");
            assertThat(bootstrap).matches("127\\.0\\.0\\.1:\\d+");
            assertThat(registry).matches("http://127\\.0\\.0\\.1:\\d+");

            Process kcatRun = new ProcessBuilder(kcat.toString(), "-b", bootstrap, "-L", "-m", "10")
                    .redirectErrorStream(true).start();
            String metadata = new String(kcatRun.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(kcatRun.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(kcatRun.exitValue()).as(metadata).isZero();
            assertThat(metadata).contains("1 brokers:", "broker 1 at " + bootstrap, "topic \"lethe.checkpoints\" with 3 partitions",
                    "topic \"lethe.eval-tasks\" with 6 partitions", "topic \"lethe.checkpoints-dlq\"");

            HttpResponse<String> subjects = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(registry + "/subjects")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(subjects.statusCode()).isEqualTo(200);
            assertThat(subjects.body()).isEqualTo("[]");

            List<ProcessHandle> tree = lethe.descendants().toList();
            assertThat(tree).as("the broker runs in a child JVM of lethe broker")
                    .anyMatch(p -> p.info().command().orElse("").endsWith("java"));

            lethe.destroy(); // SIGTERM

            assertThat(lethe.waitFor(60, TimeUnit.SECONDS)).as("lethe broker ended after SIGTERM").isTrue();
            assertAllEnded(tree, before, "SIGTERM");
            assertThat(dataDir.resolve("kraft-logs/meta.properties")).as("--data-dir is kept").exists();
        } finally {
            lethe.descendants().forEach(ProcessHandle::destroyForcibly);
            lethe.destroyForcibly();
        }
    }

    @Test
    void shouldServeAThreeNodeClusterAtReplicationThreeAndLeaveNoJvmWhenKilled() throws Exception {
        Path kcat = findKcat();
        List<Long> before = ProcessHandle.current().descendants().map(ProcessHandle::pid).toList();
        Process lethe = startLethe("broker", "--nodes", "3", "--port", "0", "--registry-port", "0", "--broker-heap", "384m");
        try {
            Map<String, String> lines = readLines(lethe, Duration.ofSeconds(180), "bootstrap.servers", "schema.registry.url");
            String bootstrap = lines.get("bootstrap.servers");
            assertThat(bootstrap).matches("127\\.0\\.0\\.1:\\d+,127\\.0\\.0\\.1:\\d+,127\\.0\\.0\\.1:\\d+");

            Process kcatRun = new ProcessBuilder(kcat.toString(), "-b", bootstrap, "-L", "-t", "lethe.shard-results", "-m", "10")
                    .redirectErrorStream(true).start();
            String metadata = new String(kcatRun.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(kcatRun.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(metadata).contains("3 brokers:", "topic \"lethe.shard-results\" with 3 partitions");
            assertThat(metadata.lines().filter(l -> l.contains("partition ")))
                    .hasSize(3).allSatisfy(l -> assertThat(l).containsPattern("replicas: \\d,\\d,\\d,"));
            List<ProcessHandle> tree = lethe.descendants().toList();
            assertThat(tree.stream().filter(p -> p.info().command().orElse("").endsWith("java"))).as("one JVM per node").hasSize(3);

            lethe.destroyForcibly(); // SIGKILL: no hook runs, the nodes' stdin watchdogs must stop them

            assertThat(lethe.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertAllEnded(tree, before, "SIGKILL of lethe broker");
        } finally {
            lethe.descendants().forEach(ProcessHandle::destroyForcibly);
            lethe.destroyForcibly();
        }
    }

    private static Process startLethe(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.lethe.cli.LetheMain"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(Redirect.PIPE).redirectError(Redirect.INHERIT);
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb.start();
    }

    private static void assertAllEnded(List<ProcessHandle> tree, List<Long> before, String after) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (ProcessHandle p : tree) {
            try {
                p.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException stillAlive) {
                // reported by the assertion below
            }
        }
        assertThat(tree.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList())
                .as("processes left after " + after).isEmpty();
        assertThat(ProcessHandle.current().descendants().map(ProcessHandle::pid).filter(p -> !before.contains(p)).toList())
                .as("no new descendant of the test JVM is left").isEmpty();
    }

    private static Path findKcat() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator)) {
            for (String name : List.of("kcat", "kafkacat")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        throw new AssertionError("kcat is not installed (apt-get install -y kcat; .ci/run installs it): "
                + "this test checks lethe broker with Kafka's C client");
    }

    private static Map<String, String> readLines(Process process, Duration timeout, String... keys)
            throws InterruptedException {
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    queue.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "lethe-broker-stdout");
        reader.setDaemon(true);
        reader.start();
        Map<String, String> found = new HashMap<>();
        List<String> seen = new ArrayList<>();
        try {
            // reads what the broker printed so far; stops early when it has exited
            await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).pollInSameThread().until(() -> {
                String line = queue.poll(200, TimeUnit.MILLISECONDS);
                if (line == null) {
                    return !process.isAlive();
                }
                seen.add(line);
                for (String key : keys) {
                    if (line.startsWith(key + "=")) {
                        found.put(key, line.substring(key.length() + 1));
                    }
                }
                return found.size() == keys.length;
            });
        } catch (ConditionTimeoutException notPrinted) {
            // reported below
        }
        if (found.size() < keys.length) {
            throw new AssertionError("lethe broker did not print " + List.of(keys) + " within " + timeout
                    + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")") + "; stdout was:\n"
                    + seen.stream().collect(Collectors.joining("\n")));
        }
        return found;
    }
}
