package dev.lethe.cli.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lethe.aggregator.app.AggregatorApp;
import dev.lethe.aggregator.app.AggregatorConfig;
import dev.lethe.cli.CliRun;
import dev.lethe.cli.LetheMain;
import dev.lethe.embedded.BrokerListener;
import dev.lethe.embedded.LetheTopicsAdmin;
import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.planner.Planner;
import dev.lethe.evaluator.planner.ShardPlanner;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.evaluator.worker.EvaluatorWorker;
import dev.lethe.registry.EmbeddedSchemaRegistry;
import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.sinks.core.CompositeSink;
import dev.lethe.sinks.core.SinkRunner;
import dev.lethe.sinks.core.SinkRunnerConfig;
import dev.lethe.sinks.core.StartPosition;
import dev.lethe.sinks.jsonl.JsonlSink;
import dev.lethe.sinks.prometheus.PrometheusSink;
import dev.lethe.sinks.prometheus.PrometheusSinkConfig;
import dev.lethe.testkit.LetheCluster;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Security basics on a real broker with SCRAM-SHA-256 listeners, one SASL_PLAINTEXT and one SASL_SSL (SCRAM over
 * TLS, with a certificate made by keytool for the test): every Lethe part reaches Kafka only through such a listener
 * with the credentials given as {@code --client-property} / client overrides, the schema registry (its
 * {@code _schemas} log also over SASL) demands basic auth, and every HTTP endpoint binds to the loopback interface
 * by default.
 */
class SecurityIT {

    private static final String MECHANISM = "SCRAM-SHA-256";
    private static final String USER = "lethe";
    private static final String PASSWORD = "lethe-scram-secret";
    private static final String REGISTRY_USER_INFO = "registry-user:registry-secret";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    // made before the broker starts: its SASL_SSL listener presents this key
    private static final SelfSignedTls TLS = SelfSignedTls.generate(Path.of("target", "security-it-tls"));

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster(b -> b
            .listener(BrokerListener.scram(MECHANISM, 0))
            .listener(BrokerListener.scramOverTls(MECHANISM, 0, TLS.keystore(), TLS.password()))
            .scramUser(MECHANISM, USER, PASSWORD));

    @TempDir
    Path tmp;

