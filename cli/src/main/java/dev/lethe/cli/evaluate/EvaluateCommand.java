package dev.lethe.cli.evaluate;

import dev.lethe.cli.ClusterOptions;
import dev.lethe.cli.UsageException;
import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.EvaluatorConfig.Key;
import dev.lethe.evaluator.EvaluatorService;
import dev.lethe.evaluator.WorkerProcess;
import dev.lethe.evaluator.checkpoint.SerialFilterGuard;
import dev.lethe.evaluator.suite.InvalidSuiteException;
import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.evaluator.suite.UnknownSuiteException;
import dev.lethe.schemas.config.ClusterConfig;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lethe evaluate}: runs the planner ({@code lethe.checkpoints} to {@code lethe.eval-tasks}) and N evaluator
 * workers (group {@code lethe-evaluators}, {@code lethe.eval-tasks} to {@code lethe.shard-results}) against any
 * cluster, until Ctrl-C. Workers are child JVMs by default (restarted with the same id if they die).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {
            "Run the planner and N evaluator workers against any cluster, until Ctrl-C.",
            "Workers are child JVMs (OMP_NUM_THREADS=1, -Djdk.serialFilter=!*) restarted with the same id when they die; "
                    + "--threads runs them in this JVM instead. Checkpoints load only from --checkpoint-root "
                    + "directories (file:) or --allow-url prefixes (http/https)."})
