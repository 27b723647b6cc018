package dev.lethe.cli.demo;

import dev.lethe.aggregator.app.AggregatorApp;
import dev.lethe.aggregator.app.AggregatorConfig;
import dev.lethe.cli.support.GroupProbe;
import dev.lethe.embedded.ChildBroker;
import dev.lethe.embedded.ChildCluster;
import dev.lethe.embedded.LetheTopicsAdmin;
import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.EvaluatorService;
import dev.lethe.evaluator.WorkerProcess;
import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.evaluator.suite.SuiteElement;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.sinks.console.ConsoleSink;
import dev.lethe.sinks.core.AlertLifecycle;
import dev.lethe.sinks.core.CompositeSink;
import dev.lethe.sinks.core.MetricSink;
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
import dev.lethe.trainer.campaign.Campaign;
import dev.lethe.trainer.campaign.CampaignFile;
import dev.lethe.trainer.campaign.ModelRun;
import dev.lethe.trainer.run.CampaignResult;
import dev.lethe.trainer.run.CampaignRunner;
import dev.lethe.trainer.run.PublisherSink;
import java.io.PrintWriter;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of {@code lethe demo}: starts every part, trains the campaign, waits until every checkpoint's
 * metrics are in and the pipeline is quiet, writes the result files and stops everything it started, on
 * success, failure or Ctrl-C (a shutdown hook runs the same cleanup; child JVMs also stop on their own when
 * this JVM dies, through their stdin watchdogs).
 */
