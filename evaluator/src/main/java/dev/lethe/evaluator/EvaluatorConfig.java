package dev.lethe.evaluator;

import dev.lethe.schemas.config.ClusterConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The immutable, validated configuration of the evaluator (planner and workers). Every key is declared once in
 * {@link Key} with its type, default and one-line doc; {@link #validated()} names the offending key. The same
 * keys travel as {@link Properties} to worker child processes ({@link #toProperties()} / {@link #fromProperties}).
 *
 * @param cluster            where to connect
 * @param workerId           this worker's id: its transactional.id suffix and ShardResult.evaluatorId
 * @param plannerId          the planner's id: its transactional.id suffix
 * @param checkpointRoots    directories {@code file:} checkpoint URIs must lie under
 * @param allowedUrls        URL prefixes {@code http(s):} checkpoint URIs must start with
 * @param dataDir            folder of the MNIST IDX files (mnist-cl), or null
 * @param maxCheckpointBytes size limit of one checkpoint file (its uncompressed content may be 4x this, at most heap/4)
 * @param modelCacheSize     models kept loaded per worker (LRU by checkpointId + sha256)
 * @param batchSize          items per {@code net.output} call
 * @param maxPollRecords     tasks scored per Kafka transaction
 * @param sessionTimeout     consumer session timeout: how fast a killed worker's partitions move on
 * @param transactionTimeout producer transaction timeout
 * @param scorer             {@code model} (real scorers by checkpoint format) or {@code sleep} (SleepScorer)
 * @param scorerSleep        sleep mode: fixed cost per shard; model mode: extra delay per shard (testing aid)
 * @param httpTimeout        connect and read timeout of http(s) checkpoint downloads
 * @param workDir            where private checkpoint copies go, or null for a temp dir
 * @param suiteDir           folder of imported suites ({@code <suiteDir>/<suite id>/suite.json}), or null
 */
public record EvaluatorConfig(
        ClusterConfig cluster,
        String workerId,
        String plannerId,
        List<Path> checkpointRoots,
        List<String> allowedUrls,
        Path dataDir,
        long maxCheckpointBytes,
        int modelCacheSize,
        int batchSize,
        int maxPollRecords,
        Duration sessionTimeout,
        Duration transactionTimeout,
        ScorerMode scorer,
        Duration scorerSleep,
        Duration httpTimeout,
        Path workDir,
        Path suiteDir) {


    /** Which scorers a worker uses. */
    public enum ScorerMode {
        /** The real scorer of each checkpoint format (DL4J_MULTILAYER today). */
        MODEL,
        /** {@link dev.lethe.evaluator.scoring.SleepScorer}: a fixed-cost synthetic scorer for benchmarks and tests. */
        SLEEP
    }

    /** Every configuration key: name, default (as text, null = unset) and doc; the README table mirrors it. */
    public enum Key {
        WORKER_ID("lethe.evaluator.worker.id", "worker-0", "Worker id: transactional.id suffix and ShardResult.evaluatorId; unique per worker."),
        PLANNER_ID("lethe.evaluator.planner.id", "planner-0", "Planner id: transactional.id suffix of the planner."),
        CHECKPOINT_ROOTS("lethe.evaluator.checkpoint.roots", "", "Comma-separated directories file: checkpoint URIs must lie under (--checkpoint-root)."),
        ALLOWED_URLS("lethe.evaluator.allowed.urls", "", "Comma-separated http(s) URL prefixes checkpoint URLs must start with (--allow-url)."),
        DATA_DIR("lethe.evaluator.data.dir", null, "Folder holding mnist-t10k/ for mnist-cl (--data-dir)."),
        MAX_CHECKPOINT_BYTES("lethe.evaluator.max.checkpoint.bytes", "268435456", "Largest checkpoint file accepted (bytes); content may inflate to 4x, at most a quarter of the worker heap."),
        MODEL_CACHE_SIZE("lethe.evaluator.model.cache.size", "2", "Models kept loaded per worker (LRU by checkpointId + sha256)."),
        BATCH_SIZE("lethe.evaluator.batch.size", "256", "Items per batched net.output call."),
        MAX_POLL_RECORDS("lethe.evaluator.max.poll.records", "4", "Tasks scored per Kafka transaction (consumer max.poll.records)."),
        SESSION_TIMEOUT_MS("lethe.evaluator.session.timeout.ms", "10000", "Consumer session timeout: how soon a killed worker's partitions move on."),
        TRANSACTION_TIMEOUT_MS("lethe.evaluator.transaction.timeout.ms", "60000", "Producer transaction.timeout.ms."),
        SCORER("lethe.evaluator.scorer", "model", "model (real scorer per checkpoint format) or sleep (fixed-cost synthetic SleepScorer, benchmarks only)."),
        SCORER_SLEEP_MS("lethe.evaluator.scorer.sleep.ms", "0", "sleep scorer: cost per shard; model scorer: extra delay per shard (testing aid)."),
        HTTP_TIMEOUT_MS("lethe.evaluator.http.timeout.ms", "30000", "Connect and read timeout of http(s) checkpoint downloads."),
        WORK_DIR("lethe.evaluator.work.dir", null, "Where private checkpoint copies are written (default: a temp dir)."),
        SUITE_DIR("lethe.evaluator.suite.dir", null, "Folder of imported suites: suite id X is <dir>/X/suite.json (lethe suite import; --suite-dir).");

        private final String key;
        private final String defaultValue;
        private final String doc;

        Key(String key, String defaultValue, String doc) {
            this.key = key;
            this.defaultValue = defaultValue;
            this.doc = doc;
        }

        public String key() {
            return key;
        }

        public String defaultValue() {
            return defaultValue;
        }

        public String doc() {
            return doc;
        }
    }

    /** Property names of the cluster settings in {@link #toProperties()}. */
    static final String CLUSTER_BOOTSTRAP = "lethe.cluster.bootstrap.servers";
    static final String CLUSTER_REGISTRY = "lethe.cluster.schema.registry.url";
    static final String CLUSTER_PREFIX = "lethe.cluster.topic.prefix";
    static final String CLUSTER_USER_INFO = "lethe.cluster.registry.user.info";
    static final String CLUSTER_CLIENT = "lethe.cluster.client.";

    public EvaluatorConfig {
        checkpointRoots = List.copyOf(checkpointRoots == null ? List.of() : checkpointRoots);
        allowedUrls = List.copyOf(allowedUrls == null ? List.of() : allowedUrls);
    }

    /** Every key at its default. */
    public static EvaluatorConfig defaults(ClusterConfig cluster) {
        return fromProperties(cluster, new Properties());
    }

    /** Reads the evaluator keys of {@code props} (missing keys take their default) and validates them. */
    public static EvaluatorConfig fromProperties(ClusterConfig cluster, Properties props) {
        return new EvaluatorConfig(
                cluster,
                text(props, Key.WORKER_ID),
                text(props, Key.PLANNER_ID),
                list(props, Key.CHECKPOINT_ROOTS).stream().map(Path::of).toList(),
                list(props, Key.ALLOWED_URLS),
                path(props, Key.DATA_DIR),
                number(props, Key.MAX_CHECKPOINT_BYTES),
                (int) number(props, Key.MODEL_CACHE_SIZE),
                (int) number(props, Key.BATCH_SIZE),
                (int) number(props, Key.MAX_POLL_RECORDS),
                Duration.ofMillis(number(props, Key.SESSION_TIMEOUT_MS)),
                Duration.ofMillis(number(props, Key.TRANSACTION_TIMEOUT_MS)),
                scorerMode(text(props, Key.SCORER)),
                Duration.ofMillis(number(props, Key.SCORER_SLEEP_MS)),
                Duration.ofMillis(number(props, Key.HTTP_TIMEOUT_MS)),
                path(props, Key.WORK_DIR),
                path(props, Key.SUITE_DIR)).validated();
    }

    /** A complete config, cluster included, from {@link #toProperties()} output (worker child processes). */
    public static EvaluatorConfig fromProperties(Properties props) {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String name : props.stringPropertyNames()) {
            if (name.startsWith(CLUSTER_CLIENT)) {
                overrides.put(name.substring(CLUSTER_CLIENT.length()), props.getProperty(name));
            }
        }
        ClusterConfig cluster = new ClusterConfig(props.getProperty(CLUSTER_BOOTSTRAP), props.getProperty(CLUSTER_REGISTRY),
                props.getProperty(CLUSTER_PREFIX), overrides, props.getProperty(CLUSTER_USER_INFO)).validated();
        return fromProperties(cluster, props);
    }

    /** All settings, the cluster's included, as properties {@link #fromProperties(Properties)} reads back. */
    public Properties toProperties() {
        Properties p = new Properties();
        p.setProperty(CLUSTER_BOOTSTRAP, cluster.bootstrapServers());
        p.setProperty(CLUSTER_REGISTRY, cluster.schemaRegistryUrl());
        p.setProperty(CLUSTER_PREFIX, cluster.topicPrefix());
        if (cluster.registryUserInfo() != null) {
            p.setProperty(CLUSTER_USER_INFO, cluster.registryUserInfo());
        }
        cluster.clientOverrides().forEach((k, v) -> p.setProperty(CLUSTER_CLIENT + k, v));
        p.setProperty(Key.WORKER_ID.key, workerId);
        p.setProperty(Key.PLANNER_ID.key, plannerId);
        p.setProperty(Key.CHECKPOINT_ROOTS.key, String.join(",", checkpointRoots.stream().map(Path::toString).toList()));
        p.setProperty(Key.ALLOWED_URLS.key, String.join(",", allowedUrls));
        if (dataDir != null) {
            p.setProperty(Key.DATA_DIR.key, dataDir.toString());
        }
        p.setProperty(Key.MAX_CHECKPOINT_BYTES.key, Long.toString(maxCheckpointBytes));
        p.setProperty(Key.MODEL_CACHE_SIZE.key, Integer.toString(modelCacheSize));
        p.setProperty(Key.BATCH_SIZE.key, Integer.toString(batchSize));
        p.setProperty(Key.MAX_POLL_RECORDS.key, Integer.toString(maxPollRecords));
        p.setProperty(Key.SESSION_TIMEOUT_MS.key, Long.toString(sessionTimeout.toMillis()));
        p.setProperty(Key.TRANSACTION_TIMEOUT_MS.key, Long.toString(transactionTimeout.toMillis()));
        p.setProperty(Key.SCORER.key, scorer.name().toLowerCase(Locale.ROOT));
        p.setProperty(Key.SCORER_SLEEP_MS.key, Long.toString(scorerSleep.toMillis()));
        p.setProperty(Key.HTTP_TIMEOUT_MS.key, Long.toString(httpTimeout.toMillis()));
        if (workDir != null) {
            p.setProperty(Key.WORK_DIR.key, workDir.toString());
        }
        if (suiteDir != null) {
            p.setProperty(Key.SUITE_DIR.key, suiteDir.toString());
        }
        return p;
    }

    /** Checks every field; the message names the key. */
    public EvaluatorConfig validated() {
        if (cluster == null) {
            throw new IllegalArgumentException("cluster settings are required");
        }
        requireId(Key.WORKER_ID, workerId);
        requireId(Key.PLANNER_ID, plannerId);
        for (String url : allowedUrls) {
            URI uri;
            try {
                uri = new URI(url);
            } catch (Exception e) {
                throw invalid(Key.ALLOWED_URLS, "'" + url + "' is not a URL");
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw invalid(Key.ALLOWED_URLS, "'" + url + "' must be an http(s) URL prefix with a host");
            }
        }
        positive(Key.MAX_CHECKPOINT_BYTES, maxCheckpointBytes);
        positive(Key.MODEL_CACHE_SIZE, modelCacheSize);
        positive(Key.BATCH_SIZE, batchSize);
        positive(Key.MAX_POLL_RECORDS, maxPollRecords);
        if (sessionTimeout == null || sessionTimeout.toMillis() < 1000) {
            throw invalid(Key.SESSION_TIMEOUT_MS, "must be >= 1000");
        }
        if (transactionTimeout == null || transactionTimeout.toMillis() < 1000) {
            throw invalid(Key.TRANSACTION_TIMEOUT_MS, "must be >= 1000");
        }
        if (scorer == null) {
            throw invalid(Key.SCORER, "must be model or sleep");
        }
        if (scorerSleep == null || scorerSleep.isNegative()) {
            throw invalid(Key.SCORER_SLEEP_MS, "must be >= 0");
        }
        if (httpTimeout == null || httpTimeout.toMillis() < 1) {
            throw invalid(Key.HTTP_TIMEOUT_MS, "must be >= 1");
        }
        if (suiteDir != null && !java.nio.file.Files.isDirectory(suiteDir)) {
            throw invalid(Key.SUITE_DIR, "must be an existing directory, got '" + suiteDir + "'");
        }
        return this;
    }

    public EvaluatorConfig withWorkerId(String id) {
        return new EvaluatorConfig(cluster, id, plannerId, checkpointRoots, allowedUrls, dataDir, maxCheckpointBytes, modelCacheSize,
                batchSize, maxPollRecords, sessionTimeout, transactionTimeout, scorer, scorerSleep, httpTimeout, workDir, suiteDir).validated();
    }

    public EvaluatorConfig withCheckpointRoots(List<Path> roots) {
        return new EvaluatorConfig(cluster, workerId, plannerId, roots, allowedUrls, dataDir, maxCheckpointBytes, modelCacheSize,
                batchSize, maxPollRecords, sessionTimeout, transactionTimeout, scorer, scorerSleep, httpTimeout, workDir, suiteDir).validated();
    }

    public EvaluatorConfig withAllowedUrls(List<String> urls) {
        return new EvaluatorConfig(cluster, workerId, plannerId, checkpointRoots, urls, dataDir, maxCheckpointBytes, modelCacheSize,
                batchSize, maxPollRecords, sessionTimeout, transactionTimeout, scorer, scorerSleep, httpTimeout, workDir, suiteDir).validated();
    }

    public EvaluatorConfig withDataDir(Path dir) {
        return new EvaluatorConfig(cluster, workerId, plannerId, checkpointRoots, allowedUrls, dir, maxCheckpointBytes, modelCacheSize,
                batchSize, maxPollRecords, sessionTimeout, transactionTimeout, scorer, scorerSleep, httpTimeout, workDir, suiteDir).validated();
    }

    public EvaluatorConfig withScorer(ScorerMode mode, Duration sleep) {
        return new EvaluatorConfig(cluster, workerId, plannerId, checkpointRoots, allowedUrls, dataDir, maxCheckpointBytes, modelCacheSize,
                batchSize, maxPollRecords, sessionTimeout, transactionTimeout, mode, sleep, httpTimeout, workDir, suiteDir).validated();
    }

    public EvaluatorConfig withTimeouts(Duration session, Duration transaction) {
        return new EvaluatorConfig(cluster, workerId, plannerId, checkpointRoots, allowedUrls, dataDir, maxCheckpointBytes, modelCacheSize,
                batchSize, maxPollRecords, session, transaction, scorer, scorerSleep, httpTimeout, workDir, suiteDir).validated();
    }

    public EvaluatorConfig withMaxPollRecords(int records) {
        return new EvaluatorConfig(cluster, workerId, plannerId, checkpointRoots, allowedUrls, dataDir, maxCheckpointBytes, modelCacheSize,
                batchSize, records, sessionTimeout, transactionTimeout, scorer, scorerSleep, httpTimeout, workDir, suiteDir).validated();
    }

    public EvaluatorConfig withMaxCheckpointBytes(long bytes) {
        return new EvaluatorConfig(cluster, workerId, plannerId, checkpointRoots, allowedUrls, dataDir, bytes, modelCacheSize,
                batchSize, maxPollRecords, sessionTimeout, transactionTimeout, scorer, scorerSleep, httpTimeout, workDir, suiteDir).validated();
    }

    public EvaluatorConfig withSuiteDir(Path dir) {
        return new EvaluatorConfig(cluster, workerId, plannerId, checkpointRoots, allowedUrls, dataDir, maxCheckpointBytes, modelCacheSize,
                batchSize, maxPollRecords, sessionTimeout, transactionTimeout, scorer, scorerSleep, httpTimeout, workDir, dir).validated();
    }

    /** The worker's transactional.id: unique per worker id, stable across its restarts (so a restart fences its zombie). */
    public String workerTransactionalId() {
        return cluster.topicPrefix() + "evaluator-" + workerId;
    }

    /** The workers' consumer group: {@code lethe-evaluators} under the default topic prefix, else {@code <prefix>evaluators}. */
    public String workerGroupId() {
        return cluster.deploymentName("evaluators");
    }

    /** The planner's consumer group: {@code lethe-planner} under the default topic prefix, else {@code <prefix>planner}. */
    public String plannerGroupId() {
        return cluster.deploymentName("planner");
    }

    public String plannerTransactionalId() {
        return cluster.topicPrefix() + "planner-" + plannerId;
    }

    private static IllegalArgumentException invalid(Key key, String problem) {
        return new IllegalArgumentException(key.key + " " + problem);
    }

    private static void requireId(Key key, String id) {
        if (id == null || !id.matches("[A-Za-z0-9._-]{1,100}")) {
            throw invalid(key, "must be 1-100 of [A-Za-z0-9._-], got '" + id + "'");
        }
    }

    private static void positive(Key key, long value) {
        if (value < 1) {
            throw invalid(key, "must be >= 1, got " + value);
        }
    }

    private static String text(Properties props, Key key) {
        String v = props.getProperty(key.key);
        return v == null ? key.defaultValue : v.trim();
    }

    private static Path path(Properties props, Key key) {
        String v = text(props, key);
        return v == null || v.isBlank() ? null : Path.of(v);
    }

    private static List<String> list(Properties props, Key key) {
        String v = text(props, key);
        List<String> out = new ArrayList<>();
        if (v != null) {
            Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
        }
        return out;
    }

    private static long number(Properties props, Key key) {
        String v = text(props, key);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw invalid(key, "must be an integer, got '" + v + "'");
        }
    }

    private static ScorerMode scorerMode(String v) {
        try {
            return ScorerMode.valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw invalid(Key.SCORER, "must be model or sleep, got '" + v + "'");
        }
    }
}
