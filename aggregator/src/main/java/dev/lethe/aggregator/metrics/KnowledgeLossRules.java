package dev.lethe.aggregator.metrics;

import dev.lethe.schemas.AlertRule;
import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sudden-knowledge-loss rule of docs/METRICS.md: a significant (exact McNemar when both checkpoints have
 * per-item bitsets, else a two-proportion z-test; Bonferroni over the suite's elements) and large enough drop
 * of an element from its previous stage, and upward crossings of the category FG threshold.
 */
public final class KnowledgeLossRules {

    private KnowledgeLossRules() {
    }

    /** Every alert the run's matrix raises now, in stage order; empty until the run has a baseline. */
    public static List<KnowledgeLossAlert> evaluate(ScoreMatrix matrix, List<ForgettingMetric> runRecords,
                                                    AlertConfig config) {
        return evaluate(matrix, runRecords, config, 0, null);
    }

    /**
     * The alerts a new or changed cell (stage, benchmark) may have changed: drop tests of that element at stages
     * >= {@code stage} and every FG crossing ({@code benchmark} null: everything, as {@link #evaluate(ScoreMatrix, List,
     * AlertConfig)}). Other drop tests only got stricter if the cell added an element (Bonferroni), so they raise
     * nothing new.
     */
    public static List<KnowledgeLossAlert> evaluate(ScoreMatrix matrix, List<ForgettingMetric> runRecords,
                                                    AlertConfig config, int stage, String benchmark) {
        if (!matrix.hasBaseline()) {
            return List.of();
        }
        List<KnowledgeLossAlert> out = new ArrayList<>();
        int elements = Math.max(1, matrix.benchmarks().size());
        for (int s : matrix.stages().tailSet(Math.max(1, stage), true)) {
            for (String element : benchmark == null ? matrix.row(s).keySet() : List.of(benchmark)) {
                KnowledgeLossAlert alert = drop(matrix, s, element, elements, config);
                if (alert != null) {
                    out.add(alert);
                }
            }
        }
        out.addAll(fgCrossings(matrix, runRecords, config));
        out.sort((a, b) -> Integer.compare(a.getStage(), b.getStage()));
        return out;
    }

    /** The drop test of element {@code benchmark} at {@code stage} against its previous stage, whether or not it fires. */
    public static DropTest test(ScoreMatrix matrix, int stage, String benchmark) {
        ScoreCell now = matrix.get(stage, benchmark);
        if (now == null) {
            return null;
        }
        ScoreCell previous = null;
        for (int k : matrix.stages().headSet(stage, false).descendingSet()) {
            previous = matrix.get(k, benchmark);
            if (previous != null) {
                break;
            }
        }
        if (previous == null) {
            return null;
        }
        double drop = previous.accuracyPct() - now.accuracyPct();
        Double relative = previous.accuracyPct() > 0 ? drop / previous.accuracyPct() * 100 : null;
        if (previous.hasItemBits() && now.hasItemBits() && previous.n() == now.n()) {
            byte[] before = previous.itemBits();
            byte[] after = now.itemBits();
            int b = 0;
            int c = 0;
            int n = now.n();
            for (int i = 0; i < (n + 7) / 8; i++) {
                int mask = i < n / 8 ? 0xff : (1 << (n % 8)) - 1; // only the n items, not the padding bits
                b += Integer.bitCount(before[i] & ~after[i] & mask);
                c += Integer.bitCount(~before[i] & after[i] & mask);
            }
            return new DropTest(previous, now, drop, relative, AlertRule.PAIRED_DROP, Statistics.mcnemarExactP(b, c), b, c);
        }
        double p = Statistics.twoProportionP(previous.correct(), previous.n(), now.correct(), now.n());
        return new DropTest(previous, now, drop, relative, AlertRule.UNPAIRED_DROP, p, null, null);
    }

    /**
     * The outcome of one drop test.
     *
     * @param b items right before and wrong now (paired test only)
     * @param c items wrong before and right now (paired test only)
     */
    public record DropTest(ScoreCell previous, ScoreCell now, double dropPp, Double relativeDropPct, AlertRule rule,
                           double pValue, Integer b, Integer c) {

        public boolean fires(AlertConfig config, int elements) {
            return pValue < config.alpha() / elements && dropPp >= config.minDropPp()
                    && relativeDropPct != null && relativeDropPct >= config.minRelativeDropPct();
        }
    }

    private static KnowledgeLossAlert drop(ScoreMatrix matrix, int stage, String benchmark, int elements,
                                           AlertConfig config) {
        DropTest test = test(matrix, stage, benchmark);
        if (test == null || !test.fires(config, elements)) {
            return null;
        }
        RunKey run = matrix.run();
        return KnowledgeLossAlert.newBuilder()
                .setAlertId(alertId(run, stage, benchmark, test.rule()))
                .setSeverity(test.dropPp() >= config.criticalDropPp() ? AlertSeverity.CRITICAL : AlertSeverity.WARNING)
                .setRule(test.rule())
                .setCampaign(run.campaign())
                .setFamily(run.family())
                .setModel(run.model())
                .setStage(stage)
                .setPreviousStage(test.previous().stage())
                .setCategory(matrix.categoryOf(benchmark))
                .setBenchmark(benchmark)
                .setPreviousScore(test.previous().accuracyPct())
                .setScore(test.now().accuracyPct())
                .setDropPp(test.dropPp())
                .setRelativeDropPct(test.relativeDropPct())
                .setPValue(test.pValue())
                .setB(test.b())
                .setC(test.c())
                .setN(test.now().n())
                .setFgPct(null)
                .setCreatedAt(RunMetrics.max(test.previous().updatedAt(), test.now().updatedAt()))
                .build();
    }

    /**
     * FG_THRESHOLD: a CATEGORY fgPct at or above maxFgPct whose previous stage's fgPct was below it (or undefined).
     * Only complete category records count (every element of the category with a baseline has a score at that
     * stage), so a stage whose elements are still arriving does not raise a crossing its full data would not.
     */
    private static List<KnowledgeLossAlert> fgCrossings(ScoreMatrix matrix, List<ForgettingMetric> runRecords,
                                                        AlertConfig config) {
        RunKey run = matrix.run();
        Map<String, Integer> baselined = new TreeMap<>();
        for (String benchmark : matrix.row(0).keySet()) {
            baselined.merge(matrix.categoryOf(benchmark), 1, Integer::sum);
        }
        Map<String, TreeMap<Integer, ForgettingMetric>> byCategory = new TreeMap<>();
        for (ForgettingMetric record : runRecords) {
            if (record.getScope() == MetricScope.CATEGORY && record.getModel() != null
                    && record.getModel().equals(run.model()) && record.getCampaign().equals(run.campaign())
                    && record.getElementsCovered().equals(baselined.get(record.getCategory()))) {
                byCategory.computeIfAbsent(record.getCategory(), c -> new TreeMap<>()).put(record.getStage(), record);
            }
        }
        List<KnowledgeLossAlert> out = new ArrayList<>();
        for (Map.Entry<String, TreeMap<Integer, ForgettingMetric>> entry : byCategory.entrySet()) {
            ForgettingMetric previous = null;
            for (ForgettingMetric record : entry.getValue().values()) {
                Double fg = record.getFgPct();
                boolean wasBelow = previous == null || previous.getFgPct() == null || previous.getFgPct() < config.maxFgPct();
                if (fg != null && fg >= config.maxFgPct() && wasBelow) {
                    Double previousScore = previous == null ? null : previous.getScore();
                    Double dropPp = previousScore == null || record.getScore() == null ? null : previousScore - record.getScore();
                    out.add(KnowledgeLossAlert.newBuilder()
                            .setAlertId(alertId(run, record.getStage(), "category:" + entry.getKey(), AlertRule.FG_THRESHOLD))
                            .setSeverity(AlertSeverity.WARNING)
                            .setRule(AlertRule.FG_THRESHOLD)
                            .setCampaign(run.campaign())
                            .setFamily(run.family())
                            .setModel(run.model())
                            .setStage(record.getStage())
                            .setPreviousStage(previous == null ? null : previous.getStage())
                            .setCategory(entry.getKey())
                            .setBenchmark(null)
                            .setPreviousScore(previousScore)
                            .setScore(record.getScore())
                            .setDropPp(dropPp)
                            .setRelativeDropPct(dropPp == null || previousScore == 0 ? null : dropPp / previousScore * 100)
                            .setPValue(null)
                            .setN(record.getN())
                            .setFgPct(fg)
                            .setCreatedAt(record.getUpdatedAt())
                            .build());
                }
                previous = record;
            }
        }
        return out;
    }

    /** campaign/model/stage-s/benchmark-or-category:c/RULE: the same finding always gets the same id. */
    public static String alertId(RunKey run, int stage, String subject, AlertRule rule) {
        return run.campaign() + "/" + run.model() + "/stage-" + stage + "/" + subject + "/" + rule;
    }
}
