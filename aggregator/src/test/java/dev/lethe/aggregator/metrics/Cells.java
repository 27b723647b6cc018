package dev.lethe.aggregator.metrics;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.MetricScope;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** Test helpers building cells and finding records. */
final class Cells {

    static final RunKey RUN = new RunKey("camp", "mlp", "mlp-a");
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private Cells() {
    }

    /** A cell whose accuracy is exactly {@code pct} percent on 10,000 items (pct with two decimals). */
    static ScoreCell pct(int stage, String benchmark, String category, double pct) {
        int correct = (int) Math.round(pct * 100);
        return new ScoreCell(stage, stage == 0 ? null : "task-" + stage, benchmark, category, 10_000, correct, null,
                T0.plusSeconds(stage));
    }

    static ScoreCell counts(int stage, String benchmark, String category, int n, int correct) {
        return new ScoreCell(stage, stage == 0 ? null : "task-" + stage, benchmark, category, n, correct, null,
                T0.plusSeconds(stage));
    }

    static ForgettingMetric find(List<ForgettingMetric> records, MetricScope scope, int stage, String category,
                                 String benchmark) {
        return records.stream()
                .filter(r -> r.getScope() == scope && r.getStage() == stage
                        && Objects.equals(r.getCategory(), category) && Objects.equals(r.getBenchmark(), benchmark))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + scope + " record at stage " + stage + " for "
                        + category + "/" + benchmark + " in " + records));
    }

    /** LSB-first bitset of the given item outcomes. */
    static byte[] bits(boolean[] items) {
        byte[] bytes = new byte[(items.length + 7) / 8];
        for (int i = 0; i < items.length; i++) {
            if (items[i]) {
                bytes[i >>> 3] |= (byte) (1 << (i & 7));
            }
        }
        return bytes;
    }
}
