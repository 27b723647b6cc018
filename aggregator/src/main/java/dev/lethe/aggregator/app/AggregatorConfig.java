package dev.lethe.aggregator.app;

import dev.lethe.aggregator.metrics.AlertConfig;
import dev.lethe.schemas.config.ClusterConfig;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Every setting of the aggregator (one immutable record, each key declared once with its default and
 * validated by {@link #validated()} with a message naming the key).
 *
 * @param cluster          where to connect (bootstrap servers, registry, topic prefix, client overrides)
 * @param applicationId    {@code application.id}: names the consumer group, the changelog and repartition topics
 *                         (key {@code aggregator.application-id}, default {@value #DEFAULT_APPLICATION_ID} under the
 *                         default topic prefix, else {@code <prefix>aggregator}: one per deployment)
 * @param stateDir         local RocksDB state directory (key {@code aggregator.state-dir}, default
 *                         {@code <java.io.tmpdir>/lethe-aggregator})
 * @param httpHost         interface the query endpoint binds to (key {@code aggregator.http-host}, default
 *                         {@value #DEFAULT_HTTP_HOST}: not reachable from other machines unless configured)
 * @param httpPort         port of the query endpoint, 0 for any free port, -1 for none
 *                         (key {@code aggregator.http-port}, default {@value #DEFAULT_HTTP_PORT})
 * @param advertisedHost   host other instances use to reach this one's endpoint ({@code application.server});
 *                         null means {@code httpHost} (key {@code aggregator.advertised-host})
 * @param streamThreads    {@code num.stream.threads} (key {@code aggregator.stream-threads}, default 1)
 * @param commitIntervalMs {@code commit.interval.ms}, the exactly-once transaction length and so the output latency
 *                         (key {@code aggregator.commit-interval-ms}, default {@value #DEFAULT_COMMIT_INTERVAL_MS})
 * @param alerts           the alert thresholds ({@code alert.*} keys, see {@link AlertConfig})
 */
public record AggregatorConfig(ClusterConfig cluster, String applicationId, Path stateDir, String httpHost, int httpPort,
                               String advertisedHost, int streamThreads, long commitIntervalMs, AlertConfig alerts) {

    public static final String DEFAULT_APPLICATION_ID = "lethe-aggregator";
    public static final String DEFAULT_HTTP_HOST = "127.0.0.1";
    public static final int DEFAULT_HTTP_PORT = 8090;
    public static final int DEFAULT_STREAM_THREADS = 1;
    public static final long DEFAULT_COMMIT_INTERVAL_MS = 100;

    public AggregatorConfig {
        alerts = alerts == null ? AlertConfig.defaults() : alerts;
    }

    /** The defaults against a cluster. */
    public static AggregatorConfig defaults(ClusterConfig cluster) {
        return new AggregatorConfig(cluster, cluster.deploymentName("aggregator"),
                Path.of(System.getProperty("java.io.tmpdir"), "lethe-aggregator"), DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT,
                null, DEFAULT_STREAM_THREADS, DEFAULT_COMMIT_INTERVAL_MS, AlertConfig.defaults());
    }

    public AggregatorConfig withApplicationId(String value) {
        return new AggregatorConfig(cluster, value, stateDir, httpHost, httpPort, advertisedHost, streamThreads, commitIntervalMs, alerts);
    }

    public AggregatorConfig withStateDir(Path value) {
        return new AggregatorConfig(cluster, applicationId, value, httpHost, httpPort, advertisedHost, streamThreads, commitIntervalMs, alerts);
    }

    public AggregatorConfig withHttp(String host, int port) {
        return new AggregatorConfig(cluster, applicationId, stateDir, host, port, advertisedHost, streamThreads, commitIntervalMs, alerts);
    }

    public AggregatorConfig withAdvertisedHost(String value) {
        return new AggregatorConfig(cluster, applicationId, stateDir, httpHost, httpPort, value, streamThreads, commitIntervalMs, alerts);
    }

    public AggregatorConfig withStreamThreads(int value) {
        return new AggregatorConfig(cluster, applicationId, stateDir, httpHost, httpPort, advertisedHost, value, commitIntervalMs, alerts);
    }

    public AggregatorConfig withCommitIntervalMs(long value) {
        return new AggregatorConfig(cluster, applicationId, stateDir, httpHost, httpPort, advertisedHost, streamThreads, value, alerts);
    }

    public AggregatorConfig withAlerts(AlertConfig value) {
        return new AggregatorConfig(cluster, applicationId, stateDir, httpHost, httpPort, advertisedHost, streamThreads, commitIntervalMs, value);
    }

    /** Checks every key; the message names the offending one. */
    public AggregatorConfig validated() {
        Objects.requireNonNull(cluster, "cluster settings must be given");
        cluster.validated();
        if (applicationId == null || !applicationId.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("aggregator.application-id must be non-empty [A-Za-z0-9._-], got '" + applicationId + "'");
        }
        if (stateDir == null) {
            throw new IllegalArgumentException("aggregator.state-dir must be given");
        }
        if (httpHost == null || httpHost.isBlank()) {
            throw new IllegalArgumentException("aggregator.http-host must not be empty");
        }
        if (httpPort < -1 || httpPort > 65535) {
            throw new IllegalArgumentException("aggregator.http-port must be -1 (off), 0 (any) or 1..65535, got " + httpPort);
        }
        if (streamThreads < 1) {
            throw new IllegalArgumentException("aggregator.stream-threads must be >= 1, got " + streamThreads);
        }
        if (commitIntervalMs < 1) {
            throw new IllegalArgumentException("aggregator.commit-interval-ms must be >= 1, got " + commitIntervalMs);
        }
        return this;
    }

    /** The host other instances reach this one at. */
    public String endpointHost() {
        return advertisedHost != null ? advertisedHost : httpHost;
    }
}
