package dev.lethe.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.sinks.alertmanager.AlertmanagerSinkConfig;
import dev.lethe.sinks.dashboard.DashboardConfig;
import dev.lethe.sinks.webhook.WebhookSinkConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** No sink config prints its token or its secret headers. */
class SinkConfigSecretsTest {

    private static final Map<String, String> HEADERS = Map.of("Authorization", "Bearer header-secret-1",
            "X-Api-Key", "key-secret-2", "X-Team", "forgetting");

    @Test
    void shouldHideTokensAndAuthHeadersInToString() {
        String dashboard = new DashboardConfig("0.0.0.0", 9480, "dashboard-secret-0123").validated().toString();
        String webhook = WebhookSinkConfig.defaults(URI.create("http://hooks.example/x"), Path.of("/tmp/wh"))
                .withHeaders(HEADERS).toString();
        String alertmanager = new AlertmanagerSinkConfig(AlertmanagerSinkConfig.defaults(URI.create("http://am:9093")).urls(),
                java.time.Duration.ofMinutes(1), java.time.Duration.ofSeconds(10), HEADERS, null).validated().toString();

        assertThat(dashboard).doesNotContain("dashboard-secret-0123").contains("0.0.0.0", "token=[hidden]");
        for (String shown : new String[] {webhook, alertmanager}) {
            assertThat(shown).doesNotContain("header-secret-1", "key-secret-2").contains("X-Team=forgetting", "Authorization=[hidden]");
        }
    }
}
