package dev.lethe.schemas.registry;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of {@link RestSchemaRegistryClient}, read from serde/client properties with Confluent's key names
 * where Confluent has one; every key is declared once here with its default.
 *
 * @param urls              registry base URLs, tried in turn ({@value #URL}, comma-separated)
 * @param userInfo          {@code user:password} for HTTP basic auth, or null ({@value #USER_INFO} with
 *                          {@value #CREDENTIALS_SOURCE}=USER_INFO)
 * @param maxRetries        extra rounds over all URLs when the registry is down or answers 5xx ({@value #MAX_RETRIES}, default 3)
 * @param retryBackoff      wait before the first retry, doubled each round ({@value #RETRY_BACKOFF_MS}, default 200)
 * @param maxRetryBackoff   cap of the doubling ({@value #RETRY_BACKOFF_MAX_MS}, default 3000)
 * @param requestTimeout    per-request timeout ({@value #REQUEST_TIMEOUT_MS}, default 10000); also the connect timeout
 */
public record RegistryClientConfig(
        List<String> urls, String userInfo, int maxRetries, Duration retryBackoff, Duration maxRetryBackoff,
        Duration requestTimeout) {

    /** Comma-separated registry base URLs (Confluent's name). Required. */
    public static final String URL = "schema.registry.url";
    /** Where basic-auth credentials come from; only USER_INFO is supported (Confluent's name). */
    public static final String CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    /** {@code user:password} for basic auth (Confluent's name). */
    public static final String USER_INFO = "basic.auth.user.info";
    /** Retry rounds after the first attempt when the registry is unreachable or answers 5xx. Default 3. */
    public static final String MAX_RETRIES = "lethe.registry.max.retries";
    /** Initial retry backoff in ms, doubled per round. Default 200. */
    public static final String RETRY_BACKOFF_MS = "lethe.registry.retry.backoff.ms";
    /** Maximum retry backoff in ms. Default 3000. */
    public static final String RETRY_BACKOFF_MAX_MS = "lethe.registry.retry.backoff.max.ms";
    /** Per-request (and connect) timeout in ms. Default 10000. */
    public static final String REQUEST_TIMEOUT_MS = "lethe.registry.request.timeout.ms";

    public RegistryClientConfig {
        if (urls == null || urls.isEmpty()) {
            throw new ConfigException(URL + " must name at least one registry URL");
        }
        urls = List.copyOf(urls);
        for (String url : urls) {
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(URL, url, "not a URL: " + e.getMessage());
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new ConfigException(URL, url, "must be an http(s) URL");
            }
        }
        if (userInfo != null && !userInfo.contains(":")) {
            throw new ConfigException(USER_INFO, "(hidden)", "must be user:password");
        }
        if (maxRetries < 0) {
            throw new ConfigException(MAX_RETRIES, maxRetries, "must be >= 0");
        }
        if (retryBackoff.isNegative() || maxRetryBackoff.isNegative()) {
            throw new ConfigException(RETRY_BACKOFF_MS, retryBackoff.toMillis(), "backoffs must be >= 0");
        }
        if (requestTimeout.isZero() || requestTimeout.isNegative()) {
            throw new ConfigException(REQUEST_TIMEOUT_MS, requestTimeout.toMillis(), "must be > 0");
        }
    }

    /** A config with default retries and timeouts. */
    public static RegistryClientConfig of(String commaSeparatedUrls, String userInfo) {
        return new RegistryClientConfig(splitUrls(commaSeparatedUrls), userInfo, 3, Duration.ofMillis(200),
                Duration.ofMillis(3000), Duration.ofMillis(10_000));
    }

    /** Reads the keys above from Kafka-style configs (values may be strings or numbers). */
    public static RegistryClientConfig from(Map<String, ?> configs) {
        Object url = configs.get(URL);
        if (url == null || url.toString().isBlank()) {
            throw new ConfigException("Missing required configuration \"" + URL + "\" (the schema registry base URL)");
        }
        String userInfo = null;
        Object source = configs.get(CREDENTIALS_SOURCE);
        Object info = configs.get(USER_INFO);
        if (source != null && !source.toString().isBlank()) {
            String s = source.toString().strip().toUpperCase(Locale.ROOT);
            if (!"USER_INFO".equals(s)) {
                throw new ConfigException(CREDENTIALS_SOURCE, source,
                        "only USER_INFO is supported (put user:password in " + USER_INFO + ")");
            }
            if (info == null || info.toString().isBlank()) {
                throw new ConfigException(USER_INFO + " is required when " + CREDENTIALS_SOURCE + "=USER_INFO");
            }
            userInfo = info.toString();
        }
        return new RegistryClientConfig(splitUrls(url.toString()), userInfo,
                intValue(configs, MAX_RETRIES, 3),
                Duration.ofMillis(intValue(configs, RETRY_BACKOFF_MS, 200)),
                Duration.ofMillis(intValue(configs, RETRY_BACKOFF_MAX_MS, 3000)),
                Duration.ofMillis(intValue(configs, REQUEST_TIMEOUT_MS, 10_000)));
    }

    public RegistryClientConfig withRetries(int retries, Duration backoff, Duration maxBackoff) {
        return new RegistryClientConfig(urls, userInfo, retries, backoff, maxBackoff, requestTimeout);
    }

    private static List<String> splitUrls(String commaSeparated) {
        List<String> urls = new ArrayList<>();
        for (String part : commaSeparated.split(",")) {
            String url = part.strip();
            while (url.endsWith("/")) {
                url = url.substring(0, url.length() - 1);
            }
            if (!url.isEmpty()) {
                urls.add(url);
            }
        }
        return urls;
    }

    private static int intValue(Map<String, ?> configs, String key, int defaultValue) {
        Object value = configs.get(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            return value instanceof Number n ? n.intValue() : Integer.parseInt(value.toString().strip());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, value, "must be an integer");
        }
    }

    @Override
    public String toString() {
        // never print the password
        return "RegistryClientConfig[urls=" + urls + ", basicAuth=" + (userInfo != null) + ", maxRetries=" + maxRetries
                + ", retryBackoff=" + retryBackoff + ", maxRetryBackoff=" + maxRetryBackoff
                + ", requestTimeout=" + requestTimeout + "]";
    }
}
