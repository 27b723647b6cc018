package dev.lethe.aggregator.app;

import dev.lethe.aggregator.query.QueryServer;
import dev.lethe.aggregator.topology.AggregatorSerdes;
import dev.lethe.aggregator.topology.AggregatorTopology;
import dev.lethe.schemas.failure.TransientFailure;
import dev.lethe.schemas.registry.SchemaRegistryClient;
import dev.lethe.schemas.serde.AvroSerdes;
import java.net.URI;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running aggregator instance: the {@link AggregatorTopology} under {@code exactly_once_v2} plus its
 * interactive-query HTTP endpoint. Start it with {@link #start(AggregatorConfig)}, stop it with {@link #close()}.
 * The topics must exist (see {@code LetheTopicsAdmin}); internal changelog and repartition topics are created by
 * Kafka Streams.
 */
public final class AggregatorApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AggregatorApp.class);

    private final AggregatorConfig config;
    private final KafkaStreams streams;
    private final QueryServer queryServer;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong deadLetterFailures;
    private final StreamThreadFailures threadFailures;
    private volatile boolean closed;

    private AggregatorApp(AggregatorConfig config, KafkaStreams streams, QueryServer queryServer, AtomicLong deadLetterFailures,
                          StreamThreadFailures threadFailures) {
        this.deadLetterFailures = deadLetterFailures;
        this.threadFailures = threadFailures;
        this.config = config;
        this.streams = streams;
        this.queryServer = queryServer;
    }

    /** Validates the config, binds the query endpoint and starts Streams against the configured cluster. */
    public static AggregatorApp start(AggregatorConfig config) {
        return start(config, AggregatorSerdes.forCluster(config.validated().cluster()));
    }

    public static AggregatorApp start(AggregatorConfig config, AggregatorSerdes serdes) {
        config.validated();
        int runPartitions;
        try {
            runPartitions = ShardResultPartitions.of(config.cluster(), Duration.ofMinutes(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the partitions of the shard results topic", e);
        }
        QueryServer server = config.httpPort() < 0 ? null : QueryServer.bind(config.httpHost(), config.httpPort());
        String applicationServer = server == null ? null : config.endpointHost() + ":" + server.port();
        Properties props = streamsProperties(config, applicationServer);
        AtomicLong deadLetterFailures = new AtomicLong();
        props.put(DeadLetterWriteFailures.COUNTER, deadLetterFailures);
        KafkaStreams streams = new KafkaStreams(AggregatorTopology.build(config, serdes, runPartitions), props);
        SchemaRegistryClient registry = AvroSerdes.client(config.cluster());
        StreamThreadFailures threadFailures = new StreamThreadFailures(() -> answers(registry), Duration.ofSeconds(2),
                Duration.ofMinutes(2));
        AggregatorApp app = new AggregatorApp(config, streams, server, deadLetterFailures, threadFailures);
        streams.setUncaughtExceptionHandler(threadFailures);
        streams.setStateListener((now, before) -> {
            LOG.info("aggregator {} -> {}", before, now);
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                app.stopped.countDown();
            }
        });
        if (server != null) {
            server.start(streams, serdes, applicationServer);
        }
        streams.start();
        LOG.info("aggregator {} started on {} (query endpoint {})", config.applicationId(), config.cluster().bootstrapServers(),
                server == null ? "off" : "http://" + applicationServer);
        return app;
    }

    private static boolean answers(SchemaRegistryClient registry) {
        try {
            registry.subjects();
            return true;
        } catch (RuntimeException e) {
            return !TransientFailure.isTransient(e);
        }
    }

    /** The Kafka Streams properties of this instance: exactly_once_v2, named state dir, application.server. */
    public static Properties streamsProperties(AggregatorConfig config, String applicationServer) {
        Properties props = new Properties();
        props.putAll(config.cluster().clientProperties());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitIntervalMs());
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        // No waiting for data on a task's empty input partitions (the repartition topics shard-results-by-run and
        // announcements-by-run are nearly always empty): the results do not depend on the order records are processed
        // in (AggregatorOrderPropertyTest), and with the default (0) Kafka Streams 4.4 formats a log line per empty
        // partition on every processing check, a fifth of the stream thread's CPU in `lethe bench`
        // (PartitionGroup.readyToProcess)
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        // a replaced stream thread (StreamThreadFailures) does not leave the group: its partitions move on when its
        // session expires, so 10 s instead of 45 s is how long a replacement stalls the aggregator
        props.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 10_000);
        if (applicationServer != null) {
            props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer);
        }
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterWriteFailures.class.getName());
        props.put(DeadLetterWriteFailures.DLQ_TOPIC,
                config.cluster().topics().dlq(config.cluster().topics().shardResults()).name());
        return props;
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** Dead letters that could not be written (logged at ERROR each time). */
    public long failedDeadLetterWrites() {
        return deadLetterFailures.get();
    }

    /** The last exception a stream thread died of (replaced or not), or null: what a stalled aggregator tells first. */
    public Throwable lastStreamThreadFailure() {
        return threadFailures.last();
    }

    public AggregatorConfig config() {
        return config;
    }

    /** Base URI of the query endpoint, or null when it is off. */
    public URI endpoint() {
        return queryServer == null ? null : URI.create("http://" + config.endpointHost() + ":" + queryServer.port());
    }

    /** Waits until Streams is RUNNING (all tasks assigned and restored). */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (streams.state() == KafkaStreams.State.RUNNING) {
                return true;
            }
            if (stopped.await(50, TimeUnit.MILLISECONDS)) {
                return false;
            }
        }
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    /** Blocks until the instance stops (closed, or failed); true if it failed. */
    public boolean awaitStop() throws InterruptedException {
        stopped.await();
        return streams.state() == KafkaStreams.State.ERROR;
    }

    /** Stops the endpoint and closes Streams cleanly (commits, flushes state, leaves the group). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (queryServer != null) {
            queryServer.close();
        }
        // leave the group so the remaining (or restarted) instances take over at once instead of after session.timeout.ms
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
        stopped.countDown();
        LOG.info("aggregator {} closed", config.applicationId());
    }
}
