package dev.lethe.cli.broker;

import dev.lethe.cli.UsageException;
import dev.lethe.embedded.ChildBroker;
import dev.lethe.embedded.ChildCluster;
import dev.lethe.schemas.topics.Topics;
import java.io.PrintWriter;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lethe broker}: a real single-node KRaft Kafka broker plus the embedded schema registry in the
 * foreground, with every Lethe topic created; runs them in a child JVM with a stdin watchdog so that
 * nothing is left behind after Ctrl-C, SIGTERM or even SIGKILL of this process.
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {
            "Run an embedded Kafka broker and schema registry in the foreground.",
            "",
            "A real single-node KRaft broker plus Lethe's schema registry, with every Lethe topic created.",
            "Prints two machine-readable lines on stdout:",
            "  bootstrap.servers=HOST:PORT",
            "  schema.registry.url=http://HOST:PORT",
            "then runs until Ctrl-C or SIGTERM, which stop both and leave no process behind.",
            "Without --data-dir the data is discarded on exit.",
            "",
            "--nodes 3 starts a real three-node KRaft cluster instead: three child JVMs on this machine, each a",
            "combined controller + broker (three controllers in the quorum, three brokers), client ports PORT,",
            "PORT+1, PORT+2, Lethe's topics and Kafka's internal topics at replication factor 3 with",
            "min.insync.replicas=2, and the registry in this process. bootstrap.servers lists all three nodes.",
            ""})
public final class BrokerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep the broker's data (topics, offsets, registered schemas) in DIR across runs.")
    Path dataDir;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to bind and advertise (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "9092",
            description = "Kafka client port, 0 = a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--registry-port", paramLabel = "N", defaultValue = "8081",
            description = "Schema registry HTTP port, 0 = a free one (default: ${DEFAULT-VALUE}).")
    int registryPort;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = Topics.DEFAULT_PREFIX,
            description = "Prefix of the Lethe topics to create (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--broker-heap", paramLabel = "SIZE", defaultValue = "768m",
            description = "Maximum heap of the broker JVM, as for -Xmx (default: ${DEFAULT-VALUE}).")
    String brokerHeap;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "1",
            description = "Nodes of the KRaft cluster, 1..9; more than 1 runs each in its own JVM, each both controller "
                    + "and broker, replication factor min(3, N), min.insync.replicas 2 (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Override
    public Integer call() throws InterruptedException {
        checkPort(port, "--port");
        checkPort(registryPort, "--registry-port");
        checkedHeap();
        if (nodes < 1 || nodes > 9) {
            throw new UsageException("--nodes must be 1..9, got " + nodes);
        }
        if (nodes > 1) {
            checkPort(port == 0 ? 0 : port + nodes - 1, "--port");
            return runCluster();
        }
        ChildBroker.Builder builder = ChildBroker.builder()
                .host(host).port(port).registryPort(registryPort).topicPrefix(topicPrefix)
                .jvmOptions(java.util.List.of("-Xms128m", "-Xmx" + brokerHeap, "-XX:+UseSerialGC"))
                .stderr(Redirect.INHERIT);
        if (dataDir != null) {
            builder.dataDir(dataDir);
        }
        ChildBroker child = builder.start();
        // SIGTERM / Ctrl-C run this hook: stop the child (its own hook stops registry and broker) and wait for it
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        Thread hook = new Thread(() -> {
            stopping.set(true);
            child.close();
        }, "lethe-broker-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter out = spec.commandLine().getOut();
        out.println("bootstrap.servers=" + child.bootstrapServers());
        out.println("schema.registry.url=" + child.schemaRegistryUrl());
        out.flush();
        spec.commandLine().getErr().println("Lethe broker running (pid " + child.pid() + ", topics '" + topicPrefix
                + "*'" + (dataDir == null ? ", data discarded on exit" : ", data in " + dataDir) + "); Ctrl-C to stop.");
        spec.commandLine().getErr().flush();
        int exit = child.process().waitFor();
        if (stopping.get()) {
            return 0; // stopped by our own hook: the JVM is exiting on the signal
        }
        // the broker died on its own: report it as a failure
        spec.commandLine().getErr().println("lethe broker: the broker process exited unexpectedly with code " + exit);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already exiting: the hook runs anyway
        }
        return 1;
    }

    private int runCluster() throws InterruptedException {
        ChildCluster.Builder builder = ChildCluster.builder().nodes(nodes).host(host).firstPort(port)
                .registryPort(registryPort).topicPrefix(topicPrefix).heap(checkedHeap());
        if (dataDir != null) {
            builder.dataDir(dataDir);
        }
        ChildCluster cluster = builder.start();
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            stopped.countDown();
        }, "lethe-cluster-stop"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("bootstrap.servers=" + cluster.bootstrapServers());
        out.println("schema.registry.url=" + cluster.schemaRegistryUrl());
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        err.println("Lethe " + nodes + "-node cluster running (node pids " + cluster.nodeIds().stream()
                .map(id -> id + ":" + cluster.node(id).pid()).toList() + ", each controller + broker, topics '" + topicPrefix
                + "*' at replication factor " + Math.min(3, nodes) + ", min.insync.replicas " + Math.min(2, nodes)
                + (dataDir == null ? ", data discarded on exit" : ", data in " + dataDir) + "); Ctrl-C to stop.");
        err.flush();
        // a node that dies is reported, not fatal: the cluster is there to survive that; Ctrl-C stops everything
        for (int id : cluster.nodeIds()) {
            cluster.node(id).process().onExit().thenAccept(p -> {
                if (stopped.getCount() > 0) {
                    err.println("lethe broker: node " + id + " (pid " + p.pid() + ") exited with code " + p.exitValue());
                    err.flush();
                }
            });
        }
        stopped.await();
        return 0;
    }

    private String checkedHeap() {
        if (!brokerHeap.matches("\\d+[kKmMgG]?")) {
            throw new UsageException("--broker-heap must look like 512m or 2g, got '" + brokerHeap + "'");
        }
        return brokerHeap;
    }

    static void checkPort(int value, String flag) {
        if (value < 0 || value > 65535) {
            throw new UsageException(flag + " must be a port 0..65535 (0 = a free one), got " + value);
        }
    }
}
