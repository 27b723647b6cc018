package dev.lethe.cli.aggregator;

import dev.lethe.aggregator.app.AggregatorApp;
import dev.lethe.aggregator.app.AggregatorConfig;
import dev.lethe.cli.ClusterOptions;
import dev.lethe.cli.UsageException;
import dev.lethe.embedded.LetheTopicsAdmin;
import dev.lethe.schemas.config.ClusterConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lethe aggregate}: runs one aggregator instance (lethe.shard-results -> lethe.benchmark-scores,
 * lethe.forgetting, lethe.alerts) and its query endpoint against any cluster until SIGTERM or Ctrl-C.
 */
@Command(name = "aggregate", mixinStandardHelpOptions = true,
        description = {"Run the aggregator (Kafka Streams, exactly_once_v2) and its JSON query endpoint until stopped.",
            "Endpoint: /families, /families/{family}, /models/{campaign}/{model}, /alerts?since=ISO-8601.",
            "Start more instances with the same --application-id to share the work; any instance answers any query."})
public final class AggregateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Mixin
    AlertOptions alertOptions;

    @Option(names = "--application-id", paramLabel = "ID",
            description = "Kafka Streams application.id shared by all instances (default: " + AggregatorConfig.DEFAULT_APPLICATION_ID
                    + ", or <prefix>aggregator with another --topic-prefix).")
    String applicationId;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "${sys:java.io.tmpdir}/lethe-aggregator",
            description = "Local state directory; rebuilt from the changelogs when empty (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--http-host", paramLabel = "HOST", defaultValue = AggregatorConfig.DEFAULT_HTTP_HOST,
            description = "Interface the query endpoint binds to (default: ${DEFAULT-VALUE}, local only).")
    String httpHost;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "" + AggregatorConfig.DEFAULT_HTTP_PORT,
            description = "Query endpoint port, 0 for any free port, -1 for none (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--advertised-host", paramLabel = "HOST",
            description = "Host other instances reach this one's endpoint at (default: the --http-host).")
    String advertisedHost;

    @Option(names = "--stream-threads", paramLabel = "N", defaultValue = "" + AggregatorConfig.DEFAULT_STREAM_THREADS,
            description = "Kafka Streams threads (default: ${DEFAULT-VALUE}).")
    int streamThreads;

    @Option(names = "--commit-interval-ms", paramLabel = "MS", defaultValue = "" + AggregatorConfig.DEFAULT_COMMIT_INTERVAL_MS,
            description = "Exactly-once commit interval, the output latency (default: ${DEFAULT-VALUE}).")
    long commitIntervalMs;

    @Option(names = "--create-topics", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Create missing Lethe topics first (default: ${DEFAULT-VALUE}).")
    boolean createTopics;

    @Override
    public Integer call() {
        ClusterConfig clusterConfig = cluster.toConfig();
        AggregatorConfig config;
        try {
            config = new AggregatorConfig(clusterConfig,
                    applicationId == null ? AggregatorConfig.defaults(clusterConfig).applicationId() : applicationId, stateDir, httpHost, httpPort, advertisedHost,
                    streamThreads, commitIntervalMs, alertOptions.toConfig()).validated();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage().replace("aggregator.", "--"));
        }
        if (createTopics) {
            LetheTopicsAdmin.createAll(clusterConfig, clusterConfig.topics());
        }
        AggregatorApp app = AggregatorApp.start(config);
        Thread hook = new Thread(app::close, "lethe-aggregate-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        spec.commandLine().getOut().println("lethe aggregate: " + config.applicationId() + " on "
                + clusterConfig.bootstrapServers() + (app.endpoint() == null ? "" : ", queries at " + app.endpoint())
                + " (Ctrl-C to stop)");
        spec.commandLine().getOut().flush();
        boolean failed = false;
        try {
            failed = app.awaitStop();
        } catch (InterruptedException stopRequest) {
            // an embedding thread asked us to stop: a clean stop like SIGTERM
            Thread.currentThread().interrupt();
        } finally {
            // interrupted (embedding code) or stopped: close cleanly either way
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is what stopped us
            }
            app.close();
        }
        if (failed) {
            throw new IllegalStateException("the aggregator stopped after an error (see the log)");
        }
        return 0;
    }
}
