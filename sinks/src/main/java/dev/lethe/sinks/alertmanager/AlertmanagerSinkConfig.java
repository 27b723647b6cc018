package dev.lethe.sinks.alertmanager;

import dev.lethe.schemas.config.Secrets;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Settings of the Alertmanager sink.
 *
 * @param urls           base URL of each Alertmanager of an HA cluster (every one gets every push, as Prometheus does),
 *                       e.g. {@code http://127.0.0.1:9093}; required
 * @param resendInterval how often firing alerts are pushed again; Alertmanager resolves an alert whose {@code endsAt}
 *                       passes, so each push sets it {@link #ENDS_AT_RESENDS} intervals ahead; default 1 min
 * @param requestTimeout timeout of one POST; default 10 s
 * @param headers        extra request headers (e.g. Authorization for a proxy in front of Alertmanager); default none
 * @param generatorUrl   the link Alertmanager shows next to each alert (e.g. the dashboard); default none
 */
public record AlertmanagerSinkConfig(List<URI> urls, Duration resendInterval, Duration requestTimeout,
                                     Map<String, String> headers, URI generatorUrl) {

    /** Pushes a firing alert may miss before Alertmanager resolves it by itself (Prometheus uses 4 as well). */
    public static final int ENDS_AT_RESENDS = 4;

    public AlertmanagerSinkConfig {
        urls = urls == null ? List.of() : List.copyOf(urls);
        headers = Map.copyOf(headers == null ? Map.of() : headers);
    }

    public static AlertmanagerSinkConfig defaults(URI url) {
        return new AlertmanagerSinkConfig(List.of(url), Duration.ofMinutes(1), Duration.ofSeconds(10), Map.of(), null).validated();
    }

    public AlertmanagerSinkConfig withResendInterval(Duration interval) {
        return new AlertmanagerSinkConfig(urls, interval, requestTimeout, headers, generatorUrl).validated();
    }

    public AlertmanagerSinkConfig withGeneratorUrl(URI url) {
        return new AlertmanagerSinkConfig(urls, resendInterval, requestTimeout, headers, url).validated();
    }

    /** Checks every field; the message names the offending option. */
    public AlertmanagerSinkConfig validated() {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("alertmanager url (--url) must be set");
        }
        for (URI url : urls) {
            if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
                throw new IllegalArgumentException("alertmanager url (--url) must be an http(s) URL, got " + url);
            }
        }
        if (resendInterval == null || resendInterval.toMillis() < 100) {
            throw new IllegalArgumentException("alertmanager resend interval (--resend-interval-ms) must be >= 100 ms, got " + resendInterval);
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("alertmanager request timeout (--request-timeout-ms) must be > 0");
        }
        return this;
    }

    /** {@code <url>/api/v2/alerts}, whether or not the configured URL ends with a slash. */
    static URI alertsEndpoint(URI base) {
        String s = base.toString();
        return URI.create((s.endsWith("/") ? s.substring(0, s.length() - 1) : s) + "/api/v2/alerts");
    }

    /** The settings with secret headers (Authorization, tokens, keys) hidden. */
    @Override
    public String toString() {
        return "AlertmanagerSinkConfig[urls=" + urls + ", resendInterval=" + resendInterval + ", requestTimeout="
                + requestTimeout + ", headers=" + Secrets.hideSecretValues(headers) + ", generatorUrl=" + generatorUrl + "]";
    }
}
