package dev.lethe.embedded;

import dev.lethe.registry.EmbeddedSchemaRegistry;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.topics.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the child-JVM broker ({@link ChildBroker}): formats and starts an {@link EmbeddedKafkaBroker}
 * plus the embedded schema registry, optionally creates Lethe's topics, then prints the machine-readable lines
 * {@code bootstrap.servers=HOST:PORT} and {@code schema.registry.url=http://HOST:PORT} on stdout.
 *
 * <p>It stops on SIGTERM/SIGINT (shutdown hook) and also when its stdin reaches end-of-file: the parent holds
 * the other end of that pipe, so a parent killed with {@code kill -9} never leaves an orphaned broker behind.
 *
 * <pre>
 * BrokerMain [--host H] [--port N] [--controller-port N] [--registry-port N] [--no-registry]
 *            [--data-dir DIR] [--topic-prefix P] [--no-stdin-watchdog]
 *            [--node-id N --cluster-nodes id@host:port:controllerPort,... --cluster-id ID]
 * </pre>
 *
 * <p>With {@code --node-id} it is one node of a multi-node cluster ({@link ChildCluster}) and its own address
 * comes from its entry in {@code --cluster-nodes}.
 */
public final class BrokerMain {

    /** Prefix of the stdout line carrying the broker address. */
    public static final String BOOTSTRAP_LINE = "bootstrap.servers=";
    /** Prefix of the stdout line carrying the registry URL. */
    public static final String REGISTRY_LINE = "schema.registry.url=";
    /** Last stdout line once everything is up (topics included). */
    public static final String READY_LINE = "lethe.broker.ready";

    private static final Logger log = LoggerFactory.getLogger(BrokerMain.class);

    private BrokerMain() {
    }

    /** Parsed command line. */
    record Options(String host, int port, int controllerPort, int registryPort, boolean registry, Path dataDir,
                   String topicPrefix, boolean stdinWatchdog, QuorumMember quorum) {

        Options(String host, int port, int controllerPort, int registryPort, boolean registry, Path dataDir,
                String topicPrefix, boolean stdinWatchdog) {
            this(host, port, controllerPort, registryPort, registry, dataDir, topicPrefix, stdinWatchdog, null);
        }

        static Options defaults() {
            return new Options("127.0.0.1", 0, 0, 0, true, null, null, true);
        }

        Options withHost(String h) {
            return new Options(h, port, controllerPort, registryPort, registry, dataDir, topicPrefix, stdinWatchdog, quorum);
        }

        Options withPort(int p) {
            return new Options(host, p, controllerPort, registryPort, registry, dataDir, topicPrefix, stdinWatchdog, quorum);
        }

        Options withRegistryPort(int p) {
            return new Options(host, port, controllerPort, p, registry, dataDir, topicPrefix, stdinWatchdog, quorum);
        }

        Options withRegistry(boolean enabled) {
            return new Options(host, port, controllerPort, registryPort, enabled, dataDir, topicPrefix, stdinWatchdog, quorum);
        }

        Options withDataDir(Path dir) {
            return new Options(host, port, controllerPort, registryPort, registry, dir, topicPrefix, stdinWatchdog, quorum);
        }

        Options withTopicPrefix(String prefix) {
            return new Options(host, port, controllerPort, registryPort, registry, dataDir, prefix, stdinWatchdog, quorum);
        }

        /** One node of a cluster: its address is its entry in the member's node list. */
        Options withQuorum(QuorumMember member) {
            QuorumMember.Node self = member.self();
            return new Options(self.host(), self.port(), self.controllerPort(), registryPort, registry, dataDir, topicPrefix,
                    stdinWatchdog, member);
        }

        static Options parse(String... args) {
            String host = "127.0.0.1";
            int port = 0;
            int controllerPort = 0;
            int registryPort = 0;
            boolean registry = true;
            Path dataDir = null;
            String topicPrefix = null;
            boolean watchdog = true;
            Integer nodeId = null;
            String clusterNodes = null;
            String clusterId = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--host" -> host = value(args, ++i, a);
                    case "--port" -> port = port(value(args, ++i, a), a);
                    case "--controller-port" -> controllerPort = port(value(args, ++i, a), a);
                    case "--registry-port" -> registryPort = port(value(args, ++i, a), a);
                    case "--no-registry" -> registry = false;
                    case "--data-dir" -> dataDir = Path.of(value(args, ++i, a));
                    case "--topic-prefix" -> topicPrefix = value(args, ++i, a);
                    case "--no-stdin-watchdog" -> watchdog = false;
                    case "--node-id" -> nodeId = port(value(args, ++i, a), a);
                    case "--cluster-nodes" -> clusterNodes = value(args, ++i, a);
                    case "--cluster-id" -> clusterId = value(args, ++i, a);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            Options parsed = new Options(host, port, controllerPort, registryPort, registry, dataDir, topicPrefix, watchdog);
            if (nodeId == null && clusterNodes == null && clusterId == null) {
                return parsed;
            }
            if (nodeId == null || clusterNodes == null || clusterId == null) {
                throw new IllegalArgumentException("--node-id, --cluster-nodes and --cluster-id go together");
            }
            return parsed.withQuorum(new QuorumMember(nodeId, QuorumMember.parseNodes(clusterNodes), clusterId));
        }

        List<String> toArgs() {
            List<String> out = new ArrayList<>(List.of("--host", host, "--port", String.valueOf(port),
                    "--controller-port", String.valueOf(controllerPort), "--registry-port", String.valueOf(registryPort)));
            if (!registry) {
                out.add("--no-registry");
            }
            if (dataDir != null) {
                out.addAll(List.of("--data-dir", dataDir.toString()));
            }
            if (topicPrefix != null) {
                out.addAll(List.of("--topic-prefix", topicPrefix));
            }
            if (!stdinWatchdog) {
                out.add("--no-stdin-watchdog");
            }
            if (quorum != null) {
                out.addAll(List.of("--node-id", String.valueOf(quorum.nodeId()),
                        "--cluster-nodes", QuorumMember.nodesSpec(quorum.nodes()), "--cluster-id", quorum.clusterId()));
            }
            return out;
        }

        private static String value(String[] args, int i, String flag) {
            if (i >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return args[i];
        }

        private static int port(String v, String flag) {
            try {
                int p = Integer.parseInt(v);
                if (p < 0 || p > 65535) {
                    throw new NumberFormatException();
                }
                return p;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " must be a port 0..65535 (0 = random), got '" + v + "'");
            }
        }
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("BrokerMain: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (options.stdinWatchdog()) {
            startStdinWatchdog(System.in);
        }
        try {
            Running running = start(options, System.out);
            Runtime.getRuntime().addShutdownHook(new Thread(running::close, "lethe-broker-shutdown"));
        } catch (RuntimeException e) {
            System.err.println("BrokerMain: start failed: " + rootMessage(e));
            log.debug("Broker start failed", e);
            System.exit(1);
        }
        // the JVM stays up on the broker's non-daemon threads until SIGTERM or stdin EOF
    }

    /** A started broker + registry; closing stops both (registry first, it writes to the broker). */
    public record Running(EmbeddedKafkaBroker broker, AutoCloseable registry, String registryUrl) implements AutoCloseable {
        @Override
        public void close() {
            if (registry != null) {
                try {
                    registry.close();
                } catch (Exception e) {
                    log.warn("Registry stop failed: {}", e.toString());
                }
            }
            broker.close();
        }
    }

    /** Starts everything in this JVM and prints the machine-readable lines to {@code out}. */
    public static Running start(Options options, PrintStream out) {
        // a taken port would otherwise surface as pages of Kafka stack traces
        checkFree(options.host(), options.port(), "--port");
        checkFree(options.host(), options.controllerPort(), "--controller-port");
        if (options.registry()) {
            checkFree(options.host(), options.registryPort(), "--registry-port");
        }
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder()
                .host(options.host()).port(options.port()).controllerPort(options.controllerPort())
                .quorumMember(options.quorum());
        if (options.dataDir() != null) {
            builder.dataDir(options.dataDir()).keepData(true);
        }
        EmbeddedKafkaBroker broker = builder.build().startOrClose();
        AutoCloseable registry = null;
        String registryUrl = null;
        try {
            if (options.registry()) {
                EmbeddedSchemaRegistry started = EmbeddedSchemaRegistry.start(EmbeddedSchemaRegistry.Options
                        .of(broker.bootstrapServers()).withHost(options.host()).withPort(options.registryPort()));
                registry = started;
                registryUrl = started.url();
            }
            if (options.topicPrefix() != null) {
                ClusterConfig config = ClusterConfig.of(broker.bootstrapServers(),
                        registryUrl != null ? registryUrl : "http://" + options.host() + ":1").withTopicPrefix(options.topicPrefix());
                LetheTopicsAdmin.createAll(config, Topics.withPrefix(options.topicPrefix()));
            }
        } catch (RuntimeException e) {
            new Running(broker, registry, registryUrl).close();
            throw e;
        }
        out.println(BOOTSTRAP_LINE + broker.bootstrapServers());
        if (registryUrl != null) {
            out.println(REGISTRY_LINE + registryUrl);
        }
        out.println(READY_LINE);
        out.flush();
        return new Running(broker, registry, registryUrl);
    }

    static void checkFree(String host, int port, String flag) {
        if (port == 0) {
            return;
        }
        try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalArgumentException(flag + ": port " + port + " on " + host + " is not free (" + e.getMessage()
                    + "); pick another or 0 for a free one");
        }
    }

    static String rootMessage(Throwable t) {
        String message = t.getMessage();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null) {
                message = c.getMessage();
            }
        }
        return t.getMessage() == null || t.getMessage().equals(message) ? String.valueOf(message)
                : t.getMessage() + ": " + message;
    }

    // The parent keeps the write end of our stdin open for as long as it lives; EOF means it is gone.
    static void startStdinWatchdog(InputStream in) {
        Thread t = new Thread(() -> {
            try {
                while (in.read() != -1) {
                    // anything the parent writes is ignored; only end-of-file matters
                }
            } catch (IOException e) {
                // a broken pipe means the same as EOF
            }
            log.info("Parent process gone (stdin closed); stopping broker");
            System.exit(0);
        }, "lethe-stdin-watchdog");
        t.setDaemon(true);
        t.start();
    }
}
