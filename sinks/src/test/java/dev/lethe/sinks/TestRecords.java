package dev.lethe.sinks;

import dev.lethe.schemas.AlertRule;
import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.AlertState;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import java.time.Instant;

/** Builders of ForgettingMetric and KnowledgeLossAlert records for sink tests. */
public final class TestRecords {

    public static final String CAMPAIGN = "c1";

    private TestRecords() {
    }

    public static ForgettingMetric category(String family, String model, int stage, String category, Double fg, Double score) {
        return base(family, model, stage, MetricScope.CATEGORY, category, null).setFgPct(fg).setScore(score)
                .setBaselineScore(90.0).setFinalDropPct(fg).setMaxForgettingPp(fg == null ? null : fg / 2)
                .setDeltaPrevPp(-1.5).setN(100).build();
    }

    public static ForgettingMetric element(String family, String model, int stage, String category, String benchmark, Double fg) {
        return base(family, model, stage, MetricScope.ELEMENT, category, benchmark).setFgPct(fg).setScore(80.0).setN(50).build();
    }

    public static ForgettingMetric model(String family, String model, int stage, Double fg, Double acc, Double bwt) {
        return base(family, model, stage, MetricScope.MODEL, null, null).setFgPct(fg).setAccPct(acc).setBwtPp(bwt).build();
    }

    public static ForgettingMetric family(String family, int stage, String category, Double fg, int models) {
        return base(family, null, stage, MetricScope.FAMILY, category, null).setFgPct(fg).setModels(models).build();
    }

    private static ForgettingMetric.Builder base(String family, String model, int stage, MetricScope scope, String category,
                                                 String benchmark) {
        return ForgettingMetric.newBuilder().setCampaign(CAMPAIGN).setFamily(family).setModel(model).setStage(stage)
                .setTask(stage == 0 ? null : "perm-" + stage).setScope(scope).setCategory(category).setBenchmark(benchmark)
                .setUpdatedAt(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(stage));
    }

    public static KnowledgeLossAlert alert(String id, String family, String model, int stage, AlertSeverity severity) {
        return KnowledgeLossAlert.newBuilder().setAlertId(id).setSeverity(severity).setRule(AlertRule.PAIRED_DROP)
                .setCampaign(CAMPAIGN).setFamily(family).setModel(model).setStage(stage).setPreviousStage(stage - 1)
                .setCategory("task").setBenchmark("perm-1").setPreviousScore(92.0).setScore(70.0).setDropPp(22.0)
                .setRelativeDropPct(23.9).setPValue(1e-6).setB(40).setC(2).setN(360)
                .setCreatedAt(Instant.parse("2026-01-01T00:00:00Z")).build();
    }

    /** The same alert withdrawn: its RESOLVED record, as the aggregator publishes it after the FIRING one. */
    public static KnowledgeLossAlert resolved(KnowledgeLossAlert firing, String why) {
        return KnowledgeLossAlert.newBuilder(firing).setState(AlertState.RESOLVED)
                .setResolvedAt(Instant.parse("2026-01-01T00:05:00Z")).setResolution(why).build();
    }
}
