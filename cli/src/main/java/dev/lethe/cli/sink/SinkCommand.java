package dev.lethe.cli.sink;

import dev.lethe.cli.ClusterOptions;
import dev.lethe.cli.UsageException;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.sinks.alertmanager.AlertmanagerSink;
import dev.lethe.sinks.alertmanager.AlertmanagerSinkConfig;
import dev.lethe.sinks.console.ConsoleSink;
import dev.lethe.sinks.core.MetricSink;
import dev.lethe.sinks.core.SinkProgress;
import dev.lethe.sinks.core.SinkRunner;
import dev.lethe.sinks.core.SinkRunnerConfig;
import dev.lethe.sinks.core.StartPosition;
import dev.lethe.sinks.dashboard.DashboardConfig;
import dev.lethe.sinks.dashboard.DashboardSink;
import dev.lethe.sinks.dashboard.PipelineProbe;
import dev.lethe.sinks.jsonl.JsonlSink;
import dev.lethe.sinks.prometheus.PrometheusSink;
import dev.lethe.sinks.prometheus.PrometheusSinkConfig;
import dev.lethe.sinks.report.ReportSink;
import dev.lethe.sinks.webhook.WebhookSink;
import dev.lethe.sinks.webhook.WebhookSinkConfig;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lethe sink console|jsonl|prometheus|webhook|alertmanager|dashboard|report}: runs one sink of {@code lethe.forgetting} and
 * {@code lethe.alerts} against any cluster, until Ctrl-C or, with {@code --exit-when-caught-up}, until it has read
 * everything there is.
 */
@Command(name = "sink", mixinStandardHelpOptions = true,
        description = {
            "Run a sink of the metric and alert topics (read_committed, its own consumer group).",
            "Undecodable records go to <topic>-dlq. Runs until Ctrl-C, or with --exit-when-caught-up until it has "
                    + "read and written out everything committed so far (exit 0; 1 on failure or timeout)."},
        subcommands = {
            SinkCommand.Console.class,
            SinkCommand.Jsonl.class,
            SinkCommand.Prometheus.class,
            SinkCommand.Webhook.class,
            SinkCommand.Alertmanager.class,
            SinkCommand.Dashboard.class,
            SinkCommand.Report.class,
        })
