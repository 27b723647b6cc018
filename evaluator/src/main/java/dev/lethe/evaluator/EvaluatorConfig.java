package dev.lethe.evaluator;

import dev.lethe.schemas.config.ClusterConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The immutable, validated configuration of the evaluator (planner and workers). Every option is declared once in
 * {@link Key} (name, type, default, validator, doc), and {@link #CONFIG_DEF}, Kafka's {@link ConfigDef} built from
 * those declarations, parses and validates them: an invalid value is an {@link IllegalArgumentException} that names
 * the key. The same keys travel as {@link Properties} to worker child processes ({@link #toProperties()} /
 * {@link #fromProperties}); {@link #with(Key, Object)} changes one option through the same parse.
 */
public final class EvaluatorConfig {

    /** Which scorers a worker uses. */
    public enum ScorerMode {
        /** The real scorer of each checkpoint format (DL4J_MULTILAYER today). */
        MODEL,
        /** {@link dev.lethe.evaluator.scoring.SleepScorer}: a fixed-cost synthetic scorer for benchmarks and tests. */
        SLEEP
    }

    /** Every option: name, type, default (null = unset), validator and doc; the README table mirrors it. */
    public enum Key {
        WORKER_ID("lethe.evaluator.worker.id", Type.STRING, "worker-0", Validators.ID, "Worker id: transactional.id suffix and ShardResult.evaluatorId; unique per worker."),
        PLANNER_ID("lethe.evaluator.planner.id", Type.STRING, "planner-0", Validators.ID, "Planner id: transactional.id suffix of the planner."),
        CHECKPOINT_ROOTS("lethe.evaluator.checkpoint.roots", Type.LIST, "", null, "Comma-separated directories file: checkpoint URIs must lie under (--checkpoint-root)."),
        ALLOWED_URLS("lethe.evaluator.allowed.urls", Type.LIST, "", Validators.HTTP_PREFIXES, "Comma-separated http(s) URL prefixes checkpoint URLs must start with (--allow-url)."),
        DATA_DIR("lethe.evaluator.data.dir", Type.STRING, null, null, "Folder holding mnist-t10k/ for mnist-cl (--data-dir)."),
        MAX_CHECKPOINT_BYTES("lethe.evaluator.max.checkpoint.bytes", Type.LONG, "268435456", Range.atLeast(1), "Largest checkpoint file accepted (bytes); content may inflate to 4x, at most a quarter of the worker heap."),
        MODEL_CACHE_SIZE("lethe.evaluator.model.cache.size", Type.INT, "2", Range.atLeast(1), "Models kept loaded per worker (LRU by checkpointId + sha256)."),
        BATCH_SIZE("lethe.evaluator.batch.size", Type.INT, "256", Range.atLeast(1), "Items per batched net.output call."),
        MAX_POLL_RECORDS("lethe.evaluator.max.poll.records", Type.INT, "4", Range.atLeast(1), "Tasks scored per Kafka transaction (consumer max.poll.records)."),
        SESSION_TIMEOUT_MS("lethe.evaluator.session.timeout.ms", Type.LONG, "10000", Range.atLeast(1000), "Consumer session timeout: how soon a killed worker's partitions move on."),
        TRANSACTION_TIMEOUT_MS("lethe.evaluator.transaction.timeout.ms", Type.LONG, "60000", Range.atLeast(1000), "Producer transaction.timeout.ms."),
        SCORER("lethe.evaluator.scorer", Type.STRING, "model", ConfigDef.CaseInsensitiveValidString.in("model", "sleep"), "model (real scorer per checkpoint format) or sleep (fixed-cost synthetic SleepScorer, benchmarks only)."),
        SCORER_SLEEP_MS("lethe.evaluator.scorer.sleep.ms", Type.LONG, "0", Range.atLeast(0), "sleep scorer: cost per shard; model scorer: extra delay per shard (testing aid)."),
        HTTP_TIMEOUT_MS("lethe.evaluator.http.timeout.ms", Type.LONG, "30000", Range.atLeast(1), "Connect and read timeout of http(s) checkpoint downloads."),
        WORK_DIR("lethe.evaluator.work.dir", Type.STRING, null, null, "Where private checkpoint copies are written (default: a temp dir)."),
        SUITE_DIR("lethe.evaluator.suite.dir", Type.STRING, null, Validators.EXISTING_DIRECTORY, "Folder of imported suites: suite id X is <dir>/X/suite.json (lethe suite import; --suite-dir).");

        private final String key;
        private final Type type;
        private final String defaultValue;
        private final ConfigDef.Validator validator;
        private final String doc;

        Key(String key, Type type, String defaultValue, ConfigDef.Validator validator, String doc) {
            this.key = key;
            this.type = type;
            this.defaultValue = defaultValue;
            this.validator = validator;
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

    /** The evaluator's options as Kafka's declared-options mechanism: parsing, defaults and validation. */
    public static final ConfigDef CONFIG_DEF = configDef();

    /** Property names of the cluster settings in {@link #toProperties()}. */
    static final String CLUSTER_BOOTSTRAP = "lethe.cluster.bootstrap.servers";
    static final String CLUSTER_REGISTRY = "lethe.cluster.schema.registry.url";
    static final String CLUSTER_PREFIX = "lethe.cluster.topic.prefix";
    static final String CLUSTER_USER_INFO = "lethe.cluster.registry.user.info";
    static final String CLUSTER_CLIENT = "lethe.cluster.client.";

    private final ClusterConfig cluster;
    /** Every key's parsed, validated value (String, Integer, Long or List of String; null when unset). */
    private final Map<String, Object> values;

    private EvaluatorConfig(ClusterConfig cluster, Map<String, Object> values) {
        if (cluster == null) {
            throw new IllegalArgumentException("cluster settings are required");
        }
        this.cluster = cluster;
        this.values = Collections.unmodifiableMap(new HashMap<>(values));
    }

    private static ConfigDef configDef() {
        ConfigDef def = new ConfigDef();
        for (Key key : Key.values()) {
            Object defaultValue = key.defaultValue == null ? null : ConfigDef.parseType(key.key, key.defaultValue, key.type);
            def.define(key.key, key.type, defaultValue, key.validator, ConfigDef.Importance.MEDIUM, key.doc);
        }
        return def;
    }

    /** Every key at its default. */
    public static EvaluatorConfig defaults(ClusterConfig cluster) {
        return fromProperties(cluster, new Properties());
    }

    /** Reads the evaluator keys of {@code props} (missing keys take their default; others are ignored) and validates them. */
    public static EvaluatorConfig fromProperties(ClusterConfig cluster, Properties props) {
        try {
            return new EvaluatorConfig(cluster, CONFIG_DEF.parse(props));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
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
        for (Key key : Key.values()) {
            Object value = values.get(key.key);
            if (value != null) {
                p.setProperty(key.key, text(value));
            }
        }
        return p;
    }

    /**
     * This config with one option changed, parsed and validated as if read from properties: a {@link Duration} is
     * taken in milliseconds, a collection joined with commas, an enum in lower case, anything else by toString.
     */
    public EvaluatorConfig with(Key key, Object value) {
        Properties p = toProperties();
        if (value == null) {
            p.remove(key.key);
        } else {
            p.setProperty(key.key, text(value));
        }
        return fromProperties(cluster, p);
    }

    private static String text(Object value) {
        if (value instanceof Duration d) {
            return Long.toString(d.toMillis());
        }
        if (value instanceof Collection<?> c) {
            return String.join(",", c.stream().map(String::valueOf).toList());
        }
        if (value instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
        return value.toString();
    }

    public EvaluatorConfig withWorkerId(String id) {
        return with(Key.WORKER_ID, id);
    }

    public EvaluatorConfig withCheckpointRoots(List<Path> roots) {
        return with(Key.CHECKPOINT_ROOTS, roots);
    }

    public EvaluatorConfig withAllowedUrls(List<String> urls) {
        return with(Key.ALLOWED_URLS, urls);
    }

    public EvaluatorConfig withDataDir(Path dir) {
        return with(Key.DATA_DIR, dir);
    }

    public EvaluatorConfig withScorer(ScorerMode mode, Duration sleep) {
        return with(Key.SCORER, mode).with(Key.SCORER_SLEEP_MS, sleep);
    }

    public EvaluatorConfig withTimeouts(Duration session, Duration transaction) {
        return with(Key.SESSION_TIMEOUT_MS, session).with(Key.TRANSACTION_TIMEOUT_MS, transaction);
    }

    public EvaluatorConfig withMaxPollRecords(int records) {
        return with(Key.MAX_POLL_RECORDS, records);
    }

    public EvaluatorConfig withMaxCheckpointBytes(long bytes) {
        return with(Key.MAX_CHECKPOINT_BYTES, bytes);
    }

    public EvaluatorConfig withSuiteDir(Path dir) {
        return with(Key.SUITE_DIR, dir);
    }

    /** Where to connect. */
    public ClusterConfig cluster() {
        return cluster;
    }

    public String workerId() {
        return (String) values.get(Key.WORKER_ID.key);
    }

    public String plannerId() {
        return (String) values.get(Key.PLANNER_ID.key);
    }

    public List<Path> checkpointRoots() {
        return strings(Key.CHECKPOINT_ROOTS).stream().map(Path::of).toList();
    }

    public List<String> allowedUrls() {
        return strings(Key.ALLOWED_URLS);
    }

    /** Folder of the MNIST IDX files (mnist-cl), or null. */
    public Path dataDir() {
        return path(Key.DATA_DIR);
    }

    public long maxCheckpointBytes() {
        return (Long) values.get(Key.MAX_CHECKPOINT_BYTES.key);
    }

    public int modelCacheSize() {
        return (Integer) values.get(Key.MODEL_CACHE_SIZE.key);
    }

    public int batchSize() {
        return (Integer) values.get(Key.BATCH_SIZE.key);
    }

    public int maxPollRecords() {
        return (Integer) values.get(Key.MAX_POLL_RECORDS.key);
    }

    public Duration sessionTimeout() {
        return millis(Key.SESSION_TIMEOUT_MS);
    }

    public Duration transactionTimeout() {
        return millis(Key.TRANSACTION_TIMEOUT_MS);
    }

    public ScorerMode scorer() {
        return ScorerMode.valueOf(((String) values.get(Key.SCORER.key)).toUpperCase(Locale.ROOT));
    }

    public Duration scorerSleep() {
        return millis(Key.SCORER_SLEEP_MS);
    }

    public Duration httpTimeout() {
        return millis(Key.HTTP_TIMEOUT_MS);
    }

    /** Where private checkpoint copies go, or null for a temp dir. */
    public Path workDir() {
        return path(Key.WORK_DIR);
    }

    /** Folder of imported suites ({@code <suiteDir>/<suite id>/suite.json}), or null. */
    public Path suiteDir() {
        return path(Key.SUITE_DIR);
    }

    @SuppressWarnings("unchecked")
    private List<String> strings(Key key) {
        return List.copyOf((List<String>) values.get(key.key));
    }

    private Path path(Key key) {
        String value = (String) values.get(key.key);
        return value == null || value.isBlank() ? null : Path.of(value);
    }

    private Duration millis(Key key) {
        return Duration.ofMillis((Long) values.get(key.key));
    }

    /** The worker's transactional.id: unique per worker id, stable across its restarts (so a restart fences its zombie). */
    public String workerTransactionalId() {
        return cluster.topicPrefix() + "evaluator-" + workerId();
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
        return cluster.topicPrefix() + "planner-" + plannerId();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EvaluatorConfig other && cluster.equals(other.cluster) && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cluster, values);
    }

    /** Every option and the cluster (whose toString hides its secrets). */
    @Override
    public String toString() {
        return "EvaluatorConfig[cluster=" + cluster + ", " + new TreeMap<>(values) + "]";
    }

    /** The validators {@link Key} uses beyond Kafka's own ranges and value lists. */
    private static final class Validators {

        /** An id: 1-100 of [A-Za-z0-9._-]. */
        static final ConfigDef.Validator ID = (name, value) -> {
            if (value == null || !value.toString().matches("[A-Za-z0-9._-]{1,100}")) {
                throw new ConfigException(name + " must be 1-100 of [A-Za-z0-9._-], got '" + value + "'");
            }
        };

        /** Every entry an http(s) URL prefix with a host. */
        static final ConfigDef.Validator HTTP_PREFIXES = (name, value) -> {
            for (Object url : (List<?>) value) {
                URI uri;
                try {
                    uri = new URI(url.toString());
                } catch (URISyntaxException e) {
                    throw new ConfigException(name + " '" + url + "' is not a URL");
                }
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    throw new ConfigException(name + " '" + url + "' must be an http(s) URL prefix with a host");
                }
            }
        };

        /** Unset, or an existing directory. */
        static final ConfigDef.Validator EXISTING_DIRECTORY = (name, value) -> {
            if (value != null && !value.toString().isBlank() && !Files.isDirectory(Path.of(value.toString()))) {
                throw new ConfigException(name + " must be an existing directory, got '" + value + "'");
            }
        };

        private Validators() {
        }
    }
}