    private static Map<String, String> sasl(String password) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("security.protocol", "SASL_PLAINTEXT");
        props.put("sasl.mechanism", MECHANISM);
        props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + USER + "\" password=\"" + password + "\";");
        return props;
    }

    /** SCRAM over TLS: the SASL settings, SASL_SSL, and a trust store holding the broker's certificate. */
    private static Map<String, String> saslSsl(String password) {
        Map<String, String> props = sasl(password);
        props.put("security.protocol", "SASL_SSL");
        props.putAll(TLS.clientTrust());
        return props;
    }

    @Test
    void shouldRunPublishPlannerWorkerAggregatorAndSinksOverScramAndRegistryBasicAuthOnly() throws Exception {
        runPipelineOver("SASL", sasl(PASSWORD), "lethe-sasl.");
    }

    @Test
    void shouldRunTheWholePipelineWhenEveryClientUsesScramOverTls() throws Exception {
        runPipelineOver("SASL_SSL", saslSsl(PASSWORD), "lethe-tls.");
    }

    @Test
    void shouldFailClearlyWhenTheClientDoesNotTrustTheBrokersCertificate() throws Exception {
        String tlsBootstrap = CLUSTER.broker().bootstrapServers("SASL_SSL");
        Map<String, String> untrusting = sasl(PASSWORD);
        untrusting.put("security.protocol", "SASL_SSL");
        CliRun r = publish(tlsBootstrap, "http://127.0.0.1:1", untrusting, null, 0, "lethe-tls-untrusted.");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("lethe publish:").containsIgnoringCase("ssl handshake failed");
    }

    /** Publish, plan, score, aggregate and sink two stages, every client only on {@code listener} with {@code client}. */
    private void runPipelineOver(String listener, Map<String, String> client, String prefix) throws Exception {
        String saslBootstrap = CLUSTER.broker().bootstrapServers(listener);
        assertThat(saslBootstrap).isNotEqualTo(CLUSTER.bootstrapServers());
        Map<String, String> sasl = client;
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(EmbeddedSchemaRegistry.Options.of(saslBootstrap)
                .withClientOverrides(sasl).withUserInfo(REGISTRY_USER_INFO).withTopic("_schemas_" + prefix.replace(".", "")))) {
            ClusterConfig config = new ClusterConfig(saslBootstrap, registry.url(), prefix, sasl, REGISTRY_USER_INFO)
                    .validated();
            LetheTopicsAdmin.createAll(config, config.topics());
            EvaluatorConfig evaluator = EvaluatorConfig.defaults(config)
                    .withScorer(EvaluatorConfig.ScorerMode.SLEEP, Duration.ofMillis(1));
            Path out = Files.createDirectories(tmp.resolve("out"));
            PrometheusSink prometheus = new PrometheusSink(PrometheusSinkConfig.defaults().withPort(0));
            JsonlSink jsonl = new JsonlSink(out);

            try (Planner planner = new Planner(evaluator);
                 EvaluatorWorker worker = new EvaluatorWorker(evaluator.withWorkerId("sasl-0"));
                 // the default application id carries the topic prefix: the two tests' aggregators share no state
                 AggregatorApp aggregator = AggregatorApp.start(AggregatorConfig.defaults(config)
                         .withStateDir(tmp.resolve("state")).withHttp(AggregatorConfig.DEFAULT_HTTP_HOST, 0));
                 SinkRunner sinks = SinkRunner.start(config, SinkRunnerConfig.defaults("sasl", StartPosition.EARLIEST),
                         new CompositeSink("sasl", List.of(jsonl, prometheus)))) {
                planner.start();
                worker.start();
                assertThat(aggregator.awaitRunning(TIMEOUT)).as("aggregator running over SASL").isTrue();

                for (int stage = 0; stage <= 1; stage++) {
                    CliRun r = publish(saslBootstrap, registry.url(), client, REGISTRY_USER_INFO, stage, prefix);
                    assertThat(r.exit()).as(r.err()).isZero();
                    assertThat(r.out()).contains("checkpointId=sasl/m/" + stage);
                }

                int benchmarks = new ShardPlanner(new SuiteCatalog(null)).plan(event(1)).tasks().stream()
                        .map(EvalTask::getBenchmark).collect(Collectors.toSet()).size();
                List<ConsumerRecord<String, BenchmarkScore>> scores = CLUSTER.readAll(config.topics().benchmarkScores().name(),
                        2 * benchmarks, TIMEOUT, AvroSerdes.forTopic(config.topics().benchmarkScores(), config).deserializer());
                assertThat(scores).hasSize(2 * benchmarks);
                assertThat(scores).allSatisfy(s -> assertThat(s.value().getCampaign()).isEqualTo("sasl"));

                String metrics = awaitFileContaining(jsonl.metricsFile(), "\"scope\":\"MODEL\"", "\"stage\":1");
                assertThat(metrics.lines().filter(l -> l.contains("\"model\":\"m\""))).isNotEmpty();

                // every HTTP endpoint bound to loopback by default, and serving there
                int prometheusPort = prometheus.port();
                int aggregatorPort = aggregator.endpoint().getPort();
                int registryPort = URI.create(registry.url()).getPort();
                for (int port : List.of(prometheusPort, aggregatorPort, registryPort)) {
                    Set<InetAddress> bound = ListeningSockets.addresses(port);
                    assertThat(bound).as("listening addresses of port %d", port).isNotEmpty()
                            .allSatisfy(a -> assertThat(a.isLoopbackAddress()).as(a.toString()).isTrue());
                }
                String scrape = get(URI.create(prometheus.url()));
                assertThat(scrape).contains("lethe_forgetting");
                assertThat(get(aggregator.endpoint().resolve("/families"))).contains("mlp");

                assertThat(planner.failure()).isNull();
                assertThat(worker.failure()).isNull();
            }
        }
    }

    @Test
    void shouldFailClearlyWhenTheScramPasswordIsWrongOrRegistryCredentialsAreMissing() throws Exception {
        String saslBootstrap = CLUSTER.broker().bootstrapServers("SASL");
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(EmbeddedSchemaRegistry.Options.of(saslBootstrap)
                .withClientOverrides(sasl(PASSWORD)).withUserInfo(REGISTRY_USER_INFO).withTopic("_schemas_sasl2"))) {
            LetheTopicsAdmin.createAll(new ClusterConfig(saslBootstrap, registry.url(), "lethe-sasl2.", sasl(PASSWORD),
                    REGISTRY_USER_INFO).validated(), dev.lethe.schemas.topics.Topics.withPrefix("lethe-sasl2."));

            CliRun wrongPassword = publish(saslBootstrap, registry.url(), "not-the-password", REGISTRY_USER_INFO, 0, "lethe-sasl2.");
            assertThat(wrongPassword.exit()).isEqualTo(1);
            assertThat(wrongPassword.err()).contains("lethe publish:").containsIgnoringCase("authentication failed");

            CliRun noRegistryAuth = publish(saslBootstrap, registry.url(), PASSWORD, null, 0, "lethe-sasl2.");
            assertThat(noRegistryAuth.exit()).isEqualTo(1);
            assertThat(noRegistryAuth.err()).contains("lethe publish:").contains("401");

            CliRun wrongRegistryAuth = publish(saslBootstrap, registry.url(), PASSWORD, "registry-user:guess", 0, "lethe-sasl2.");
            assertThat(wrongRegistryAuth.exit()).isEqualTo(1);
            assertThat(wrongRegistryAuth.err()).contains("401");

            CliRun ok = publish(saslBootstrap, registry.url(), PASSWORD, REGISTRY_USER_INFO, 0, "lethe-sasl2.");
            assertThat(ok.exit()).as(ok.err()).isZero();

            // the password kept out of the command line: Kafka's FileConfigProvider reads it from a file
            Path secrets = tmp.resolve("kafka-secrets.properties");
            Files.writeString(secrets, "jaas=" + sasl(PASSWORD).get("sasl.jaas.config") + "\n");
            CliRun fromFile = publish(saslBootstrap, registry.url(), (String) null, REGISTRY_USER_INFO, 1, "lethe-sasl2.",
                    "--client-property", "config.providers=file",
                    "--client-property", "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider",
                    "--client-property", "sasl.jaas.config=${file:" + secrets + ":jaas}");
            assertThat(fromFile.exit()).as(fromFile.err()).isZero();
            assertThat(fromFile.out()).contains("checkpointId=sasl/m/1");

            // or the whole secret in a properties file handed to --client-properties-file (Kafka's --command-config)
            Path clientConfig = tmp.resolve("client.properties");
            Files.writeString(clientConfig, "sasl.jaas.config=" + sasl(PASSWORD).get("sasl.jaas.config") + "\n");
            CliRun fromPropertiesFile = publish(saslBootstrap, registry.url(), (String) null, REGISTRY_USER_INFO, 2, "lethe-sasl2.",
                    "--client-properties-file", clientConfig.toString());
            assertThat(fromPropertiesFile.exit()).as(fromPropertiesFile.err()).isZero();
            assertThat(fromPropertiesFile.out()).contains("checkpointId=sasl/m/2");
        }
    }

    @Test
    void shouldDefaultEveryHttpEndpointOfTheCliToLoopbackAndDetectAWildcardBind() throws Exception {
        CommandLine lethe = LetheMain.commandLine();
        assertThat(lethe.getSubcommands().get("aggregate").getCommandSpec().findOption("--http-host").defaultValue())
                .isEqualTo("127.0.0.1");
        assertThat(lethe.getSubcommands().get("sink").getSubcommands().get("prometheus").getCommandSpec()
                .findOption("--host").defaultValue()).isEqualTo("127.0.0.1");
        assertThat(lethe.getSubcommands().get("registry").getCommandSpec().findOption("--host").defaultValue())
                .isEqualTo("127.0.0.1");
        assertThat(lethe.getSubcommands().get("broker").getCommandSpec().findOption("--host").defaultValue())
                .isEqualTo("127.0.0.1");
        // the socket check above can fail: a wildcard bind is seen as one
        try (ServerSocket wildcard = new ServerSocket()) {
            wildcard.bind(new InetSocketAddress("0.0.0.0", 0));
            assertThat(ListeningSockets.addresses(wildcard.getLocalPort()))
                    .anySatisfy(a -> assertThat(a.isLoopbackAddress()).isFalse());
        }
    }

    private static CheckpointReady event(int stage) {
        return CheckpointReady.newBuilder().setCheckpointId("sasl/m/" + stage).setCampaign("sasl").setFamily("mlp")
                .setModel("m").setStage(stage).setTask(stage == 0 ? null : "perm-" + stage)
                .setCheckpointUri("file:/tmp/lethe-sasl/m-" + stage + ".zip").setCheckpointSha256("cd".repeat(32))
                .setFormat(CheckpointFormat.DL4J_MULTILAYER).setSuite("digits-cl").setCreatedAt(Instant.now())
                .setAttributes(Map.of("dataset", "digits", "protocol", "permuted", "seed", "3", "stages", "1")).build();
    }

    /** {@code lethe publish} over the SASL_PLAINTEXT listener; a null password leaves sasl.jaas.config to {@code extra}. */
    private static CliRun publish(String bootstrap, String registryUrl, String password, String registryUserInfo, int stage,
                                  String prefix, String... extra) {
        Map<String, String> client = sasl(password == null ? "unused" : password);
        if (password == null) {
            client.remove("sasl.jaas.config");
        }
        return publish(bootstrap, registryUrl, client, registryUserInfo, stage, prefix, extra);
    }

    /** {@code lethe publish} with the client settings given only as --client-property, as an operator would. */
    private static CliRun publish(String bootstrap, String registryUrl, Map<String, String> client, String registryUserInfo,
                                  int stage, String prefix, String... extra) {
        List<String> args = new ArrayList<>(List.of("publish", "--bootstrap-servers", bootstrap,
                "--schema-registry", registryUrl, "--topic-prefix", prefix, "--timeout", "15",
                "--campaign", "sasl", "--family", "mlp", "--model", "m", "--stage", Integer.toString(stage),
                "--uri", "file:/tmp/lethe-sasl/m-" + stage + ".zip", "--sha256", "cd".repeat(32),
                "--format", "DL4J_MULTILAYER", "--suite", "digits-cl",
                "--attr", "dataset=digits", "--attr", "protocol=permuted", "--attr", "seed=3", "--attr", "stages=1"));
        if (stage > 0) {
            args.addAll(List.of("--task", "perm-" + stage));
        }
        client.forEach((k, v) -> args.addAll(List.of("--client-property", k + "=" + v)));
        args.addAll(List.of(extra));
        if (registryUserInfo != null) {
            args.addAll(List.of("--registry-user-info", registryUserInfo));
        }
        return CliRun.of(args.toArray(String[]::new));
    }

    private static String awaitFileContaining(Path file, String... parts) throws Exception {
        return await("a line of " + file + " containing " + List.of(parts)).atMost(TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(file) ? Files.readString(file) : "",
                        content -> content.lines().anyMatch(l -> List.of(parts).stream().allMatch(l::contains)));
    }

    private static String get(URI uri) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(uri.toString()).isEqualTo(200);
        return response.body();
    }

}
