package dev.lethe.cli.broker;

import dev.lethe.cli.UsageException;
import dev.lethe.embedded.ChildBroker;
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

    @Override
    public Integer call() throws InterruptedException {
        checkPort(port, "--port");
        checkPort(registryPort, "--registry-port");
        if (!brokerHeap.matches("\\d+[kKmMgG]?")) {
            throw new UsageException("--broker-heap must look like 512m or 2g, got '" + brokerHeap + "'");
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

    static void checkPort(int value, String flag) {
        if (value < 0 || value > 65535) {
            throw new UsageException(flag + " must be a port 0..65535 (0 = a free one), got " + value);
        }
    }
}
