package dev.lethe.embedded;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An extra client listener of the embedded broker beyond its PLAINTEXT one, e.g. a SASL_PLAINTEXT or SASL_SSL
 * listener with SCRAM users for security tests.
 *
 * @param name             listener name as it appears in {@code listeners} (upper case, e.g. {@code SASL})
 * @param securityProtocol Kafka security protocol name (PLAINTEXT, SASL_PLAINTEXT, SSL, SASL_SSL)
 * @param port             port to bind, 0 for a random free one
 * @param brokerConfigs    extra broker properties this listener needs (e.g. {@code listener.name.sasl.*})
 */
public record BrokerListener(String name, String securityProtocol, int port, Map<String, String> brokerConfigs) {

    private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]*");

    public BrokerListener {
        if (name == null || !NAME.matcher(name).matches() || name.equals("PLAINTEXT") || name.equals("CONTROLLER")) {
            throw new IllegalArgumentException("listener name must be upper case and not PLAINTEXT/CONTROLLER, got " + name);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("listener port must be 0..65535, got " + port);
        }
        brokerConfigs = Map.copyOf(brokerConfigs == null ? Map.of() : brokerConfigs);
    }

    /**
     * A SASL_PLAINTEXT listener named {@code SASL} accepting one SCRAM mechanism; users are added with
     * {@link EmbeddedKafkaBroker.Builder#scramUser}.
     *
     * @param mechanism SCRAM-SHA-256 or SCRAM-SHA-512
     */
    public static BrokerListener scram(String mechanism, int port) {
        return new BrokerListener("SASL", "SASL_PLAINTEXT", port, scramConfigs("listener.name.sasl.", mechanism));
    }

    /**
     * A SASL_SSL listener named {@code SASL_SSL}: SCRAM over TLS, as managed Kafka services run it. The broker presents
     * the key in {@code keystore} (PKCS12, key password = store password); clients need a trust store for it.
     */
    public static BrokerListener scramOverTls(String mechanism, int port, Path keystore, String password) {
        String prefix = "listener.name.sasl_ssl.";
        Map<String, String> configs = new HashMap<>(scramConfigs(prefix, mechanism));
        configs.put(prefix + "ssl.keystore.location", keystore.toAbsolutePath().toString());
        configs.put(prefix + "ssl.keystore.type", "PKCS12");
        configs.put(prefix + "ssl.keystore.password", password);
        configs.put(prefix + "ssl.key.password", password);
        return new BrokerListener("SASL_SSL", "SASL_SSL", port, configs);
    }

    private static Map<String, String> scramConfigs(String prefix, String mechanism) {
        if (!"SCRAM-SHA-256".equals(mechanism) && !"SCRAM-SHA-512".equals(mechanism)) {
            throw new IllegalArgumentException("SCRAM mechanism must be SCRAM-SHA-256 or SCRAM-SHA-512, got " + mechanism);
        }
        return Map.of(
                prefix + "sasl.enabled.mechanisms", mechanism,
                prefix + mechanism.toLowerCase(Locale.ROOT) + ".sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    }
}
