package dev.lethe.embedded;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.commons.io.file.PathUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka broker (combined broker + controller) running in this JVM, formatted with
 * Kafka's own {@link Formatter}; used by integration tests (through the testkit) and by {@link BrokerMain}.
 *
 * <p>Ports are chosen once (random free ports unless given) and kept, so {@link #stop()} followed by
 * {@link #start()} (or {@link #restart()}) brings the same broker back on the same data directory and the same
 * address: that is what fault-injection tests need. The data directory is deleted by {@link #close()} unless
 * {@link Builder#keepData(boolean)} says otherwise.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final String host;
    private final int port;
    private final int controllerPort;
    private final Path dataDir;
    private final boolean keepData;
    private final List<BrokerListener> listeners;
    private final Map<String, Integer> listenerPorts = new LinkedHashMap<>();
    private final Map<String, String> overrides;
    private final List<String> scramArguments;
    private final QuorumMember quorum;
    private KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafkaBroker(Builder b) {
        this.host = b.host;
        this.port = b.port == 0 ? freePort(b.host) : b.port;
        this.controllerPort = b.controllerPort == 0 ? freePort(b.host) : b.controllerPort;
        this.keepData = b.keepData == null ? b.dataDir != null : b.keepData;
        try {
            this.dataDir = b.dataDir != null ? Files.createDirectories(b.dataDir) : Files.createTempDirectory("lethe-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create broker data dir " + b.dataDir, e);
        }
        this.listeners = List.copyOf(b.listeners);
        for (BrokerListener l : listeners) {
            listenerPorts.put(l.name(), l.port() == 0 ? freePort(b.host) : l.port());
        }
        this.overrides = Map.copyOf(b.overrides);
        this.scramArguments = List.copyOf(b.scramArguments);
        this.quorum = b.quorum;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A started broker on random ports with a temporary data directory deleted on close. */
    public static EmbeddedKafkaBroker startDefault() {
        return builder().build().startOrClose();
    }

    /** {@link #start()}, but a broker that fails to start is closed (its temporary data deleted) before the throw. */
    public EmbeddedKafkaBroker startOrClose() {
        try {
            return start();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Formats the data directory on first use, starts the broker and waits until it answers {@code describeCluster}. */
    public synchronized EmbeddedKafkaBroker start() {
        if (closed) {
            throw new IllegalStateException("broker is closed");
        }
        if (server != null) {
            return this;
        }
        long t0 = System.nanoTime();
        KafkaConfig config = new KafkaConfig(brokerProperties());
        format(config);
        KafkaRaftServer s = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            s.startup();
        } catch (RuntimeException e) {
            shutdownQuietly(s);
            throw new IllegalStateException("embedded Kafka broker failed to start on " + bootstrapServers(), e);
        }
        server = s;
        awaitReady();
        log.info("Embedded Kafka broker ready at {} (data {}) in {} ms",
                bootstrapServers(), dataDir, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return this;
    }

    /** Stops the broker (controlled shutdown) but keeps its data directory and ports for a later {@link #start()}. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        KafkaRaftServer s = server;
        server = null;
        shutdownQuietly(s);
        log.info("Embedded Kafka broker at {} stopped", bootstrapServers());
    }

    /** Stops and starts the broker on the same data directory and ports (fault injection). */
    public synchronized void restart() {
        stop();
        start();
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** {@code host:port} of the PLAINTEXT client listener. */
    public String bootstrapServers() {
        return host + ":" + port;
    }

    /** {@code host:port} of an extra listener added with {@link Builder#listener(BrokerListener)}. */
    public String bootstrapServers(String listenerName) {
        Integer p = listenerPorts.get(listenerName);
        if (p == null) {
            throw new IllegalArgumentException("no listener named " + listenerName + "; have " + listenerPorts.keySet());
        }
        return host + ":" + p;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Stops the broker and deletes its data directory unless it is kept. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        stop();
        closed = true;
        if (!keepData) {
            deleteRecursively(dataDir);
        }
    }

    /** The full broker configuration (exposed for {@link BrokerMain} diagnostics and tests). */
    public Properties brokerProperties() {
        Properties p = new Properties();
        StringBuilder listenersValue = new StringBuilder("PLAINTEXT://" + host + ":" + port)
                .append(",CONTROLLER://").append(host).append(':').append(controllerPort);
        StringBuilder advertised = new StringBuilder("PLAINTEXT://" + host + ":" + port);
        StringBuilder protocols = new StringBuilder("PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        for (BrokerListener l : listeners) {
            String hp = host + ":" + listenerPorts.get(l.name());
            listenersValue.append(',').append(l.name()).append("://").append(hp);
            advertised.append(',').append(l.name()).append("://").append(hp);
            protocols.append(',').append(l.name()).append(':').append(l.securityProtocol());
        }
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(quorum == null ? 1 : quorum.nodeId()));
        p.put("controller.quorum.voters", quorum == null ? "1@" + host + ":" + controllerPort : quorum.voters());
        p.put("listeners", listenersValue.toString());
        p.put("advertised.listeners", advertised.toString());
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", protocols.toString());
        p.put("log.dirs", logDir().toString());
        // one broker: every internal topic with replication 1, or transactions and groups never become available;
        // in a cluster: replication 3 (at most the node count) and min.insync.replicas 2, what production runs
        int replication = quorum == null ? 1 : Math.min(3, quorum.size());
        String rf = String.valueOf(replication);
        String minIsr = String.valueOf(Math.min(2, replication));
        p.put("offsets.topic.replication.factor", rf);
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", rf);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("transaction.state.log.num.partitions", "3");
        p.put("share.coordinator.state.topic.replication.factor", rf);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("default.replication.factor", rf);
        p.put("min.insync.replicas", minIsr);
        if (quorum != null) {
            // a follower cut off or killed leaves the ISR after 10 s instead of 30 s, so acks=all writes resume sooner
            p.put("replica.lag.time.max.ms", "10000");
        }
        // otherwise the first consumer group of every test waits 3 s
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        for (BrokerListener l : listeners) {
            p.putAll(l.brokerConfigs());
        }
        p.putAll(overrides);
        return p;
    }

    private Path logDir() {
        return dataDir.resolve("kraft-logs");
    }

    private void format(KafkaConfig config) {
        if (Files.exists(logDir().resolve("meta.properties"))) {
            return;
        }
        try {
            Formatter formatter = new Formatter()
                    .setPrintStream(new PrintStream(java.io.OutputStream.nullOutputStream()))
                    .setNodeId(config.nodeId())
                    .setClusterId(quorum == null ? Uuid.randomUuid().toString() : quorum.clusterId())
                    .setControllerListenerName(config.controllerListenerNames().get(0))
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .addDirectory(logDir().toString());
            if (!scramArguments.isEmpty()) {
                formatter.setScramArguments(scramArguments);
            }
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("formatting broker storage in " + logDir() + " failed: " + e.getMessage(), e);
        }
    }

    private void awaitReady() {
        Map<String, Object> props = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes().get().isEmpty()) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted waiting for the broker", e);
                }
                pause(100);
            }
        }
        throw new IllegalStateException("embedded broker at " + bootstrapServers() + " not ready within " + READY_TIMEOUT, last);
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms); // readiness polling backoff, not a test wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void shutdownQuietly(KafkaRaftServer s) {
        try {
            s.shutdown();
            s.awaitShutdown();
        } catch (RuntimeException e) {
            log.warn("Embedded broker shutdown failed: {}", e.toString());
        }
    }

    static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + host, e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            PathUtils.deleteDirectory(dir);
        } catch (IOException e) {
            log.warn("Could not delete broker data dir {}: {}", dir, e.toString());
        }
    }

    /** Options of an embedded broker; every one has a sensible default. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private int controllerPort;
        private Path dataDir;
        private Boolean keepData;
        private final List<BrokerListener> listeners = new ArrayList<>();
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private final List<String> scramArguments = new ArrayList<>();
        private QuorumMember quorum;

        private Builder() {
        }

        /**
         * Makes this broker one node of a multi-node KRaft cluster (combined broker + controller) instead of a
         * cluster of its own; the internal topics then get replication 3 and {@code min.insync.replicas=2}.
         */
        public Builder quorumMember(QuorumMember member) {
            this.quorum = member;
            if (member != null) {
                this.port = checkPort(member.self().port(), "port");
                this.controllerPort = checkPort(member.self().controllerPort(), "controllerPort");
                this.host = member.self().host();
            }
            return this;
        }

        /** Address to bind and advertise (default 127.0.0.1). */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** PLAINTEXT client port; 0 (default) picks a free one. */
        public Builder port(int port) {
            this.port = checkPort(port, "port");
            return this;
        }

        /** KRaft controller port; 0 (default) picks a free one. */
        public Builder controllerPort(int port) {
            this.controllerPort = checkPort(port, "controllerPort");
            return this;
        }

        /**
         * Data directory; by default a temporary one. Naming a directory also keeps it on close unless
         * {@link #keepData(boolean)} says false, so a user's directory is never deleted by surprise.
         */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** Whether {@link EmbeddedKafkaBroker#close()} keeps the data directory. */
        public Builder keepData(boolean keep) {
            this.keepData = keep;
            return this;
        }

        /** Any broker property, applied last (overrides the single-node defaults). */
        public Builder brokerProperty(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        /** An extra client listener, e.g. {@link BrokerListener#scram(String, int)}. */
        public Builder listener(BrokerListener listener) {
            listeners.add(listener);
            return this;
        }

        /** A SCRAM credential written at format time (only effective on a fresh data directory). */
        public Builder scramUser(String mechanism, String user, String password) {
            scramArguments.add(mechanism + "=[name=" + user + ",password=" + password + "]");
            return this;
        }

        public EmbeddedKafkaBroker build() {
            return new EmbeddedKafkaBroker(this);
        }

        private static int checkPort(int port, String what) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(what + " must be 0..65535, got " + port);
            }
            return port;
        }
    }
}