public final class SinkCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The HTTP options of the sinks that POST alerts somewhere (webhook, alertmanager). */
    static final class PostOptions {

        @Option(names = "--request-timeout-ms", paramLabel = "MS", defaultValue = "10000",
                description = "Timeout of one POST (default: ${DEFAULT-VALUE}).")
        long requestTimeoutMs;

        @Option(names = "--header", paramLabel = "NAME=VALUE", description = "Extra request header, e.g. Authorization=Bearer x (repeatable).")
        Map<String, String> headers = new LinkedHashMap<>();
    }

    /** What every sink subcommand shares: the cluster, the group, where to start, and how long to run. */
    abstract static class SinkRun implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions cluster;

        @Option(names = "--group-id", paramLabel = "ID", description = "Consumer group (default: lethe-sink-<sink>, or <prefix>sink-<sink> with another --topic-prefix).")
        String groupId;

        @Option(names = "--from", paramLabel = "POS",
                description = "Where to start: EARLIEST rebuilds the view from the topics' start, COMMITTED resumes after "
                        + "the group's offsets (default: per sink, see its help).")
        StartPosition from;

        @Option(names = "--flush-interval-ms", paramLabel = "MS", defaultValue = "1000",
                description = "Longest time received records stay unwritten while the sink is behind (default: ${DEFAULT-VALUE}).")
        long flushIntervalMs;

        @Option(names = "--exit-when-caught-up",
                description = "Exit once everything committed to the topics has been read and written out.")
        boolean exitWhenCaughtUp;

        @Option(names = "--timeout-seconds", paramLabel = "S", defaultValue = "300",
                description = "With --exit-when-caught-up: give up (exit 1) after this long (default: ${DEFAULT-VALUE}).")
        long timeoutSeconds;

        abstract String sinkName();

        abstract StartPosition defaultFrom();

        /** Builds the sink; bad option values throw IllegalArgumentException naming the option. */
        abstract MetricSink sink(PrintWriter out);

        /** One line printed once the sink runs (e.g. the endpoint URL). */
        String startedLine(MetricSink sink) {
            return null;
        }

        @Override
        public Integer call() throws Exception {
            ClusterConfig config = cluster.toConfig();
            PrintWriter out = spec.commandLine().getOut();
            SinkRunnerConfig runnerConfig;
            MetricSink sink;
            try {
                SinkRunnerConfig defaults = SinkRunnerConfig.defaults(sinkName(), from == null ? defaultFrom() : from);
                String group = groupId != null ? groupId : config.deploymentName("sink-" + sinkName());
                runnerConfig = new SinkRunnerConfig(group, defaults.startPosition(),
                        defaults.pollTimeout(), Duration.ofMillis(flushIntervalMs), defaults.lagInterval()).validated();
                if (timeoutSeconds <= 0) {
                    throw new IllegalArgumentException("--timeout-seconds must be > 0, got " + timeoutSeconds);
                }
                sink = sink(out);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            SinkRunner runner = SinkRunner.start(config, runnerConfig, sink);
            Thread hook = new Thread(runner::close, "lethe-sink-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                String line = startedLine(sink);
                if (line != null) {
                    spec.commandLine().getErr().println(line);
                }
                if (exitWhenCaughtUp) {
                    boolean caughtUp = runner.awaitCaughtUp(Duration.ofSeconds(timeoutSeconds));
                    runner.close();
                    SinkProgress p = runner.progress();
                    if (!caughtUp) {
                        throw new IllegalStateException("not caught up within " + timeoutSeconds + " s (--timeout-seconds): lag "
                                + p.lag() + ", " + p.consumed() + " records read");
                    }
                    spec.commandLine().getErr().println("sink " + sinkName() + ": read " + p.consumed() + " records, "
                            + p.deadLetters() + " dead-lettered");
                } else {
                    while (!runner.awaitStopped(Duration.ofSeconds(1))) {
                        // runs until Ctrl-C (the shutdown hook closes the runner) or a fatal error
                    }
                }
                Throwable failure = runner.progress().failure();
                if (failure != null) {
                    throw new IllegalStateException("sink " + sinkName() + " failed: " + failure.getMessage(), failure);
                }
                return 0;
            } finally {
                runner.close();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // the JVM is already shutting down: the hook runs anyway
                }
            }
        }
    }

    @Command(name = "console", mixinStandardHelpOptions = true,
            description = {"Live table of FG per family x category, with alert counts.",
                "Shows each family's latest stage; redrawn in place on a terminal, one plain line per changed family "
                        + "otherwise. Default --from EARLIEST."})
    static final class Console extends SinkRun {

        enum Ansi { AUTO, ALWAYS, NEVER }

        @Option(names = "--ansi", paramLabel = "WHEN", defaultValue = "AUTO",
                description = "Redraw in place: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}: when stdout is a terminal).")
        Ansi ansi;

        @Override
        String sinkName() {
            return "console";
        }

        @Override
        StartPosition defaultFrom() {
            return StartPosition.EARLIEST;
        }

        @Override
        MetricSink sink(PrintWriter out) {
            boolean redraw = ansi == Ansi.ALWAYS || ansi == Ansi.AUTO && System.console() != null;
            return new ConsoleSink(out, redraw);
        }
    }

    @Command(name = "jsonl", mixinStandardHelpOptions = true,
            description = {"JSON Lines files DIR/metrics.jsonl and DIR/alerts.jsonl.",
                "The latest record per key, one JSON object per line with the Avro field names (as `lethe metrics` "
                        + "prints), ordered by family, model, stage, scope, category, benchmark, rewritten atomically. "
                        + "Default --from EARLIEST."})
    static final class Jsonl extends SinkRun {

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "lethe-out", description = "Output directory (default: ${DEFAULT-VALUE}).")
        Path out;

        @Override
        String sinkName() {
            return "jsonl";
        }

        @Override
        StartPosition defaultFrom() {
            return StartPosition.EARLIEST;
        }

        @Override
        MetricSink sink(PrintWriter writer) {
            return new JsonlSink(out);
        }

        @Override
        String startedLine(MetricSink sink) {
            return "writing " + ((JsonlSink) sink).metricsFile() + " and " + ((JsonlSink) sink).alertsFile();
        }
    }

    @Command(name = "prometheus", mixinStandardHelpOptions = true,
            description = {"Prometheus exposition endpoint (http://HOST:PORT/metrics).",
                "lethe_forgetting_* gauges, lethe_alerts_total, lethe_sink_* pipeline counters and consumer lag. "
                        + "Alerting rules: prometheus/lethe-alerts.rules.yml in the sinks jar. Default --from EARLIEST."})
    static final class Prometheus extends SinkRun {

        @Option(names = "--host", paramLabel = "ADDR", defaultValue = PrometheusSinkConfig.DEFAULT_HOST,
                description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 for remote scrapes).")
        String host;

        @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + PrometheusSinkConfig.DEFAULT_PORT,
                description = "TCP port, 0 = any free one (default: ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--path", paramLabel = "PATH", defaultValue = PrometheusSinkConfig.DEFAULT_PATH,
                description = "HTTP path (default: ${DEFAULT-VALUE}).")
        String path;

        @Override
        String sinkName() {
            return "prometheus";
        }

        @Override
        StartPosition defaultFrom() {
            return StartPosition.EARLIEST;
        }

        @Override
        MetricSink sink(PrintWriter out) {
            return new PrometheusSink(new PrometheusSinkConfig(host, port, path)).start();
        }

        @Override
        String startedLine(MetricSink sink) {
            return "serving " + ((PrometheusSink) sink).url();
        }
    }

    @Command(name = "webhook", mixinStandardHelpOptions = true,
            description = {"Webhook alert sender: each alert POSTed once as JSON.",
                "Body: a Slack-compatible `text` plus the alert fields. Retries with exponential backoff; an alert that "
                        + "cannot be delivered is logged, appended to DIR/undelivered-alerts.jsonl and dead-lettered "
                        + "(DELIVERY_FAILED). Delivery runs off the consume thread; accepted alerts are kept in DIR/pending-alerts.jsonl "
                        + "until delivered or parked, so offsets are committed once an alert is recorded there. "
                        + "Default --from COMMITTED."})
    static final class Webhook extends SinkRun {

        @Option(names = "--url", required = true, paramLabel = "URL", description = "Webhook URL, e.g. a Slack incoming webhook.")
        URI url;

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "lethe-webhook",
                description = "State directory: delivered-alerts.txt, undelivered-alerts.jsonl (default: ${DEFAULT-VALUE}).")
        Path stateDir;

        @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "6", description = "Attempts per alert (default: ${DEFAULT-VALUE}).")
        int maxAttempts;

        @Option(names = "--initial-backoff-ms", paramLabel = "MS", defaultValue = "500",
                description = "Wait after the first failure, doubled each time (default: ${DEFAULT-VALUE}).")
        long initialBackoffMs;

        @Option(names = "--max-backoff-ms", paramLabel = "MS", defaultValue = "30000",
                description = "Cap of the wait between attempts (default: ${DEFAULT-VALUE}).")
        long maxBackoffMs;

        @Option(names = "--queue-capacity", paramLabel = "N", defaultValue = "1000",
                description = "Alert messages that may wait for the delivery thread; when full, the consumer waits (default: ${DEFAULT-VALUE}).")
        int queueCapacity;

        @Mixin
        PostOptions post;

        @Override
        String sinkName() {
            return "webhook";
        }

        @Override
        StartPosition defaultFrom() {
            return StartPosition.COMMITTED;
        }

        @Override
        MetricSink sink(PrintWriter out) {
            return new WebhookSink(new WebhookSinkConfig(url, stateDir, maxAttempts, Duration.ofMillis(initialBackoffMs),
                    Duration.ofMillis(maxBackoffMs), Duration.ofMillis(post.requestTimeoutMs), post.headers, queueCapacity).validated());
        }

        @Override
        String startedLine(MetricSink sink) {
            return "sending alerts to " + url;
        }
    }

    @Command(name = "alertmanager", mixinStandardHelpOptions = true,
            description = {"Pushes alerts to Prometheus Alertmanager (POST /api/v2/alerts).",
                "Labels alertname=LetheKnowledgeLoss, alert_id, campaign, family, model, stage, category, benchmark, "
                        + "severity (critical|warning), rule; annotations summary, drop_pp, p_value and the scores. Firing "
                        + "alerts are pushed again every --resend-interval-ms with endsAt 4 intervals ahead; a resolution is "
                        + "pushed with endsAt now. Default --from EARLIEST (the view of firing alerts is rebuilt on start)."})
    static final class Alertmanager extends SinkRun {

        @Option(names = "--url", required = true, split = ",", paramLabel = "URL",
                description = "Alertmanager base URL, e.g. http://127.0.0.1:9093; comma-separated for an HA cluster (each gets every push).")
        List<URI> urls;

        @Option(names = "--resend-interval-ms", paramLabel = "MS", defaultValue = "60000",
                description = "How often firing alerts are pushed again (default: ${DEFAULT-VALUE}).")
        long resendIntervalMs;

        @Option(names = "--generator-url", paramLabel = "URL", description = "Link shown with each alert, e.g. the dashboard.")
        URI generatorUrl;

        @Mixin
        PostOptions post;

        @Override
        String sinkName() {
            return "alertmanager";
        }

        @Override
        StartPosition defaultFrom() {
            return StartPosition.EARLIEST;
        }

        @Override
        MetricSink sink(PrintWriter out) {
            return new AlertmanagerSink(new AlertmanagerSinkConfig(urls, Duration.ofMillis(resendIntervalMs),
                    Duration.ofMillis(post.requestTimeoutMs), post.headers, generatorUrl).validated());
        }

        @Override
        String startedLine(MetricSink sink) {
            return "pushing alerts to " + urls;
        }
    }

    /** Also {@code lethe dashboard} at the top level (LetheMain), the name people look for. */
    @Command(name = "dashboard", mixinStandardHelpOptions = true,
            description = {"The live web dashboard: FG per family and category, runs side by side, element trajectories, "
                    + "alerts and the pipeline's health, updated in the browser within a second of each record (Server-Sent Events).",
                "Charts from the uPlot WebJar served from the jar (no CDN). On the loopback by default; --bind to any other "
                        + "address needs --token. Default --from EARLIEST."})
    public static final class Dashboard extends SinkRun {

        @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = DashboardConfig.DEFAULT_HOST,
                description = "Address to listen on (default: ${DEFAULT-VALUE}); anything but a loopback address needs --token.")
        String bind;

        @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + DashboardConfig.DEFAULT_PORT,
                description = "TCP port, 0 = any free one (default: ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:LETHE_DASHBOARD_TOKEN}",
                description = "Secret every request must carry (?token= or Authorization: Bearer), 16+ characters; "
                        + "default: env LETHE_DASHBOARD_TOKEN.")
        String token;

        @Override
        String sinkName() {
            return "dashboard";
        }

        @Override
        StartPosition defaultFrom() {
            return StartPosition.EARLIEST;
        }

        @Override
        MetricSink sink(PrintWriter out) {
            // started here, so the URL is known when it is printed and a busy port fails before any consuming
            return new DashboardSink(new DashboardConfig(bind, port, token == null || token.isBlank() ? null : token).validated())
                    .withProbe(PipelineProbe.defaults(cluster.toConfig())).start();
        }

        @Override
        String startedLine(MetricSink sink) {
            return "dashboard on " + ((DashboardSink) sink).url();
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = {"Self-contained HTML report DIR/report.html.",
                "Forgetting curves per category per family (inline SVG charts, no network), the final FG table and "
                        + "the alerts. Default --from EARLIEST."})
    static final class Report extends SinkRun {

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "lethe-out", description = "Output directory (default: ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--render-interval-ms", paramLabel = "MS", defaultValue = "5000",
                description = "Shortest time between two renderings while records stream in; the last state is always "
                        + "written on exit (default: ${DEFAULT-VALUE}).")
        long renderIntervalMs;

        @Override
        String sinkName() {
            return "report";
        }

        @Override
        StartPosition defaultFrom() {
            return StartPosition.EARLIEST;
        }

        @Override
        MetricSink sink(PrintWriter writer) {
            return new ReportSink(out, java.time.Clock.systemUTC(), Duration.ofMillis(renderIntervalMs));
        }

        @Override
        String startedLine(MetricSink sink) {
            return "writing " + ((ReportSink) sink).reportFile();
        }
    }
}
