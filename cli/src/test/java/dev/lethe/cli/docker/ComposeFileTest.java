package dev.lethe.cli.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lethe.cli.LetheMain;
import dev.lethe.schemas.topics.Topic;
import dev.lethe.schemas.topics.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Keeps docker/docker-compose.yml in step with the code without a Docker engine: its topic-init script against
 * {@link Topics}, its broker durability settings, and every {@code lethe} command line against the picocli model.
 */
class ComposeFileTest {

    private static final Path COMPOSE_FILE = Path.of("..", "docker", "docker-compose.yml");
    // ${VAR:-default} as Compose interpolates it when VAR is unset
    private static final Pattern DEFAULTED_VARIABLE = Pattern.compile("\\$\\{[A-Z_]+:-([^}]*)}");

    private static List<String> lines;
    private static Map<String, List<String>> services;

    @BeforeAll
    static void readComposeFile() throws IOException {
        lines = Files.readAllLines(COMPOSE_FILE);
        services = servicesOf(lines);
    }

    /** Runs topic-init's own script with bash, a stand-in kafka-topics.sh recording each call. */
    @Test
    void shouldCreateEveryLetheTopicWithItsLayoutWhenTheTopicInitScriptRuns(@TempDir Path dir) throws Exception {
        Path calls = dir.resolve("calls.log");
        Path kafkaTopics = dir.resolve("kafka-topics.sh");
        // --describe answers one "ReplicationFactor: 3" per topic created with RF 3, so the script's own check bites
        Files.writeString(kafkaTopics, String.join("\n",
                "#!/bin/bash",
                "printf '%s\\n' \"$*\" >> '" + calls + "'",
                "if [[ \"$*\" == *--describe* ]]; then",
                "  grep -- '--create' '" + calls + "' | grep -- '--replication-factor 3' | sed 's/.*/ReplicationFactor: 3/'",
                "fi", ""));
        assertThat(kafkaTopics.toFile().setExecutable(true)).isTrue();
        Path script = dir.resolve("topic-init.sh");
        // what the container's bash receives: Compose turns $$ into $
        Files.writeString(script, topicInitScript().replace("$$", "$")
                .replace("/opt/kafka/bin/kafka-topics.sh", kafkaTopics.toString()));

        ProcessBuilder bash = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
        bash.environment().put("PREFIX", Topics.DEFAULT_PREFIX);
        bash.environment().put("BOOTSTRAP", "kafka-1:19092");
        Process run = bash.start();
        String output = new String(run.getInputStream().readAllBytes());
        assertThat(run.waitFor()).as(output).isZero();
        assertThat(output).contains("13 Lethe topics with replication factor 3");

        Map<String, String> expected = new LinkedHashMap<>();
        for (Topic<?> topic : Topics.defaults().all()) {
            expected.put(topic.name(), topic.partitions() + " " + configsOf(topic.configs()) + " rf=3");
        }
        Pattern create = Pattern.compile("--topic (\\S+) --partitions (\\d+) --replication-factor (\\d+)(?: --config (\\S+))?");
        Map<String, String> created = new LinkedHashMap<>();
        for (String call : Files.readAllLines(calls)) {
            Matcher m = create.matcher(call);
            if (call.contains("--create") && m.find()) {
                created.put(m.group(1), m.group(2) + " " + (m.group(4) == null ? "" : m.group(4)) + " rf=" + m.group(3));
            }
        }
        assertThat(created).isEqualTo(expected);
    }

    /** The block scalar under topic-init's {@code command: - |}, its indentation removed. */
    private static String topicInitScript() {
        StringBuilder script = new StringBuilder();
        boolean inBlock = false;
        for (String line : services.get("topic-init")) {
            if (line.equals("      - |")) {
                inBlock = true;
            } else if (inBlock && (line.startsWith("        ") || line.isBlank())) {
                script.append(line.length() >= 8 ? line.substring(8) : "").append('\n');
            } else if (inBlock) {
                break;
            }
        }
        assertThat(script).as("topic-init script").isNotEmpty();
        return script.toString();
    }

