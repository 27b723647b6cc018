package dev.lethe.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker (plus the embedded registry) in a child JVM running {@link BrokerMain} on this JVM's
 * classpath; used by {@code lethe broker} and {@code lethe demo}. The child's stdin is a pipe held by this
 * process, so the child exits by itself if this JVM dies; {@link #close()} stops it and waits.
 */
public final class ChildBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChildBroker.class);

    private final Process process;
    private final String bootstrapServers;
    private final String schemaRegistryUrl;

    private ChildBroker(Process process, String bootstrapServers, String schemaRegistryUrl) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.schemaRegistryUrl = schemaRegistryUrl;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Broker + registry on random ports, temporary data, no topics created. */
    public static ChildBroker start() {
        return builder().start();
    }

    /** {@code host:port} of the child's PLAINTEXT listener. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** {@code http://host:port} of the child's registry, or null when started without one. */
    public String schemaRegistryUrl() {
        return schemaRegistryUrl;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The child process itself (exit code, {@code onExit()}, its stdin pipe) for callers that watch it. */
    public Process process() {
        return process;
    }

    /** SIGTERM (the child's hook stops registry and broker), wait, and SIGKILL if it does not end in time. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                log.warn("Child broker {} did not stop within 30 s; killing it", process.pid());
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Options of the child broker. */
    public static final class Builder {
        private BrokerMain.Options options = BrokerMain.Options.defaults();
        private final List<String> jvmOptions = new ArrayList<>(List.of("-Xms128m", "-Xmx768m", "-XX:+UseSerialGC"));
        private final List<String> commandPrefix = new ArrayList<>();
        private Duration startTimeout = Duration.ofSeconds(120);
        private Redirect stderr = Redirect.INHERIT;
        private Consumer<String> stdoutAfterReady = line -> log.debug("child broker: {}", line);

        private Builder() {
        }

        /** Address the child binds and advertises (default 127.0.0.1). */
        public Builder host(String host) {
            options = options.withHost(host);
            return this;
        }

        /** Kafka client port, 0 (default) for a free one. */
        public Builder port(int port) {
            options = options.withPort(port);
            return this;
        }

        /** Registry HTTP port, 0 (default) for a free one. */
        public Builder registryPort(int port) {
            options = options.withRegistryPort(port);
            return this;
        }

        /** Whether to start the embedded registry too (default true). */
        public Builder registry(boolean enabled) {
            options = options.withRegistry(enabled);
            return this;
        }

        /** A data directory kept across runs (default: a temporary one the child deletes on exit). */
        public Builder dataDir(Path dir) {
            options = options.withDataDir(dir.toAbsolutePath());
            return this;
        }

        /** Create every Lethe topic under this prefix before reporting ready. */
        public Builder topicPrefix(String prefix) {
            options = options.withTopicPrefix(prefix);
            return this;
        }

        /** Makes the child one node of a multi-node cluster (see {@link ChildCluster}); no registry, no topics. */
        public Builder quorumMember(QuorumMember member) {
            options = options.withQuorum(member).withRegistry(false).withTopicPrefix(null);
            return this;
        }

        /** Replaces the child's JVM options (default {@code -Xms128m -Xmx768m -XX:+UseSerialGC}). */
        public Builder jvmOptions(List<String> options) {
            jvmOptions.clear();
            jvmOptions.addAll(options);
            return this;
        }

        /**
         * Words run before {@code java}, e.g. {@code ip netns exec NS} to start the child in a network namespace;
         * the prefix must exec the JVM (so the child's pid is the JVM's and its stdin is this process's pipe).
         */
        public Builder commandPrefix(List<String> prefix) {
            commandPrefix.clear();
            commandPrefix.addAll(prefix);
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /** Where the child's stderr (its logs) goes; default: this process's stderr. */
        public Builder stderr(Redirect redirect) {
            this.stderr = redirect;
            return this;
        }

        /** Receives child stdout lines after the ready line (default: debug log). */
        public Builder stdoutAfterReady(Consumer<String> sink) {
            this.stdoutAfterReady = sink;
            return this;
        }

        /** Spawns the child and returns once it printed its addresses (topics created when asked). */
        public ChildBroker start() {
            List<String> command = new ArrayList<>(commandPrefix);
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.add("-Djava.net.preferIPv4Stack=true");
            // the broker's own WARNs (controller activation, client shutdown races) are noise for a CLI user;
            // LETHE_KAFKA_LOG_LEVEL in the environment still wins (logback reads it in lethe's logback.xml)
            if (System.getenv("LETHE_KAFKA_LOG_LEVEL") == null) {
                command.add("-DLETHE_KAFKA_LOG_LEVEL=ERROR");
            }
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(BrokerMain.class.getName());
            command.addAll(options.toArgs());
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectInput(Redirect.PIPE)
                    .redirectOutput(Redirect.PIPE)
                    .redirectError(stderr);
            pb.environment().put("OMP_NUM_THREADS", "1");
            Process process;
            try {
                process = pb.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start child broker JVM: " + command.get(0), e);
            }
            CompletableFuture<String[]> addresses = new CompletableFuture<>();
            boolean wantRegistry = options.registry();
            Thread reader = new Thread(() -> readStdout(process, addresses, stdoutAfterReady), "lethe-child-broker-stdout");
            reader.setDaemon(true);
            reader.start();
            try {
                String[] a = addresses.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
                if (wantRegistry && a[1] == null) {
                    log.warn("Child broker started without a schema registry");
                }
                log.info("Child broker pid {} ready at {} (registry {})", process.pid(), a[0], a[1]);
                return new ChildBroker(process, a[0], a[1]);
            } catch (ExecutionException | TimeoutException e) {
                new ChildBroker(process, null, null).close();
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                throw new IllegalStateException("child broker did not start: " + cause.getMessage(), cause);
            } catch (InterruptedException e) {
                new ChildBroker(process, null, null).close();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted starting the child broker", e);
            }
        }

        private static void readStdout(Process process, CompletableFuture<String[]> addresses, Consumer<String> after) {
            String bootstrap = null;
            String registry = null;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (addresses.isDone()) {
                        after.accept(line);
                    } else if (line.startsWith(BrokerMain.BOOTSTRAP_LINE)) {
                        bootstrap = line.substring(BrokerMain.BOOTSTRAP_LINE.length()).strip();
                    } else if (line.startsWith(BrokerMain.REGISTRY_LINE)) {
                        registry = line.substring(BrokerMain.REGISTRY_LINE.length()).strip();
                    } else if (line.equals(BrokerMain.READY_LINE)) {
                        addresses.complete(new String[] {bootstrap, registry});
                    } else {
                        log.debug("child broker: {}", line);
                    }
                }
            } catch (IOException e) {
                addresses.completeExceptionally(e);
            }
            // stdout closed: the child ended before it was ready (no-op when it was ready)
            if (!addresses.isDone()) {
                String exit;
                try {
                    exit = process.waitFor(5, TimeUnit.SECONDS) ? " (exit code " + process.exitValue() + ")" : "";
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    exit = "";
                }
                addresses.completeExceptionally(new IllegalStateException("child broker exited before it was ready" + exit
                        + "; the reason is in its stderr"));
            }
        }
    }
}
