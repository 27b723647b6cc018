package dev.lethe.registry;

import dev.lethe.http.GuardedHttpServer;
import dev.lethe.http.HttpLimits;
import dev.lethe.schemas.registry.RegistryStore;
import dev.lethe.schemas.serde.AvroSerdes;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lethe's own Confluent-compatible schema registry (Avro; register, lookup, ids, versions, compatibility,
 * config) on the JDK HTTP server, keeping every registration and config change in the compacted
 * {@code _schemas} topic and replaying it on start, so ids survive a restart. Used in process by tests and
 * by the CLI's {@code lethe broker} / {@code lethe registry}.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

    /** Default name of the registry's log topic (Confluent's). */
    public static final String DEFAULT_TOPIC = "_schemas";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);

    /**
     * How to start the registry.
     *
     * @param bootstrapServers Kafka cluster holding the log topic (required)
     * @param clientOverrides  extra Kafka client properties for the log's producer, consumer and admin (SASL/SSL)
     * @param host             interface to bind, default 127.0.0.1
     * @param port             port to bind, 0 = a free one
     * @param userInfo         {@code user:password} the server requires as HTTP basic auth, or null for none
     * @param topic            log topic, default {@value #DEFAULT_TOPIC}
     * @param timeout          bound on topic creation, replay and each log write, default 60 s
     */
    public record Options(String bootstrapServers, Map<String, String> clientOverrides, String host, int port,
                          String userInfo, String topic, Duration timeout) {

        public Options {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrap.servers of the schema registry's Kafka log must not be empty");
            }
            clientOverrides = Map.copyOf(clientOverrides == null ? Map.of() : clientOverrides);
            host = host == null || host.isBlank() ? "127.0.0.1" : host;
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("schema registry port must be 0..65535, got " + port);
            }
            if (userInfo != null && !userInfo.contains(":")) {
                throw new IllegalArgumentException("schema registry user info must be user:password");
            }
            topic = topic == null || topic.isBlank() ? DEFAULT_TOPIC : topic;
            timeout = timeout == null ? Duration.ofSeconds(60) : timeout;
        }

        /** Defaults: 127.0.0.1, a free port, no auth, topic {@value #DEFAULT_TOPIC}. */
        public static Options of(String bootstrapServers) {
            return new Options(bootstrapServers, Map.of(), null, 0, null, null, null);
        }

        public Options withClientOverrides(Map<String, String> overrides) {
            return new Options(bootstrapServers, overrides, host, port, userInfo, topic, timeout);
        }

        public Options withHost(String newHost) {
            return new Options(bootstrapServers, clientOverrides, newHost, port, userInfo, topic, timeout);
        }

        public Options withPort(int newPort) {
            return new Options(bootstrapServers, clientOverrides, host, newPort, userInfo, topic, timeout);
        }

        public Options withUserInfo(String newUserInfo) {
            return new Options(bootstrapServers, clientOverrides, host, port, newUserInfo, topic, timeout);
        }

        public Options withTopic(String newTopic) {
            return new Options(bootstrapServers, clientOverrides, host, port, userInfo, newTopic, timeout);
        }

        public Options withTimeout(Duration newTimeout) {
            return new Options(bootstrapServers, clientOverrides, host, port, userInfo, topic, newTimeout);
        }

        @Override
        public String toString() {
            return "Options[bootstrapServers=" + bootstrapServers + ", clientOverrides=" + clientOverrides.keySet()
                    + ", host=" + host + ", port=" + port + ", basicAuth=" + (userInfo != null) + ", topic=" + topic
                    + ", timeout=" + timeout + "]";
        }
    }

    private final GuardedHttpServer server;
    private final SchemaLog log;
    private final String url;

    private EmbeddedSchemaRegistry(GuardedHttpServer server, SchemaLog log, String url) {
        this.server = server;
        this.log = log;
        this.url = url;
    }

    /**
     * Creates the log topic if missing, claims it as its only writer (an older instance on the same topic stops
     * serving: every request it gets is answered 503), replays it to its end, then serves HTTP; returns once it serves.
     *
     * @throws IllegalStateException when Kafka cannot be reached or the log cannot be replayed within the timeout
     * @throws UncheckedIOException  when the HTTP port cannot be bound
     */
    public static EmbeddedSchemaRegistry start(Options options) {
        Map<String, Object> clientProps = new HashMap<>(options.clientOverrides());
        clientProps.put("bootstrap.servers", options.bootstrapServers());
        SchemaLog log = new SchemaLog(options.topic(), clientProps, options.timeout());
        GuardedHttpServer server = null;
        try {
            long started = System.nanoTime();
            log.ensureTopic();
            log.claimWriter(); // fences an older instance on the same topic before reading what it committed
            // slow clients, huge bodies and connection floods are refused by the shared HTTP layer (HttpLimits)
            server = GuardedHttpServer.bind(options.host(), options.port(), "schema-registry", HttpLimits.defaults());
            int port = server.port();
            String host = options.host().equals("0.0.0.0") ? "127.0.0.1" : options.host();
            String url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
            RegistryStore store = new RegistryStore(url);
            int replayed = log.replay(store);
            server.context("/", new RegistryHttpHandler(store, log, options.userInfo())).start();
            LOG.info("Schema registry serving {} ({} records replayed from {} in {} ms)", url, replayed,
                    options.topic(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return new EmbeddedSchemaRegistry(server, log, url);
        } catch (UncheckedIOException e) {
            close(log, server);
            throw new UncheckedIOException("schema registry cannot bind " + options.host() + ":" + options.port(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close(log, server);
            throw new IllegalStateException("interrupted while starting the schema registry", e);
        } catch (Exception e) {
            close(log, server);
            throw new IllegalStateException("schema registry could not start on Kafka " + options.bootstrapServers()
                    + " (log topic " + options.topic() + "): " + e.getMessage(), e);
        }
    }

    /** Base URL, e.g. {@code http://127.0.0.1:40123}. */
    public String url() {
        return url;
    }

    public int port() {
        return server.port();
    }

    /** Stops serving and closes the log producer; the log topic keeps everything for the next start. */
    @Override
    public void close() {
        close(log, server);
        AvroSerdes.forgetClientsOf(url); // a registry started later on this port may number its schemas otherwise
        LOG.info("Schema registry {} stopped", url);
    }

    private static void close(SchemaLog log, GuardedHttpServer server) {
        if (server != null) {
            server.close();
        }
        log.close();
    }
}
