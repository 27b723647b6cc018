package dev.lethe.sinks;

import static dev.lethe.sinks.TestRecords.alert;
import static dev.lethe.sinks.TestRecords.category;
import static dev.lethe.sinks.TestRecords.element;
import static dev.lethe.sinks.TestRecords.family;
import static dev.lethe.sinks.TestRecords.model;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.sinks.jsonl.JsonlSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlSinkTest {

    @TempDir
    Path dir;

    @Test
    void shouldWriteLatestRecordPerKeyInKeyOrderWhenRecordsArriveOutOfOrderAndRepeat() throws Exception {
        JsonlSink sink = new JsonlSink(dir);
        sink.onMetric(family("mlp", 2, "task", 30.0, 2));
        sink.onMetric(category("mlp", "mlp-b", 1, "task", 10.0, 80.0));
        sink.onMetric(model("mlp", "mlp-a", 1, 4.0, 85.0, -3.0));
        sink.onMetric(category("mlp", "mlp-a", 1, "task", 5.0, 85.0));
        sink.onMetric(element("mlp", "mlp-a", 1, "task", "perm-1", 6.0));
        sink.onMetric(category("cnn", "cnn-a", 2, "robustness", 1.0, 95.0));
        sink.onMetric(category("mlp", "mlp-a", 1, "task", 7.5, 83.0)); // re-emission: newest wins
        sink.flush();

        List<JsonNode> lines = read(dir.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(6);
        List<String> order = new ArrayList<>();
        for (JsonNode n : lines) {
            order.add(n.get("family").asText() + "|" + n.get("model").asText(null) + "|" + n.get("stage").asInt() + "|"
                    + n.get("scope").asText() + "|" + n.get("category").asText(null) + "|" + n.get("benchmark").asText(null));
        }
        assertThat(order).containsExactly(
                "cnn|cnn-a|2|CATEGORY|robustness|null",
                "mlp|mlp-a|1|ELEMENT|task|perm-1",
                "mlp|mlp-a|1|CATEGORY|task|null",
                "mlp|mlp-a|1|MODEL|null|null",
                "mlp|mlp-b|1|CATEGORY|task|null",
                "mlp|null|2|FAMILY|task|null");
        JsonNode updated = lines.get(2);
        assertThat(updated.get("fgPct").asDouble()).isEqualTo(7.5);
        assertThat(updated.get("score").asDouble()).isEqualTo(83.0);
        assertThat(Files.readString(dir.resolve("metrics.jsonl")).lines().toList().get(3))
                .isEqualTo(RecordJson.toJson(model("mlp", "mlp-a", 1, 4.0, 85.0, -3.0)));
    }

    @Test
    void shouldWriteEachAlertOnceOrderedByFamilyModelStageWhenAlertsRepeat() throws Exception {
        JsonlSink sink = new JsonlSink(dir);
        sink.onAlert(alert("a-3", "mlp", "mlp-a", 3, AlertSeverity.CRITICAL));
        sink.onAlert(alert("a-1", "cnn", "cnn-a", 2, AlertSeverity.WARNING));
        sink.onAlert(alert("a-2", "mlp", "mlp-a", 2, AlertSeverity.WARNING));
        sink.onAlert(alert("a-3", "mlp", "mlp-a", 3, AlertSeverity.CRITICAL));
        sink.flush();

        List<JsonNode> lines = read(dir.resolve("alerts.jsonl"));
        assertThat(lines).extracting(n -> n.get("alertId").asText()).containsExactly("a-1", "a-2", "a-3");
        assertThat(lines.get(2).get("severity").asText()).isEqualTo("CRITICAL");
        assertThat(lines.get(2).get("pValue").isNumber()).isTrue();
    }

    @Test
    void shouldReplaceFilesAtomicallyAndLeaveNoTempFilesWhenFlushedRepeatedly() throws Exception {
        JsonlSink sink = new JsonlSink(dir);
        sink.flush();
        assertThat(Files.readString(dir.resolve("metrics.jsonl"))).isEmpty();
        assertThat(Files.readString(dir.resolve("alerts.jsonl"))).isEmpty();
        sink.onMetric(category("mlp", "mlp-a", 1, "task", 5.0, 85.0));
        sink.flush();
        sink.onMetric(category("mlp", "mlp-a", 2, "task", 9.0, 80.0));
        sink.flush();

        assertThat(read(dir.resolve("metrics.jsonl"))).hasSize(2);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("metrics.jsonl", "alerts.jsonl");
        }
    }

    private static List<JsonNode> read(Path file) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            nodes.add(RecordJson.mapper().readTree(line));
        }
        return nodes;
    }
}