    @Test
    void shouldReplicateThreeTimesWithTwoInSyncWhenBrokersStart() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = Pattern.compile("^\\s+(KAFKA_[A-Z_]+|CLUSTER_ID):\\s+\"?([^\"]*)\"?\\s*$").matcher(line);
            if (m.matches()) {
                env.put(m.group(1), m.group(2));
            }
        }
        assertThat(env).containsEntry("KAFKA_DEFAULT_REPLICATION_FACTOR", "3")
                .containsEntry("KAFKA_MIN_INSYNC_REPLICAS", "2")
                .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "3")
                .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "3")
                .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "2")
                .containsEntry("KAFKA_PROCESS_ROLES", "broker,controller")
                .containsEntry("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093");
        // what `kafka-storage format` accepts: a base64url-encoded 16-byte UUID
        assertThat(org.apache.kafka.common.Uuid.fromString(env.get("CLUSTER_ID")).toString()).isEqualTo(env.get("CLUSTER_ID"));
        assertThat(services).containsKeys("kafka-1", "kafka-2", "kafka-3");
        for (String node : List.of("kafka-1", "kafka-2", "kafka-3")) {
            assertThat(String.join("\n", services.get(node))).contains("image: apache/kafka:4.");
        }
    }

    @Test
    void shouldScaleEvaluatorsWhenNoFixedNameOrHostPortIsSet() {
        List<String> evaluator = services.get("evaluator");
        assertThat(evaluator).isNotNull();
        assertThat(evaluator).noneMatch(l -> l.trim().startsWith("container_name:"))
                .noneMatch(l -> l.trim().startsWith("ports:"));
        assertThat(commandOf(evaluator)).contains("--workers=1", "--checkpoint-root=/checkpoints")
                .doesNotContain("--planner-id=planner-0").noneMatch(a -> a.startsWith("--worker-id-prefix"));
        assertThat(evaluator).anyMatch(l -> l.trim().equals("- checkpoints:/checkpoints:ro"));
    }

    @Test
    void shouldRunExactlyOnePlannerWhenEvaluatorsAreScaled() {
        // every planner with the same --planner-id shares one transactional id: a second one would fence the first
        List<String> planners = new ArrayList<>();
        services.forEach((name, body) -> {
            List<String> args = commandOf(body);
            if (!args.isEmpty() && args.get(0).equals("evaluate") && !args.contains("--no-planner")) {
                planners.add(name);
            }
        });
        assertThat(planners).containsExactly("planner");
        assertThat(services.get("planner")).noneMatch(l -> l.trim().startsWith("replicas:"));
        assertThat(commandOf(services.get("planner"))).contains("--workers=0");
    }

    @Test
    void shouldMountFilesThatExistWhenServicesBindRepositoryPaths() {
        List<String> missing = new ArrayList<>();
        for (String line : lines) {
            Matcher m = Pattern.compile("^\\s+- (\\.{1,2}/[^:]+):").matcher(line);
            if (m.find() && !Files.exists(COMPOSE_FILE.getParent().resolve(m.group(1)))) {
                missing.add(m.group(1));
            }
        }
        assertThat(lines).anyMatch(l -> l.contains("lethe-alerts.rules.yml:"));
        assertThat(missing).isEmpty();
    }

    @Test
    void shouldPassPromtoolWhenThePrometheusConfigIsChecked() throws Exception {
        Path config = COMPOSE_FILE.getParent().resolve("prometheus.yml");
        assertThat(Files.readString(config)).contains("sink-prometheus:9470");
        Process promtool;
        try {
            promtool = new ProcessBuilder("promtool", "check", "config", config.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "promtool is not installed (Debian package prometheus; .ci/run installs it)");
            return;
        }
        String output = new String(promtool.getInputStream().readAllBytes());
        assertThat(promtool.waitFor()).as(output).isZero();
    }

    @Test
    void shouldPassAmtoolWhenTheAlertmanagerConfigIsChecked() throws Exception {
        Path config = COMPOSE_FILE.getParent().resolve("alertmanager.yml");
        assertThat(String.join("\n", services.get("sink-alertmanager"))).contains("--url=http://alertmanager:9093");
        Process amtool;
        try {
            amtool = new ProcessBuilder("amtool", "check-config", config.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "amtool is not installed (Debian package prometheus-alertmanager; .ci/run installs it)");
            return;
        }
        String output = new String(amtool.getInputStream().readAllBytes());
        assertThat(amtool.waitFor()).as(output).isZero();
        assertThat(output).contains("SUCCESS");
    }

    /** Every lethe service's command line must parse with the real CLI, so a renamed flag fails here, not in production. */
    @TestFactory
    Stream<DynamicTest> shouldParseEveryLetheCommandWhenTheRealCliReadsIt() {
        List<DynamicTest> tests = new ArrayList<>();
        services.forEach((name, body) -> {
            if (body.stream().noneMatch(l -> l.trim().equals("<<: *lethe"))) {
                return;
            }
            List<String> args = commandOf(body);
            tests.add(DynamicTest.dynamicTest(name + ": lethe " + String.join(" ", args), () -> {
                assertThat(args).isNotEmpty();
                CommandLine root = LetheMain.commandLine();
                String missing = missingSubcommand(root, args);
                assertThat(missing).as("subcommand of the compose file not registered in LetheMain").isNull();
                CommandLine.ParseResult parsed = root.parseArgs(args.toArray(String[]::new));
                assertThat(parsed.hasSubcommand()).isTrue();
            }));
        });
        assertThat(tests).hasSizeGreaterThanOrEqualTo(7);
        return tests.stream();
    }

    private static String missingSubcommand(CommandLine root, List<String> args) {
        CommandLine current = root;
        for (String arg : args) {
            if (arg.startsWith("-")) {
                return null;
            }
            CommandLine next = current.getSubcommands().get(arg);
            if (next == null) {
                return current == root ? arg : current.getCommandName() + " " + arg;
            }
            current = next;
        }
        return null;
    }

    private static String configsOf(Map<String, String> configs) {
        return configs.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted()
                .reduce((a, b) -> a + "," + b).orElse("");
    }

    /** The {@code - item} lines under a service's {@code command:} key, with ${VAR:-default} resolved. */
    private static List<String> commandOf(List<String> body) {
        List<String> args = new ArrayList<>();
        boolean inCommand = false;
        for (String line : body) {
            if (line.equals("    command:")) {
                inCommand = true;
            } else if (inCommand && line.startsWith("      - ")) {
                args.add(DEFAULTED_VARIABLE.matcher(line.substring(8).trim()).replaceAll("$1"));
            } else if (inCommand) {
                break;
            }
        }
        return args;
    }

    /** Service name to its lines: services sit at two spaces of indentation under {@code services:}. */
    private static Map<String, List<String>> servicesOf(List<String> lines) {
        Map<String, List<String>> result = new LinkedHashMap<>();
        boolean inServices = false;
        List<String> current = null;
        for (String line : lines) {
            if (line.equals("services:")) {
                inServices = true;
                continue;
            }
            if (!inServices) {
                continue;
            }
            if (!line.isEmpty() && !line.startsWith(" ") && !line.startsWith("#")) {
                break; // the next top-level key
            }
            Matcher m = Pattern.compile("^  ([a-z0-9-]+):\\s*$").matcher(line);
            if (m.matches()) {
                current = new ArrayList<>();
                result.put(m.group(1), current);
            } else if (current != null && !line.trim().startsWith("#")) {
                current.add(line);
            }
        }
        return result;
    }
}
