package dev.lethe.sinks.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.sinks.TestRecords;
import org.junit.jupiter.api.Test;

class RecordValidatorTest {

    @Test
    void shouldRefuseNamesWithSlashOrNulWhenARecordWasWrittenStraightToTheTopic() {
        // issue 14, case 6: NUL bytes in a model name reached /metrics
        ForgettingMetric nul = TestRecords.model("mlp", "a\u0000b", 2, 1.0, 80.0, -1.0);
        KnowledgeLossAlert slash = KnowledgeLossAlert.newBuilder(TestRecords.alert("a-1", "ml/p", "mlp-a", 2, AlertSeverity.WARNING)).build();

        assertThat(RecordValidator.problem(nul)).isEqualTo("model must not contain control characters, got U+0000 at index 1 of 'a?b'");
        assertThat(RecordValidator.problem(slash)).isEqualTo("family must not contain '/', got 'ml/p'");
        assertThat(RecordValidator.problem(TestRecords.model("mlp", "mlp-a", 2, 1.0, 80.0, -1.0))).isNull();
        assertThat(RecordValidator.problem(TestRecords.alert("a-2", "mlp", "mlp-a", 2, AlertSeverity.WARNING))).isNull();
    }
}
