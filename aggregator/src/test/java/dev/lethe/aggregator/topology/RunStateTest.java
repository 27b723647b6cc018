package dev.lethe.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.aggregator.metrics.AlertConfig;
import dev.lethe.aggregator.metrics.KnowledgeLossRules;
import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.RunMetrics;
import dev.lethe.aggregator.metrics.ScoreMatrix;
import java.time.Instant;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RunStateTest {

    @Test
    void shouldRoundTripTheMatrixAndAlertsWhenStoredAndRestored() {
        RunKey run = new RunKey("c", "f", "m");
        ScoreMatrix matrix = new ScoreMatrix(run);
        for (int stage = 0; stage < 4; stage++) {
            matrix.put(Shards.cell(stage, "e1", "dk", Shards.items(40, 40 - 8 * stage), Instant.ofEpochSecond(stage)));
            matrix.put(new dev.lethe.aggregator.metrics.ScoreCell(stage, stage == 0 ? null : "t" + stage, "e2", "rc", 50, 20,
                    null, Instant.ofEpochSecond(100 + stage)));
        }
        TreeMap<String, dev.lethe.schemas.KnowledgeLossAlert> alerts = new TreeMap<>();
        KnowledgeLossRules.evaluate(matrix, RunMetrics.compute(matrix), AlertConfig.defaults())
                .forEach(a -> alerts.put(a.getAlertId(), a));
        assertThat(alerts).isNotEmpty();
        RunState state = new RunState(matrix, "v1", alerts);

        RunState restored = RunState.SERDE.deserializer().deserialize(null, RunState.SERDE.serializer().serialize(null, state));

        assertThat(restored.matrix()).isEqualTo(matrix);
        assertThat(restored.suiteVersion()).isEqualTo("v1");
        assertThat(restored.alerts()).isEqualTo(alerts);
        assertThat(RunState.serializedBytes(matrix, "v1")).isBetween(8 * 20, 2_000);
    }
}
