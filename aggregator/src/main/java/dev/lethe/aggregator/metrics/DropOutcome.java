package dev.lethe.aggregator.metrics;

import dev.lethe.schemas.AlertRule;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * The drop test of one element at one stage against its previous stage: pending while that stage's score is
 * awaited, else the counts and the p-value (exact McNemar on the item bitsets when both cells have them for the
 * same n, else a two-proportion z-test).
 *
 * <p>Thresholds are compared on the integer counts, exactly: a drop of 333 to 313 correct out of 1000 is 2 pp and
 * meets {@code minDropPp = 2}, where {@code 33.3 - 31.3} in floating point falls short of it.
 *
 * @param previousStage the stage compared against
 * @param pending       true while the previous stage's score is awaited; no other field is then meaningful
 * @param b             items right before and wrong now (paired test only)
 * @param c             items wrong before and right now (paired test only)
 * @param createdAt     the newer event time of the two cells
 */
public record DropOutcome(int previousStage, boolean pending, int previousCorrect, int previousN, int correct, int n,
                          AlertRule rule, double pValue, Integer b, Integer c, Instant createdAt) {

    static DropOutcome pending(int previousStage) {
        return new DropOutcome(previousStage, true, 0, 0, 0, 0, AlertRule.UNKNOWN, 1.0, null, null, null);
    }

    /** The test of {@code now} against {@code before}. */
    public static DropOutcome of(ScoreCell before, ScoreCell now) {
        Instant createdAt = RunMetrics.max(before.updatedAt(), now.updatedAt());
        if (before.hasItemBits() && now.hasItemBits() && before.n() == now.n()) {
            byte[] was = before.itemBits();
            byte[] is = now.itemBits();
            int b = 0;
            int c = 0;
            int n = now.n();
            for (int i = 0; i < (n + 7) / 8; i++) {
                int mask = i < n / 8 ? 0xff : (1 << (n % 8)) - 1; // only the n items, not the padding bits
                b += Integer.bitCount(was[i] & ~is[i] & mask);
                c += Integer.bitCount(~was[i] & is[i] & mask);
            }
            return new DropOutcome(before.stage(), false, before.correct(), before.n(), now.correct(), now.n(),
                    AlertRule.PAIRED_DROP, Statistics.mcnemarExactP(b, c), b, c, createdAt);
        }
        double p = Statistics.twoProportionP(before.correct(), before.n(), now.correct(), now.n());
        return new DropOutcome(before.stage(), false, before.correct(), before.n(), now.correct(), now.n(),
                AlertRule.UNPAIRED_DROP, p, null, null, createdAt);
    }

    public double previousScore() {
        return 100.0 * previousCorrect / previousN;
    }

    public double score() {
        return 100.0 * correct / n;
    }

    public double dropPp() {
        return previousScore() - score();
    }

    /** dropPp / previousScore * 100; null when the previous score is 0. */
    public Double relativeDropPct() {
        return previousCorrect == 0 ? null : dropPp() / previousScore() * 100;
    }

    /** Significant at alpha / {@code elements} (Bonferroni) and at least minDropPp and minRelativeDropPct. */
    public boolean fires(AlertConfig config, int elements) {
        return !pending && pValue < config.alpha() / elements && dropAtLeast(config.minDropPp())
                && previousCorrect > 0 && relativeDropAtLeast(config.minRelativeDropPct());
    }

    public boolean critical(AlertConfig config) {
        return dropAtLeast(config.criticalDropPp());
    }

    /** dropPp >= threshold, i.e. 100 (pc nn - nc pn) >= threshold pn nn, in exact decimal arithmetic. */
    boolean dropAtLeast(double thresholdPp) {
        return atLeast(crossDifference(), BigDecimal.valueOf(thresholdPp)
                .multiply(BigDecimal.valueOf((long) previousN * n)));
    }

    /** relativeDropPct >= threshold, i.e. 100 (pc nn - nc pn) >= threshold pc nn. */
    boolean relativeDropAtLeast(double thresholdPct) {
        return atLeast(crossDifference(), BigDecimal.valueOf(thresholdPct)
                .multiply(BigDecimal.valueOf((long) previousCorrect * n)));
    }

    /** 100 (pc nn - nc pn): the drop in pp times pn nn, an integer. */
    private BigDecimal crossDifference() {
        return BigDecimal.valueOf(100L * ((long) previousCorrect * n - (long) correct * previousN));
    }

    private static boolean atLeast(BigDecimal value, BigDecimal threshold) {
        return value.compareTo(threshold) >= 0;
    }
}
