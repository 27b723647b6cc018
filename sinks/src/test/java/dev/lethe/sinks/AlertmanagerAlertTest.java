package dev.lethe.sinks;

import static dev.lethe.sinks.TestRecords.alert;
import static dev.lethe.sinks.TestRecords.resolved;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.schemas.AlertRule;
import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.sinks.alertmanager.AlertmanagerAlert;
import dev.lethe.sinks.alertmanager.AlertmanagerSinkConfig;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AlertmanagerAlertTest {

    private static final Instant NOW = Instant.parse("2026-12-04T03:00:00Z");
    private static final Instant UNTIL = NOW.plusSeconds(240);

    @Test
    void shouldLabelAndAnnotateAFiringAlertAndEndItAheadWhenItFires() {
        JsonNode node = AlertmanagerAlert.of(alert("a-1", "mlp", "mlp-a", 2, AlertSeverity.CRITICAL), NOW, UNTIL,
                URI.create("http://127.0.0.1:9480/"));

        assertThat(node.get("labels").toString()).isEqualTo("{\"alertname\":\"LetheKnowledgeLoss\",\"alert_id\":\"a-1\","
                + "\"campaign\":\"c1\",\"family\":\"mlp\",\"model\":\"mlp-a\",\"stage\":\"2\",\"category\":\"task\","
                + "\"benchmark\":\"perm-1\",\"severity\":\"critical\",\"rule\":\"PAIRED_DROP\"}");
        assertThat(node.get("annotations").get("drop_pp").asText()).isEqualTo("22.0");
        assertThat(node.get("annotations").get("p_value").asText()).isEqualTo("1.0E-6");
        assertThat(node.get("annotations").get("summary").asText()).startsWith(":rotating_light: CRITICAL knowledge loss in mlp/mlp-a");
        assertThat(node.get("annotations").has("resolution")).isFalse();
        assertThat(node.get("startsAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(node.get("endsAt").asText()).isEqualTo(UNTIL.toString());
        assertThat(node.get("generatorURL").asText()).isEqualTo("http://127.0.0.1:9480/");
    }

    @Test
    void shouldEndTheAlertNowWithItsResolutionWhenItIsResolved() {
        JsonNode node = AlertmanagerAlert.of(resolved(alert("a-1", "mlp", "mlp-a", 2, AlertSeverity.WARNING), "re-scored"),
                NOW, UNTIL, null);

        assertThat(node.get("endsAt").asText()).isEqualTo(NOW.toString());
        assertThat(node.get("labels").get("severity").asText()).isEqualTo("warning");
        assertThat(node.get("annotations").get("resolution").asText()).isEqualTo("re-scored");
        assertThat(node.has("generatorURL")).isFalse();
    }

    @Test
    void shouldLeaveOutAbsentLabelsAndNeverStartInTheFutureWhenTheAlertIsAnFgCrossing() {
        KnowledgeLossAlert fg = KnowledgeLossAlert.newBuilder(alert("f-1", "mlp", "mlp-a", 3, AlertSeverity.WARNING))
                .setRule(AlertRule.FG_THRESHOLD).setBenchmark(null).setFgPct(31.5).setCreatedAt(NOW.plusSeconds(3600)).build();
        JsonNode node = AlertmanagerAlert.of(fg, NOW, UNTIL, null);

        assertThat(node.get("labels").has("benchmark")).isFalse();
        assertThat(node.get("annotations").get("fg_pct").asText()).isEqualTo("31.5");
        assertThat(node.get("startsAt").asText()).isEqualTo(NOW.toString());
    }

    @Test
    void shouldRefuseAResendIntervalBelow100MsWhenConfigured() {
        assertThatThrownBy(() -> AlertmanagerSinkConfig.defaults(URI.create("http://127.0.0.1:9093")).withResendInterval(Duration.ofMillis(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--resend-interval-ms");
    }
}
