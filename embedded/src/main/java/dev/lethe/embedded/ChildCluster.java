package dev.lethe.embedded;

import dev.lethe.registry.EmbeddedSchemaRegistry;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.topics.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real multi-node KRaft Kafka cluster on one machine: N child JVMs running {@link BrokerMain}, each a combined
 * broker + controller node (so N controllers form the quorum and N brokers serve clients), internal and default
 * replication 3 with {@code min.insync.replicas=2}, plus Lethe's schema registry in this JVM against the whole
 * cluster. Used by {@code lethe broker --nodes 3}, {@code lethe demo --nodes 3} and the cluster fault tests.
 *
 * <p>Every node keeps its ports and data directory, so {@link #kill(int)} (SIGKILL) or {@link #stop(int)}
 * (SIGTERM) followed by {@link #start(int)} brings the same node back. Each child has the stdin watchdog of
 * {@link ChildBroker}: none outlives this JVM.
 */
public final class ChildCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChildCluster.class);

    private final Map<Integer, ChildBroker.Builder> launchers;
    private final Map<Integer, ChildBroker> running = new LinkedHashMap<>();
    private final String bootstrapServers;
    private final Path dataRoot;
    private final boolean deleteDataOnClose;
    private final String host;
    private final int registryPort;
    private EmbeddedSchemaRegistry registry;
    private int registryPortInUse;
    private boolean closed;

    private ChildCluster(Map<Integer, ChildBroker.Builder> launchers, String bootstrapServers, Path dataRoot,
                         boolean deleteDataOnClose, String host, int registryPort) {
        this.launchers = launchers;
        this.bootstrapServers = bootstrapServers;
        this.dataRoot = dataRoot;
        this.deleteDataOnClose = deleteDataOnClose;
        this.host = host;
        this.registryPort = registryPort;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every node's client listener, comma-separated. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** {@code http://host:port} of the registry, or null when started without one (or while it is stopped). */
    public synchronized String schemaRegistryUrl() {
        return registry == null ? null : registry.url();
    }

    /** Connection settings for Lethe's parts: the whole bootstrap list and the registry. */
    public ClusterConfig config() {
        return ClusterConfig.of(bootstrapServers, Objects.requireNonNull(schemaRegistryUrl(), "the registry is not running"));
    }

    public List<Integer> nodeIds() {
        return List.copyOf(launchers.keySet());
    }

    /** The node's current child process, or null while it is down. */
    public synchronized ChildBroker node(int nodeId) {
        checkNode(nodeId);
        ChildBroker child = running.get(nodeId);
        return child != null && child.isAlive() ? child : null;
    }

    public boolean isRunning(int nodeId) {
        return node(nodeId) != null;
    }

    /** SIGKILL: the node dies mid-write, as a machine losing power; its data directory stays for {@link #start(int)}. */
    public void kill(int nodeId) {
        ChildBroker child = takeRunning(nodeId);
        child.process().destroyForcibly();
        awaitExit(child, nodeId);
        log.info("Node {} killed (SIGKILL)", nodeId);
    }

    /** SIGTERM: a controlled shutdown (leadership moved away first); returns once the process is gone. */
    public void stop(int nodeId) {
        ChildBroker child = takeRunning(nodeId);
        child.close();
        log.info("Node {} stopped", nodeId);
    }

    /** Starts a stopped or killed node on its ports and data directory; returns once it serves clients. */
    public void start(int nodeId) {
        ChildBroker.Builder launcher = launchers.get(nodeId);
        synchronized (this) {
            checkNode(nodeId);
            if (node(nodeId) != null) {
                throw new IllegalStateException("node " + nodeId + " is already running");
            }
        }
        ChildBroker child = launcher.start();
        synchronized (this) {
            running.put(nodeId, child);
        }
        log.info("Node {} started (pid {})", nodeId, child.pid());
    }

    /** The id of the active controller (the quorum leader), as the cluster itself reports it. */
    public int activeController() {
        try (Admin admin = admin()) {
            return admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).leaderId();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot describe the metadata quorum: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The node leading a partition, or -1 when it has no leader. */
    public int leaderOf(String topic, int partition) {
        try (Admin admin = admin()) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            TopicPartitionInfo info = d.partitions().get(partition);
            Node leader = info.leader();
            return leader == null || leader.isEmpty() ? -1 : leader.id();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot describe " + topic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Waits until every partition of the given topics has all its replicas in sync again (after a node came
     * back); false if that does not happen within the timeout.
     */
    public boolean awaitFullyReplicated(List<String> topics, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                try {
                    Map<String, TopicDescription> d = admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
                    if (d.values().stream().flatMap(t -> t.partitions().stream())
                            .allMatch(p -> p.isr().size() == p.replicas().size())) {
                        return true;
                    }
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    log.debug("describe topics while waiting for replication: {}", e.toString());
                }
                Thread.sleep(200); // poll interval of a condition wait
            }
        }
        return false;
    }

    /** Stops the registry (an outage of the registry alone); {@link #startRegistry()} brings it back on its port. */
    public synchronized void stopRegistry() {
        if (registry != null) {
            registry.close();
            registry = null;
        }
    }

    /** Starts the registry on its port (the first start picks the port when it was 0); it replays {@code _schemas}. */
    public synchronized void startRegistry() {
        if (registry != null) {
            return;
        }
        int port = registryPortInUse != 0 ? registryPortInUse : registryPort;
        registry = EmbeddedSchemaRegistry.start(EmbeddedSchemaRegistry.Options.of(bootstrapServers).withHost(host).withPort(port));
        registryPortInUse = registry.port();
    }

    /** Admin client properties for this cluster. */
    public Map<String, Object> adminProperties() {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    }

    private Admin admin() {
        return Admin.create(adminProperties());
    }

    /** Stops the registry and every node (in parallel), then deletes the data unless it was a named directory. */
    @Override
    public void close() {
        List<ChildBroker> children;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            stopRegistry();
            children = new ArrayList<>(running.values());
            running.clear();
        }
        // temporary data is thrown away anyway: SIGKILL is as good as a clean stop and takes no time
        inParallel(children.stream().<Runnable>map(c -> () -> {
            if (deleteDataOnClose) {
                c.process().destroyForcibly();
            }
            c.close();
        }).toList());
        if (deleteDataOnClose) {
            EmbeddedKafkaBroker.deleteRecursively(dataRoot);
        }
    }

    // one thread per task, not the common pool: on 2 cores that pool runs one task at a time, and a node
    // waits for a quorum majority before it reports ready
    private static void inParallel(List<Runnable> tasks) {
        if (tasks.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<CompletableFuture<Void>> all = tasks.stream().map(t -> CompletableFuture.runAsync(t, pool)).toList();
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        } finally {
            pool.shutdown();
        }
    }

    private synchronized ChildBroker takeRunning(int nodeId) {
        checkNode(nodeId);
        ChildBroker child = running.remove(nodeId);
        if (child == null || !child.isAlive()) {
            throw new IllegalStateException("node " + nodeId + " is not running");
        }
        return child;
    }

    private void checkNode(int nodeId) {
        if (!launchers.containsKey(nodeId)) {
            throw new IllegalArgumentException("no node " + nodeId + "; the nodes are " + launchers.keySet());
        }
    }

    private static void awaitExit(ChildBroker child, int nodeId) {
        try {
            if (!child.process().waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("node " + nodeId + " still alive 30 s after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Options of the cluster; every one has a default. */
    public static final class Builder {
        private int nodes = 3;
        private String host = "127.0.0.1";
        private int firstPort;
        private int registryPort;
        private boolean registry = true;
        private Path dataDir;
        private String topicPrefix;
        private String heap = "512m";
        private IntFunction<Redirect> stderr = id -> Redirect.INHERIT;
        private IntFunction<String> nodeHost;
        private IntFunction<List<String>> commandPrefix = id -> List.of();
        private Duration startTimeout = Duration.ofMinutes(3);

        private Builder() {
        }

        /** Number of nodes, 1..9 (default 3); every node is both a controller and a broker. */
        public Builder nodes(int count) {
            if (count < 1 || count > 9) {
                throw new IllegalArgumentException("nodes must be 1..9, got " + count);
            }
            this.nodes = count;
            return this;
        }

        /** Address every node binds and advertises (default 127.0.0.1). */
        public Builder host(String address) {
            this.host = address;
            return this;
        }

        /**
         * Each node on an address of its own (e.g. in its own network namespace, with {@link #commandPrefix}); its
         * ports are then {@link #firstPort(int)} + N - 1 for clients and + 100 for the controller, unchecked.
         */
        public Builder nodeHost(IntFunction<String> perNode) {
            this.nodeHost = perNode;
            return this;
        }

        /** Words run before node N's {@code java}, e.g. {@code ip netns exec NS} (see {@link ChildBroker.Builder#commandPrefix}). */
        public Builder commandPrefix(IntFunction<List<String>> perNode) {
            this.commandPrefix = perNode;
            return this;
        }

        /** Client port of node 1; node N listens on firstPort + N - 1. 0 (default): free ports. */
        public Builder firstPort(int port) {
            this.firstPort = port;
            return this;
        }

        /** Registry HTTP port, 0 (default) for a free one. */
        public Builder registryPort(int port) {
            this.registryPort = port;
            return this;
        }

        /** Whether to run the schema registry (in this JVM) too (default true). */
        public Builder registry(boolean enabled) {
            this.registry = enabled;
            return this;
        }

        /** Keep every node's data under DIR/node-N across runs (default: a temporary directory deleted on close). */
        public Builder dataDir(Path dir) {
            this.dataDir = dir.toAbsolutePath();
            return this;
        }

        /** Create every Lethe topic under this prefix (replication 3, min.insync.replicas 2) before returning. */
        public Builder topicPrefix(String prefix) {
            this.topicPrefix = prefix;
            return this;
        }

        /** Maximum heap of each node's JVM, as for -Xmx (default 512m). */
        public Builder heap(String size) {
            this.heap = size;
            return this;
        }

        /** Where node N's stderr (its log) goes; default: this process's stderr. */
        public Builder stderr(IntFunction<Redirect> perNode) {
            this.stderr = perNode;
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /** Starts every node at once (a quorum needs a majority to come up), then the topics and the registry. */
        public ChildCluster start() {
            Path root;
            try {
                root = dataDir != null ? Files.createDirectories(dataDir) : Files.createTempDirectory("lethe-cluster-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the cluster's data directory " + dataDir, e);
            }
            List<QuorumMember.Node> addresses = new ArrayList<>();
            for (int id = 1; id <= nodes; id++) {
                if (nodeHost != null) {
                    // another address, maybe not even reachable from here yet: nothing to probe, the ports are fixed
                    if (firstPort == 0) {
                        throw new IllegalArgumentException("nodeHost needs a firstPort");
                    }
                    addresses.add(new QuorumMember.Node(id, nodeHost.apply(id), firstPort + id - 1, firstPort + 99 + id));
                    continue;
                }
                int port = firstPort == 0 ? EmbeddedKafkaBroker.freePort(host) : firstPort + id - 1;
                BrokerMain.checkFree(host, port, "--port");
                addresses.add(new QuorumMember.Node(id, host, port, EmbeddedKafkaBroker.freePort(host)));
            }
            String clusterId = Uuid.randomUuid().toString();
            Map<Integer, ChildBroker.Builder> launchers = new LinkedHashMap<>();
            for (QuorumMember.Node node : addresses) {
                launchers.put(node.id(), ChildBroker.builder()
                        .quorumMember(new QuorumMember(node.id(), addresses, clusterId))
                        .dataDir(root.resolve("node-" + node.id()))
                        .jvmOptions(List.of("-Xms128m", "-Xmx" + heap, "-XX:+UseSerialGC"))
                        .stderr(stderr.apply(node.id()))
                        .commandPrefix(commandPrefix.apply(node.id()))
                        .startTimeout(startTimeout));
            }
            ChildCluster cluster = new ChildCluster(launchers, new QuorumMember(1, addresses, clusterId).bootstrapServers(),
                    root, dataDir == null, host, registryPort);
            try {
                inParallel(launchers.keySet().stream().<Runnable>map(id -> () -> cluster.start(id)).toList());
                if (topicPrefix != null) {
                    ClusterConfig config = ClusterConfig.of(cluster.bootstrapServers(), "http://" + host + ":1")
                            .withTopicPrefix(topicPrefix);
                    LetheTopicsAdmin.createAll(config, Topics.withPrefix(topicPrefix));
                }
                if (registry) {
                    cluster.startRegistry();
                }
            } catch (RuntimeException e) {
                cluster.close();
                throw e instanceof CompletionException && e.getCause() instanceof RuntimeException r ? r : e;
            }
            log.info("{}-node cluster ready at {} (registry {})", nodes, cluster.bootstrapServers(), cluster.schemaRegistryUrl());
            return cluster;
        }
    }
}