final class DemoRun implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(DemoRun.class);
    static final String AGGREGATOR_APP_ID = "lethe-demo-aggregator";
    static final String PROMETHEUS_SNAPSHOT = "metrics.prom";

    private final DemoOptions options;
    private final PrintWriter out;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    DemoRun(DemoOptions options, PrintWriter out) {
        this.options = options;
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        Thread hook = new Thread(this::stopAll, "lethe-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run();
        } finally {
            stopAll();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is running stopAll too
            }
        }
    }

    private int run() throws Exception {
        long begin = System.nanoTime();
        Campaign resolved = CampaignFile.resolve(options.campaign());
        Campaign campaign = options.seed() == null ? resolved : resolved.withSeed(options.seed());
        Path outDir = DemoOutDir.prepare(options.out(), options.force());
        Path checkpoints = outDir.resolve("checkpoints");
        Path logs = Files.createDirectories(outDir.resolve("logs"));

        ClusterConfig cluster = options.cluster() != null ? options.cluster() : startEmbedded(logs);
        LetheTopicsAdmin.createAll(cluster, cluster.topics());

        Suite suite = new SuiteCatalog(options.dataDir()).resolve(campaign.suite(), campaign.protocol().toAttributes());
        List<CompletionTracker.ExpectedCheckpoint> expected = expectedCheckpoints(campaign, suite);
        long totalShards = (long) suite.shardCount() * expected.size();
        say("campaign %s: %d model runs x %d stages (+ stage 0) on suite %s (%d elements, %d shards per checkpoint)",
                campaign.name(), campaign.models().size(), campaign.stages(), suite.id(), suite.elements().size(),
                suite.shardCount());

        CompletionTracker tracker = new CompletionTracker(expected);
        ShardCounter shards = own(new ShardCounter(cluster, cluster.topics().shardResults()));
        DemoProgress progress = new DemoProgress(out, expected.size(), totalShards, shards::count, tracker);
        // on a terminal the live table redraws in place with the progress line under it; elsewhere both are plain lines
        boolean terminal = System.console() != null;
        ConsoleSink console = terminal ? ConsoleSink.onStdout().withStatus(progress::line) : new ConsoleSink(out, false);
        PrometheusSink prometheus = new PrometheusSink(PrometheusSinkConfig.defaults().withPort(0));
        // any free loopback port, so two demos never collide; the URL is printed below
        Map<String, String> groups = new LinkedHashMap<>();
        groups.put("planner", cluster.deploymentName("planner"));
        groups.put("evaluators", cluster.deploymentName("evaluators"));
        groups.put("aggregator", AGGREGATOR_APP_ID);
        DashboardSink dashboard = new DashboardSink(DashboardConfig.defaults().withPort(0)).withStatus(progress::line)
                .withProbe(new PipelineProbe(cluster, groups)).start();
        List<MetricSink> members = List.of(tracker, console, new JsonlSink(outDir),
                new ReportSink(outDir, Clock.systemUTC(), ReportSink.DEFAULT_MIN_INTERVAL), prometheus, dashboard);
        SinkRunner sinks = own(SinkRunner.start(cluster,
                SinkRunnerConfig.defaults("demo", StartPosition.EARLIEST)
                        .withGroupId("lethe-demo-sinks-" + UUID.randomUUID())
                        .withFlushInterval(Duration.ofMillis(500)),
                new CompositeSink("demo", members)));

        AggregatorConfig aggregatorConfig = AggregatorConfig.defaults(cluster)
                .withApplicationId(AGGREGATOR_APP_ID)
                .withStateDir(outDir.resolve("state").resolve("aggregator"))
                .withHttp(AggregatorConfig.DEFAULT_HTTP_HOST, 0)
                .validated();
        AtomicReference<AggregatorApp> aggregator = new AtomicReference<>(startAggregator(aggregatorConfig));
        own(() -> aggregator.get().close());

        EvaluatorConfig evaluatorConfig = EvaluatorConfig.defaults(cluster)
                .withCheckpointRoots(List.of(checkpoints))
                .withDataDir(options.dataDir());
        EvaluatorService evaluators = own(EvaluatorService.start(evaluatorConfig, options.evaluators(),
                EvaluatorService.WorkerMode.PROCESSES, WorkerProcess.Launch.defaults().withLogFile(logs.resolve("evaluators.log")),
                "demo-worker", true));
        if (!evaluators.awaitWorkersReady(Duration.ofMinutes(2))) {
            throw new IllegalStateException("evaluator workers did not start within 2 minutes; see " + logs.resolve("evaluators.log"));
        }
        say("aggregator queries on %s, Prometheus on %s, %d evaluator worker processes ready",
                aggregator.get().endpoint(), prometheus.url(), options.evaluators());
        say("live dashboard on %s (open it in a browser to watch the campaign fill in)", dashboard.url());

        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "lethe-demo-progress"));
        own(ticker::shutdownNow);
        ticker.scheduleWithFixedDelay(terminal ? console::refresh : progress::printIfChanged, 1, 1, TimeUnit.SECONDS);

        Thread chaosThread = null;
        ChaosMonkey chaos = null;
        if (options.chaos()) {
            chaos = new ChaosMonkey(evaluators, () -> {
                aggregator.get().close();
                aggregator.set(startAggregator(aggregatorConfig));
            }, shards::count, totalShards, progress);
            chaosThread = daemon(chaos, "lethe-demo-chaos");
            chaosThread.start();
        }

        CampaignResult trained;
        try (PublisherSink publisher = new PublisherSink(cluster)) {
            trained = CampaignRunner.run(campaign, checkpoints, options.dataDir(), publisher, progress);
        }
        say("training done: %d checkpoints in %.1f s; waiting for the evaluators and the aggregator",
                trained.stages().size(), trained.totalMillis() / 1000.0);

        long deadline = begin + options.timeout().toNanos();
        while (!tracker.complete()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(String.format("metrics incomplete after %d min (--timeout-minutes): %d of %d "
                                + "element records, %d of %d shards scored; logs in %s", options.timeout().toMinutes(),
                        tracker.seenCount(), tracker.expectedCount(), shards.count(), totalShards, logs));
            }
            Thread.sleep(200);
        }
        if (chaosThread != null) {
            chaosThread.join(Duration.ofMinutes(2).toMillis());
            if (!chaos.workerKilled() || !chaos.aggregatorRestarted()) {
                throw new IllegalStateException("--chaos did not complete its faults (worker killed: " + chaos.workerKilled()
                        + ", aggregator restarted: " + chaos.aggregatorRestarted() + ")");
            }
        }
        try (Admin admin = Admin.create(cluster.clientProperties())) {
            if (!new GroupProbe(admin).awaitCaughtUp(AGGREGATOR_APP_ID, Duration.ofMinutes(2))) {
                throw new IllegalStateException("the aggregator did not go idle within 2 minutes");
            }
        }
        if (!sinks.awaitCaughtUp(Duration.ofMinutes(2))) {
            throw new IllegalStateException("the sinks did not catch up within 2 minutes");
        }
        sinks.flush();
        ticker.shutdownNow();
        // the last Prometheus exposition, kept as a file next to the other results (Prometheus text format)
        Files.writeString(outDir.resolve(PROMETHEUS_SNAPSHOT), prometheus.scrape());
        sinks.close(); // the final flush: report.html is rendered for the last time here
        if (!terminal) {
            progress.printIfChanged();
        }

        if (!terminal) {
            out.println();
            console.table().render().forEach(out::println);
            out.println();
        }
        say("%s", closingLine((System.nanoTime() - begin) / 1e9, trained.stages().size(), shards.count(), tracker));
        say("wrote %s, %s and %s", outDir.resolve(JsonlSink.METRICS_FILE), outDir.resolve(JsonlSink.ALERTS_FILE),
                outDir.resolve(ReportSink.REPORT_FILE));
        return 0;
    }

    private ClusterConfig startEmbedded(Path logs) {
        if (options.nodes() > 1) {
            say("starting an embedded %d-node KRaft cluster (a child JVM per node, each controller + broker) and the "
                    + "schema registry", options.nodes());
            ChildCluster nodes = own(ChildCluster.builder().nodes(options.nodes())
                    .stderr(id -> Redirect.appendTo(logs.resolve("node-" + id + ".log").toFile()))
                    .start());
            say("brokers %s, registry %s", nodes.bootstrapServers(), nodes.schemaRegistryUrl());
            return nodes.config();
        }
        say("starting the embedded Kafka broker and schema registry (child JVM)");
        ChildBroker broker = own(ChildBroker.builder()
                .stderr(Redirect.appendTo(logs.resolve("broker.log").toFile()))
                .start());
        say("broker %s, registry %s", broker.bootstrapServers(), broker.schemaRegistryUrl());
        return ClusterConfig.of(broker.bootstrapServers(), broker.schemaRegistryUrl());
    }

    private static AggregatorApp startAggregator(AggregatorConfig config) throws InterruptedException {
        AggregatorApp app = AggregatorApp.start(config);
        if (!app.awaitRunning(Duration.ofMinutes(2))) {
            app.close();
            throw new IllegalStateException("the aggregator did not reach RUNNING within 2 minutes");
        }
        return app;
    }

    private static List<CompletionTracker.ExpectedCheckpoint> expectedCheckpoints(Campaign campaign, Suite suite) {
        List<String> benchmarks = suite.elements().stream().map(SuiteElement::benchmark).toList();
        List<CompletionTracker.ExpectedCheckpoint> expected = new ArrayList<>();
        for (ModelRun run : campaign.models()) {
            for (int stage = 0; stage <= campaign.stages(); stage++) {
                expected.add(new CompletionTracker.ExpectedCheckpoint(campaign.name(), run.name(), stage, benchmarks));
            }
        }
        return expected;
    }

    private <T extends AutoCloseable> T own(T resource) {
        synchronized (started) {
            started.push(resource);
        }
        return resource;
    }

    /** Stops what was started, newest first; safe to call twice (from the finally and the shutdown hook). */
    private void stopAll() {
        while (true) {
            AutoCloseable next;
            synchronized (started) {
                next = started.poll();
            }
            if (next == null) {
                return;
            }
            try {
                next.close();
            } catch (Exception e) {
                LOG.warn("demo: stopping {} failed: {}", next, e.toString());
            }
        }
    }

    /**
     * The demo's last figures, each saying what it counts: final records (one line of metrics.jsonl / alerts.jsonl
     * each) against records emitted (every re-emission and alert update on the topics). DemoIT checks it against the files.
     */
    static String closingLine(double seconds, int checkpoints, long shards, CompletionTracker tracker) {
        AlertLifecycle.Counts alerts = tracker.alerts();
        return String.format(java.util.Locale.ROOT, "done in %.1f s: %d checkpoints, %d shards scored; %d final metric records "
                        + "in metrics.jsonl (latest per key; %d records emitted); %s in alerts.jsonl (%d alert records emitted)",
                seconds, checkpoints, shards, tracker.distinctMetrics(), tracker.metricRecordsEmitted(), alerts.describe(),
                tracker.alertRecordsEmitted());
    }

    private void say(String format, Object... args) {
        out.println("[demo] " + String.format(format, args));
        out.flush();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
