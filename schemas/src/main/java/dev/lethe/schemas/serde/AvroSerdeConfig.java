package dev.lethe.schemas.serde;

import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * The serde's own settings (Confluent's key names where Confluent has one); registry connection settings
 * are {@link dev.lethe.schemas.registry.RegistryClientConfig}'s.
 *
 * @param autoRegister     register the record's schema on first use ({@value #AUTO_REGISTER}, default true)
 * @param useLatestVersion write with the subject's latest schema instead of the record's own
 *                         ({@value #USE_LATEST_VERSION}, default false)
 * @param typeName         SpecificRecord class to read into, from {@value #VALUE_TYPE} / {@value #KEY_TYPE}, or null
 */
public record AvroSerdeConfig(boolean autoRegister, boolean useLatestVersion, String typeName) {

    /** Register schemas automatically (Confluent's name). Default true. */
    public static final String AUTO_REGISTER = "auto.register.schemas";
    /** Serialize with the latest registered schema of the subject (Confluent's name). Default false. */
    public static final String USE_LATEST_VERSION = "use.latest.version";
    /** Fully-qualified SpecificRecord class a value deserializer built by reflection reads into. */
    public static final String VALUE_TYPE = "lethe.avro.value.type";
    /** Fully-qualified SpecificRecord class a key deserializer built by reflection reads into. */
    public static final String KEY_TYPE = "lethe.avro.key.type";

    public static AvroSerdeConfig from(Map<String, ?> configs, boolean isKey) {
        Object type = configs.get(isKey ? KEY_TYPE : VALUE_TYPE);
        String typeName = type == null ? null : type instanceof Class<?> c ? c.getName() : type.toString().strip();
        return new AvroSerdeConfig(bool(configs, AUTO_REGISTER, true), bool(configs, USE_LATEST_VERSION, false),
                typeName == null || typeName.isEmpty() ? null : typeName);
    }

    private static boolean bool(Map<String, ?> configs, String key, boolean defaultValue) {
        Object value = configs.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = value.toString().strip().toLowerCase(Locale.ROOT);
        if (text.equals("true") || text.equals("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new ConfigException(key, value, "must be true or false");
    }
}
