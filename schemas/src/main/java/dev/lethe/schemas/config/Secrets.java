package dev.lethe.schemas.config;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/** What a config's toString() must not print: secret settings and headers, shown as {@value #HIDDEN}. */
public final class Secrets {

    /** What a secret value prints as. */
    public static final String HIDDEN = "[hidden]";

    /** Names that hold a secret whatever Kafka says: JAAS configs, passwords, tokens, keys, auth headers. */
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(password|passwd|secret|jaas|token|credential|user\\.info|userinfo|authorization|api[._-]?key|cookie).*");

    /** Every setting Kafka's own clients declare as a PASSWORD (ssl.key.password, sasl.jaas.config, ...). */
    private static final Set<String> KAFKA_PASSWORDS = Stream.of(ProducerConfig.configDef(), ConsumerConfig.configDef(),
                    AdminClientConfig.configDef())
            .flatMap(def -> def.configKeys().values().stream())
            .filter(key -> key.type == ConfigDef.Type.PASSWORD)
            .map(key -> key.name)
            .collect(Collectors.toUnmodifiableSet());

    private Secrets() {
    }

    /** Whether a setting or header of this name holds a secret. */
    public static boolean isSecret(String name) {
        return KAFKA_PASSWORDS.contains(name) || SECRET_NAME.matcher(name).matches();
    }

    /** {@value #HIDDEN} for a set secret, null for an unset one. */
    public static String hide(String secret) {
        return secret == null ? null : HIDDEN;
    }

    /** The settings (or headers), sorted by name, each secret value replaced by {@value #HIDDEN}. */
    public static Map<String, String> hideSecretValues(Map<String, String> settings) {
        Map<String, String> shown = new TreeMap<>();
        settings.forEach((name, value) -> shown.put(name, isSecret(name) ? HIDDEN : value));
        return shown;
    }
}