public final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "1", description = "Evaluator workers to run (default: ${DEFAULT-VALUE}); 0 = planner only.")
    int workers;

    @Option(names = "--threads", description = "Run the workers as threads in this JVM instead of child processes.")
    boolean threads;

    @Option(names = "--no-planner", description = "Run only workers (another host runs the planner).")
    boolean noPlanner;

    @Option(names = "--checkpoint-root", paramLabel = "DIR", description = "Directory file: checkpoint URIs may point under (repeatable).")
    List<Path> checkpointRoots = new ArrayList<>();

    @Option(names = "--allow-url", paramLabel = "PREFIX", description = "http(s) URL prefix checkpoint URLs may start with (repeatable).")
    List<String> allowUrls = new ArrayList<>();

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Folder holding mnist-t10k/ (for the mnist-cl suite).")
    Path dataDir;

    @Option(names = "--suite-dir", paramLabel = "DIR", description = "Folder of imported suites (lethe suite import --out DIR/<suite>).")
    Path suiteDir;

    @Option(names = "--worker-id-prefix", paramLabel = "ID",
            description = "Worker ids are <ID>-0..<ID>-(N-1); unique per host, stable across restarts (default: host name).")
    String workerIdPrefix;

    @Option(names = "--planner-id", paramLabel = "ID", defaultValue = "planner-0", description = "Planner id (default: ${DEFAULT-VALUE}).")
    String plannerId;

    @Option(names = "--scorer", paramLabel = "MODE", defaultValue = "model",
            description = "model (real scorer per checkpoint format) or sleep (fixed-cost synthetic scorer, benchmarks only) (default: ${DEFAULT-VALUE}).")
    String scorer;

    @Option(names = "--scorer-sleep-ms", paramLabel = "MS", defaultValue = "0",
            description = "sleep scorer: cost per shard; model scorer: extra delay per shard (default: ${DEFAULT-VALUE}).")
    long scorerSleepMs;

    @Option(names = "--max-checkpoint-bytes", paramLabel = "BYTES", defaultValue = "268435456",
            description = "Largest checkpoint accepted (default: ${DEFAULT-VALUE}).")
    long maxCheckpointBytes;

    @Option(names = "--model-cache-size", paramLabel = "N", defaultValue = "2", description = "Models kept loaded per worker (default: ${DEFAULT-VALUE}).")
    int modelCacheSize;

    @Option(names = "--max-poll-records", paramLabel = "N", defaultValue = "4", description = "Tasks per worker transaction (default: ${DEFAULT-VALUE}).")
    int maxPollRecords;

    @Option(names = "--session-timeout-ms", paramLabel = "MS", defaultValue = "10000",
            description = "Worker consumer session timeout: how soon a dead worker's tasks move on (default: ${DEFAULT-VALUE}).")
    long sessionTimeoutMs;

    @Option(names = "--worker-jvm-option", paramLabel = "OPT",
            description = "Extra JVM option for worker processes (repeatable), e.g. -Xmx1g (defaults: -Xmx512m, -Djdk.serialFilter=!*, ...).")
    List<String> workerJvmOptions = new ArrayList<>();

    @Option(names = "--print-suite", paramLabel = "SUITE",
            description = "Print the manifest and version of a suite as derived from --attribute values, then exit (no cluster needed).")
    String printSuite;

    @Option(names = "--attribute", paramLabel = "KEY=VALUE",
            description = "With --print-suite: a CheckpointReady attribute (dataset, protocol, seed, stages) (repeatable).")
    Map<String, String> attributes = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        if (printSuite != null) {
            return printSuite();
        }
        ClusterConfig clusterConfig = cluster.toConfig();
        EvaluatorConfig config;
        String prefix = workerIdPrefix == null ? defaultWorkerIdPrefix() : workerIdPrefix;
        try {
            if (workers < 0) {
                throw new IllegalArgumentException("--workers must be >= 0, got " + workers);
            }
            if (workers == 0 && noPlanner) {
                throw new IllegalArgumentException("--no-planner with --workers 0 runs nothing");
            }
            if (!prefix.matches("[A-Za-z0-9._-]{1,80}")) {
                throw new IllegalArgumentException("--worker-id-prefix must be 1-80 of [A-Za-z0-9._-], got '" + prefix + "'");
            }
            Properties props = new Properties();
            props.setProperty(Key.WORKER_ID.key(), prefix + "-0");
            props.setProperty(Key.PLANNER_ID.key(), plannerId);
            props.setProperty(Key.CHECKPOINT_ROOTS.key(), String.join(",",
                    checkpointRoots.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList()));
            props.setProperty(Key.ALLOWED_URLS.key(), String.join(",", allowUrls));
            if (dataDir != null) {
                props.setProperty(Key.DATA_DIR.key(), dataDir.toAbsolutePath().normalize().toString());
            }
            if (suiteDir != null) {
                props.setProperty(Key.SUITE_DIR.key(), suiteDir.toAbsolutePath().normalize().toString());
            }
            props.setProperty(Key.SCORER.key(), scorer.toLowerCase(Locale.ROOT));
            props.setProperty(Key.SCORER_SLEEP_MS.key(), Long.toString(scorerSleepMs));
            props.setProperty(Key.MAX_CHECKPOINT_BYTES.key(), Long.toString(maxCheckpointBytes));
            props.setProperty(Key.MODEL_CACHE_SIZE.key(), Integer.toString(modelCacheSize));
            props.setProperty(Key.MAX_POLL_RECORDS.key(), Integer.toString(maxPollRecords));
            props.setProperty(Key.SESSION_TIMEOUT_MS.key(), Long.toString(sessionTimeoutMs));
            config = EvaluatorConfig.fromProperties(clusterConfig, props);
            // the OPENAI_COMPLETIONS scorer's LETHE_LLM_* variables: refuse bad ones now, not in every worker
            dev.lethe.evaluator.llm.LlmScorerConfig.fromEnvironment(System.getenv());
        } catch (IllegalArgumentException e) {
            throw new UsageException(flagFor(e.getMessage()));
        }
        PrintWriter out = spec.commandLine().getOut();
        WorkerProcess.Launch defaults = WorkerProcess.Launch.defaults();
        List<String> jvmOptions = new ArrayList<>(defaults.jvmOptions());
        jvmOptions.addAll(workerJvmOptions);
        WorkerProcess.Launch launch = new WorkerProcess.Launch(defaults.javaCommand(), defaults.classpath(), jvmOptions, null);
        if (threads) {
            // workers load checkpoints in this JVM: reject all Java deserialization here, as the worker JVMs do
            SerialFilterGuard.install();
        }
        EvaluatorService.WorkerMode mode = threads ? EvaluatorService.WorkerMode.THREADS : EvaluatorService.WorkerMode.PROCESSES;
        EvaluatorService service = EvaluatorService.start(config, workers, mode, launch, prefix, !noPlanner);
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(90, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lethe-evaluate-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf("lethe evaluate: %s%d worker %s (%s-0..%s-%d) on %s; Ctrl-C to stop%n", noPlanner ? "" : "planner + ",
                workers, threads ? "threads" : "processes", prefix, prefix, Math.max(0, workers - 1), clusterConfig.bootstrapServers());
        out.flush();
        try {
            while (!stop.await(1, TimeUnit.SECONDS)) {
                if (!threads) {
                    for (int i = 0; i < service.workerCount(); i++) {
                        WorkerProcess p = service.process(i);
                        if (!p.isAlive()) {
                            out.printf("worker %s exited with %s; restarting it%n", p.workerId(), p.exitCode());
                            out.flush();
                            service.restart(i);
                        }
                    }
                }
                if (service.planner() != null && service.planner().failure() != null) {
                    spec.commandLine().getErr().println("lethe evaluate: planner failed: " + service.planner().failure().getMessage());
                    return 1;
                }
            }
            return 0;
        } finally {
            service.close();
            stopped.countDown();
        }
    }

    private int printSuite() {
        Suite suite;
        try {
            suite = new SuiteCatalog(dataDir == null ? null : dataDir.toAbsolutePath(), suiteDir == null ? null : suiteDir.toAbsolutePath())
                    .resolve(printSuite, attributes);
        } catch (UnknownSuiteException | InvalidSuiteException e) {
            throw new UsageException(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(suite.manifest());
        out.println("version\t" + suite.version());
        out.println("shards\t" + suite.shardCount());
        out.flush();
        return 0;
    }

    private static String defaultWorkerIdPrefix() {
        try {
            String host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
            return host.isEmpty() ? "worker" : host.substring(0, Math.min(60, host.length()));
        } catch (Exception e) {
            return "worker";
        }
    }

    /** Maps a config key in a validation message to the flag a user typed. */
    private static String flagFor(String message) {
        return message
                .replace(Key.CHECKPOINT_ROOTS.key(), "--checkpoint-root")
                .replace(Key.ALLOWED_URLS.key(), "--allow-url")
                .replace(Key.SUITE_DIR.key(), "--suite-dir")
                .replace(Key.SCORER_SLEEP_MS.key(), "--scorer-sleep-ms")
                .replace(Key.SCORER.key(), "--scorer")
                .replace(Key.MAX_CHECKPOINT_BYTES.key(), "--max-checkpoint-bytes")
                .replace(Key.MODEL_CACHE_SIZE.key(), "--model-cache-size")
                .replace(Key.MAX_POLL_RECORDS.key(), "--max-poll-records")
                .replace(Key.SESSION_TIMEOUT_MS.key(), "--session-timeout-ms")
                .replace(Key.PLANNER_ID.key(), "--planner-id")
                .replace(Key.WORKER_ID.key(), "--worker-id-prefix");
    }
}
